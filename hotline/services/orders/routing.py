"""Where an order would go: the routing decision for a category and a location, read from the
process-wide reference data (services/reference/cache.py)."""

from dataclasses import dataclass

from hotline.core.orders.routing import RoutingDecision
from hotline.services.reference.cache import CategoryRef, RoutingContext


@dataclass(frozen=True)
class RoutePreview:
    """A routing decision with the district and the 街乡镇 found for the location."""

    decision: RoutingDecision
    district_code: str | None
    district_name: str | None
    outside_city: bool
    street_code: str | None = None
    street_name: str | None = None
    # "point" (in an imported boundary), "chosen" by the operator, "address" (parser's guess)
    street_source: str | None = None
    confidence: float = 0.0  # of the address parser's guess


def preview(
    ctx: RoutingContext,
    category: CategoryRef,
    lon: float | None,
    lat: float | None,
    district_code: str | None,
    street_code: str | None = None,
    address: str = "",
) -> RoutePreview:
    """Where an order would go: a point decides the district, else the chosen district,
    else the typed address; the 街乡镇 is the operator's choice, else the address's."""
    outside = False
    if lon is not None and lat is not None:
        found = ctx.index.locate(lon, lat)
        outside = found is None
        district_code = found.code if found else None
    elif district_code is not None and ctx.index.get(district_code) is None:
        district_code = None
    guess = ctx.parser.locate(address) if ctx.parser and address else None
    if district_code is None and guess is not None and not outside and lon is None:
        district_code = guess.district_code
    # The 街乡镇, best source first: the point in an imported boundary, the operator's choice,
    # the typed address. The first one in the district the point is in wins: boundaries of
    # two sources may disagree at a border, and a choice is not lost to that.
    candidates = []
    if lon is not None and lat is not None and ctx.street_index is not None:
        within = ctx.street_index.locate(lon, lat)
        if within is not None:
            candidates.append((ctx.directory.street(within.code), "point", 1.0))
    candidates.append((ctx.directory.street(street_code), "chosen", 1.0))
    if guess is not None and guess.street_code:
        candidates.append((ctx.directory.street(guess.street_code), "address", guess.confidence))
    street, source, confidence = next(
        (
            (unit, how, sure)
            for unit, how, sure in candidates
            if unit is not None and (district_code is None or unit.district_code == district_code)
        ),
        (None, None, 0.0),
    )
    if street is not None and district_code is None:
        district_code = street.district_code
    code = street.code if street else None
    decision = ctx.directory.route(category.code, category.kind, district_code, code)
    district = ctx.index.get(district_code) if district_code else None
    return RoutePreview(
        decision,
        district_code,
        district.name if district else None,
        outside,
        code,
        street.name if street else None,
        source if street else None,
        confidence if street else 0.0,
    )
