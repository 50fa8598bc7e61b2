"""The dispatch slip (派车单) as a PDF: the incident, the vehicle and a small location map."""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, Drawing, Polygon, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hotline.pdf.fonts import cjk_font

LAND, BORDER = colors.HexColor("#e2eefa"), colors.HexColor("#2b6cb0")


@dataclass(frozen=True)
class SlipLine:
    """One vehicle on the slip."""

    call_sign: str
    station: str
    station_lonlat: tuple[float, float]
    dispatched_at: str
    hospital: str = ""  # the destination hospital, "" until the dispatcher chooses one


@dataclass(frozen=True)
class Slip:
    """What the slip shows; times already in local time."""

    number: str
    called_at: str
    address: str
    lonlat: tuple[float, float]
    complaint: str
    triage_level: int
    dispatcher: str
    vehicles: list[SlipLine]
    district_name: str
    district_rings: list[list[tuple[float, float]]]  # exterior rings of the district
    source: str = ""  # 联动: "110 (ref ABC-1)" when a linked centre handed the case over


def _map(slip: Slip, width: float, height: float) -> Drawing:
    """The district outline with the pick-up point (red) and the stations (blue)."""
    points = [p for ring in slip.district_rings for p in ring] or [slip.lonlat]
    points += [slip.lonlat] + [v.station_lonlat for v in slip.vehicles]
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    span = max(max_x - min_x, max_y - min_y, 1e-3)
    scale = min(width, height) / span * 0.9

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (lon - min_x) * scale + 6, (lat - min_y) * scale + 6

    drawing = Drawing(width + 12, height + 12)
    for ring in slip.district_rings:
        flat = [c for p in ring for c in xy(*p)]
        drawing.add(Polygon(flat, fillColor=LAND, strokeColor=BORDER, strokeWidth=0.5))
    for line in slip.vehicles:
        x, y = xy(*line.station_lonlat)
        drawing.add(Circle(x, y, 3, fillColor=colors.HexColor("#2b6cb0"), strokeColor=None))
    x, y = xy(*slip.lonlat)
    drawing.add(Circle(x, y, 4, fillColor=colors.red, strokeColor=colors.white))
    drawing.add(String(x + 6, y - 3, "接车点", fontName=cjk_font(), fontSize=8))
    return drawing


def _facts(slip: Slip, font: str, body: ParagraphStyle) -> Table:
    """The incident and its vehicles as a two-column table."""

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text), body)

    rows = [
        ["事件编号", para(slip.number)],
        ["呼救时间", para(slip.called_at)],
        ["接车地址", para(slip.address or "—")],
        ["坐标", para(f"{slip.lonlat[0]:.6f}, {slip.lonlat[1]:.6f}")],
        ["主诉", para(slip.complaint)],
        ["分级", para(f"{slip.triage_level} 级")],
        ["调度员", para(slip.dispatcher)],
    ]
    if slip.source:
        rows.append(["联动来源", para(slip.source)])
    for line in slip.vehicles:
        rows.append(["车辆", para(f"{line.call_sign}（{line.station}）派车 {line.dispatched_at}")])
        rows.append(["送往医院", para(line.hospital or "未定")])
    table = Table(rows, colWidths=[22 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9.5),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#edf2f7")),
            ]
        )
    )
    return table


def render(slip: Slip, printed_at: datetime) -> bytes:
    """The slip as PDF bytes, every text escaped for ReportLab's markup."""
    font = cjk_font()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=f"120派车单 {slip.number}",
        author="12345/120 热线系统",
    )
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")

    story = [
        Paragraph("120 派车单", title),
        Spacer(1, 4 * mm),
        _facts(slip, font, body),
        Spacer(1, 4 * mm),
        Paragraph(escape(f"位置示意（{slip.district_name}，底图为区界，无在线地图）"), body),
        _map(slip, 100 * mm, 60 * mm),
        Paragraph(escape(f"打印时间 {printed_at:%Y-%m-%d %H:%M:%S}"), body),
    ]
    doc.build(story)
    return buffer.getvalue()
