"""The supervision notice (督办单) as a PDF letter for the record: the instruction, the time
to answer and, once given, the unit's answer. The caller's personal data is not on it."""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from hotline.pdf.fonts import cjk_font


@dataclass(frozen=True)
class NoticeLetter:
    """What the letter shows; times already in local time, as text."""

    number: str
    unit: str
    order_number: str
    category: str
    address: str
    issued_at: str
    issued_by: str
    instruction: str
    respond_by: str
    state: str
    answer: str
    answered_at: str
    answered_by: str


def render(letter: NoticeLetter) -> bytes:
    """The letter as PDF bytes (the CJK font embedded), every text escaped for ReportLab."""
    font = cjk_font()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"督办单 {letter.number}",
        author="12345 热线",
    )
    title = ParagraphStyle("title", fontName=font, fontSize=20, leading=26, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=11, leading=16, wordWrap="CJK")

    def para(text: str) -> Paragraph:
        return Paragraph(escape(text or "—").replace("\n", "<br/>"), body)

    rows = [
        ["编号", para(letter.number)],
        ["承办单位", para(letter.unit)],
        ["工单编号", para(letter.order_number)],
        ["诉求类别", para(letter.category)],
        ["事发地址", para(letter.address)],
        ["督办事项", para(letter.instruction)],
        ["回复时限", para(letter.respond_by)],
        ["督办人", para(f"{letter.issued_by}（{letter.issued_at}）")],
        ["状态", para(letter.state)],
        ["单位回复", para(letter.answer)],
        [
            "回复人",
            para(f"{letter.answered_by}（{letter.answered_at}）" if letter.answered_by else ""),
        ],
    ]
    table = Table(rows, colWidths=[28 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 11),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#edf2f7")),
            ]
        )
    )
    story = [
        Paragraph("12345 市民服务热线 督办单", title),
        Spacer(1, 8 * mm),
        table,
        Spacer(1, 8 * mm),
        Paragraph(escape("请承办单位在回复时限内办理并回复；逾期未回复的，提请领导督办。"), body),
    ]
    doc.build(story)
    return buffer.getvalue()
