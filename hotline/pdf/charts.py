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


Shapes = dict[str, list[list[tuple[float, float]]]]
MAP_WIDTH, MAP_HEIGHT = 170 * mm, 110 * mm


def _projection(shapes: Shapes, legend: float):
    """(lon, lat) -> drawing (x, y) fitting the districts into the map, beside a legend
    `legend` wide; None when there are no shapes."""
    points = [p for rings in shapes.values() for ring in rings for p in ring]
    if not points:
        return None
    min_x, max_x = min(p[0] for p in points), max(p[0] for p in points)
    min_y, max_y = min(p[1] for p in points), max(p[1] for p in points)
    scale = min((MAP_WIDTH - legend) / (max_x - min_x), (MAP_HEIGHT - 6 * mm) / (max_y - min_y))
    return lambda x, y: ((x - min_x) * scale, (y - min_y) * scale + 3 * mm)


def _district(drawing: Drawing, rings, project, shade) -> None:
    for ring in rings:
        flat = [c for x, y in ring for c in project(x, y)]
        drawing.add(Polygon(flat, fillColor=shade, strokeColor=colors.white, strokeWidth=0.6))


def choropleth(shapes: Shapes, values: dict[str, float], font: str, unit: str) -> Drawing:
    """The districts shaded in five classes of equal width, with a legend."""
    width, height = MAP_WIDTH, MAP_HEIGHT
    drawing = Drawing(width, height)
    project = _projection(shapes, legend=50 * mm)
    if project is None:
        return drawing
    top = max(values.values(), default=0) or 1
    for name, rings in shapes.items():
        value = values.get(name, 0)
        _district(
            drawing, rings, project, SHADES[min(len(SHADES) - 1, int(value / top * len(SHADES)))]
        )
    for index, shade in enumerate(SHADES):
        low, high = top * index / len(SHADES), top * (index + 1) / len(SHADES)
        y = height - 10 * mm - index * 6 * mm
        drawing.add(Rect(width - 46 * mm, y, 5 * mm, 4 * mm, fillColor=shade, strokeColor=None))
        label = f"{low:.1f}–{high:.1f} {unit}" if top < 50 else f"{low:.0f}–{high:.0f} {unit}"
        drawing.add(String(width - 40 * mm, y + 0.5 * mm, label, fontName=font, fontSize=7))
    return drawing


def spots(shapes: Shapes, points: list[tuple[float, float, int]], font: str) -> Drawing:
    """The district outlines with numbered dots (lon, lat, size), sized by their orders."""
    drawing = Drawing(MAP_WIDTH, MAP_HEIGHT)
    project = _projection(shapes, legend=0)
    if project is None:
        return drawing
    for rings in shapes.values():
        _district(drawing, rings, project, SHADES[0])
    biggest = max((size for _x, _y, size in points), default=1) or 1
    for number, (x, y, size) in enumerate(points, start=1):
        cx, cy = project(x, y)
        radius = 1.5 * mm + 3 * mm * size / biggest
        drawing.add(Circle(cx, cy, radius, fillColor=colors.HexColor("#c0392b"), strokeColor=None))
        drawing.add(String(cx + radius + 0.5 * mm, cy, str(number), fontName=font, fontSize=7))
    return drawing
