"""Charts for the PDF reports, drawn with ReportLab graphics (no image files, fonts embedded)."""

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Circle, Drawing, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

BLUE = colors.HexColor("#2b6cb0")
SHADES = [colors.HexColor(c) for c in ("#ebf4ff", "#bee3f8", "#90cdf4", "#4299e1", "#2b6cb0")]


def bar(labels: list[str], values: list[int], font: str) -> Drawing:
    """A bar chart with Chinese labels."""
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 150 * mm, 48 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or ["—"]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    return drawing


def line(days: list[str], values: list[int], font: str) -> Drawing:
    """A line chart, one label in ten kept legible."""
    drawing = Drawing(170 * mm, 60 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 8 * mm, 150 * mm, 48 * mm
    chart.data = [values or [0]]
    step = max(1, len(days) // 10)
    chart.categoryAxis.categoryNames = [d if i % step == 0 else "" for i, d in enumerate(days)]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.lines[0].strokeColor = BLUE
    drawing.add(chart)
    return drawing


def choropleth(
    shapes: dict[str, list[list[tuple[float, float]]]],
    values: dict[str, float],
    font: str,
    unit: str,
) -> Drawing:
    """The districts shaded in five classes of equal width, with a legend."""
    width, height = 170 * mm, 110 * mm
    drawing = Drawing(width, height)
    points = [p for rings in shapes.values() for ring in rings for p in ring]
    if not points:
        return drawing
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    scale = min((width - 50 * mm) / (max_x - min_x), (height - 6 * mm) / (max_y - min_y))
    top = max(values.values(), default=0) or 1
    for name, rings in shapes.items():
        value = values.get(name, 0)
        shade = SHADES[min(len(SHADES) - 1, int(value / top * len(SHADES)))]
        for ring in rings:
            flat = [c for x, y in ring for c in ((x - min_x) * scale, (y - min_y) * scale + 3 * mm)]
            drawing.add(Polygon(flat, fillColor=shade, strokeColor=colors.white, strokeWidth=0.6))
    for index, shade in enumerate(SHADES):
        low, high = top * index / len(SHADES), top * (index + 1) / len(SHADES)
        y = height - 10 * mm - index * 6 * mm
        drawing.add(Rect(width - 46 * mm, y, 5 * mm, 4 * mm, fillColor=shade, strokeColor=None))
        label = f"{low:.1f}–{high:.1f} {unit}" if top < 50 else f"{low:.0f}–{high:.0f} {unit}"
        drawing.add(String(width - 40 * mm, y + 0.5 * mm, label, fontName=font, fontSize=7))
    return drawing


def spots(
    shapes: dict[str, list[list[tuple[float, float]]]],
    points: list[tuple[float, float, int]],
    font: str,
) -> Drawing:
    """The district outlines with numbered dots (lon, lat, size), sized by their orders."""
    width, height = 170 * mm, 110 * mm
    drawing = Drawing(width, height)
    outline = [p for rings in shapes.values() for ring in rings for p in ring]
    if not outline:
        return drawing
    min_x, max_x = min(p[0] for p in outline), max(p[0] for p in outline)
    min_y, max_y = min(p[1] for p in outline), max(p[1] for p in outline)
    scale = min(width / (max_x - min_x), (height - 6 * mm) / (max_y - min_y))
    for rings in shapes.values():
        for ring in rings:
            flat = [c for x, y in ring for c in ((x - min_x) * scale, (y - min_y) * scale + 3 * mm)]
            drawing.add(Polygon(flat, fillColor=SHADES[0], strokeColor=colors.white))
    biggest = max((size for _x, _y, size in points), default=1) or 1
    for number, (x, y, size) in enumerate(points, start=1):
        cx, cy = (x - min_x) * scale, (y - min_y) * scale + 3 * mm
        radius = 1.5 * mm + 3 * mm * size / biggest
        drawing.add(Circle(cx, cy, radius, fillColor=colors.HexColor("#c0392b"), strokeColor=None))
        drawing.add(String(cx + radius + 0.5 * mm, cy, str(number), fontName=font, fontSize=7))
    return drawing
