"""The patient record (院前急救病历) as a PDF for the receiving hospital and the archive:
the facts as label/value rows, then the vital signs and the care given as tables."""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hotline.pdf.fonts import cjk_font

VITALS_HEADER = ["时间", "阶段", "血压", "脉搏", "呼吸", "SpO₂", "体温", "血糖", "GCS"]
CARE_HEADER = ["时间", "类别", "处置或药品", "剂量"]


@dataclass(frozen=True)
class PatientSheet:
    """What the PDF prints; every text already in Chinese and local time."""

    number: str  # the incident's
    patient_id: int
    facts: list[tuple[str, str]]  # label, value
    vitals: list[list[str]]  # rows under VITALS_HEADER
    care: list[list[str]]  # rows under CARE_HEADER
    list_version: str


def _table(rows: list[list], widths: list, font: str, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    # The header row, or the label column of a facts table, shaded.
    last = (-1, 0) if header else (0, -1)
    style.append(("BACKGROUND", (0, 0), last, colors.HexColor("#edf2f7")))
    table.setStyle(TableStyle(style))
    return table


def _section(title: str, header: list[str], rows: list[list[str]], body, font: str) -> list:
    """A titled table of texts (each escaped), or a line saying there is none."""
    heading = Paragraph(escape(title), body)
    if not rows:
        return [heading, Paragraph("无记录", body), Spacer(1, 3 * mm)]
    cells = [header] + [[Paragraph(escape(text), body) for text in row] for row in rows]
    return [heading, _table(cells, [None] * len(header), font, header=True), Spacer(1, 3 * mm)]


def render(sheet: PatientSheet, printed_at: datetime) -> bytes:
    """The record as PDF bytes with the embedded CJK font, every text escaped for ReportLab."""
    font = cjk_font()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"院前急救病历 {sheet.number} #{sheet.patient_id}",
        author="12345/120 热线系统",
    )
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=20, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    facts = [[label, Paragraph(escape(value or "—"), body)] for label, value in sheet.facts]
    story = [
        Paragraph("120 院前急救病历", title),
        Spacer(1, 4 * mm),
        _table(facts, [30 * mm, None], font, header=False),
        Spacer(1, 4 * mm),
        *_section("生命体征", VITALS_HEADER, sheet.vitals, body, font),
        *_section("处置与用药", CARE_HEADER, sheet.care, body, font),
        Paragraph(
            escape(
                f"代码表版本 {sheet.list_version}（ICD-10 编码取自世界卫生组织 2019 版）；"
                f"打印时间 {printed_at:%Y-%m-%d %H:%M:%S}。本病历含个人健康信息，请妥善保管。"
            ),
            body,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
