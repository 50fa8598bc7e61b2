"""Where an order would go: the routing decision for a category and a location, read from the
process-wide reference data (services/reference/cache.py)."""

from dataclasses import dataclass

from hotline.core.orders.routing import RoutingDecision
from hotline.services.reference.cache import CategoryRef, RoutingContext


@dataclass(frozen=True)
class RoutePreview:
    """A routing decision with the district found for the location."""

    decision: RoutingDecision
    district_code: str | None
    district_name: str | None
    outside_city: bool


def preview(
    ctx: RoutingContext,
    category: CategoryRef,
    lon: float | None,
    lat: float | None,
    district_code: str | None,
) -> RoutePreview:
    """Where an order would go: a point decides the district; else the chosen district."""
    outside = False
    if lon is not None and lat is not None:
        found = ctx.index.locate(lon, lat)
        outside = found is None
        district_code = found.code if found else None
    elif district_code is not None and ctx.index.get(district_code) is None:
        district_code = None
    decision = ctx.directory.route(category.code, category.kind, district_code)
    district = ctx.index.get(district_code) if district_code else None
    return RoutePreview(decision, district_code, district.name if district else None, outside)
