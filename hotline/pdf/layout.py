"""The report PDF's building blocks: paragraphs and tables in the embedded CJK font, and
how a figure's change against a base is written."""

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from hotline.core.reports import kpi
from hotline.services.reports.bases import Compared


class Writer:
    """Paragraphs and tables in the report's font and styles."""

    def __init__(self, font: str) -> None:
        self.font = font
        self.styles = {
            "title": ParagraphStyle("title", fontName=font, fontSize=24, leading=32, alignment=1),
            "h1": ParagraphStyle("h1", fontName=font, fontSize=15, leading=22, spaceBefore=8),
            "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK"),
        }

    def paragraph(self, text: str, style: str = "body") -> Paragraph:
        """Escaped text (no markup gets through) in one of the report's styles."""
        return Paragraph(escape(text), self.styles[style])

    def table(
        self, rows: list[list], widths: list[float] | None = None, numbers_from: int = 1
    ) -> Table:
        """A table whose header row repeats on every page; cells are plain strings (no
        markup). Columns from `numbers_from` on hold figures and are right-aligned."""
        table = Table(rows, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e2e8f0")),
                    ("ALIGN", (numbers_from, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        return table


def change(value: kpi.Change) -> str:
    """ "+4（+33.3%）": the difference and the percentage."""
    return f"{value.difference:+g}（{value.percent()}）"


def compared_row(label: str, value: Compared) -> list[str]:
    """A figure's row: label, value, 环比 and 同比 changes."""
    return [label, f"{value.current:g}", change(value.previous), change(value.year_earlier)]


def points(now: kpi.Rate, then: kpi.Rate, unit: str = "个百分点") -> str:
    """The change of a rate in percentage points, or "n/a"."""
    value = kpi.points(now, then)
    return "n/a" if value is None else f"{value:+.1f}{unit}"
