"""Where a typed address is, by the official names in the routing data (every process's
cache: no query but its version check)."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hotline.services.reference import cache


@dataclass(frozen=True)
class Place:
    """A district and a 街乡镇 with their codes and names; None where not known."""

    district_code: str | None
    district: str | None
    street_code: str | None
    street: str | None
    confidence: float


def locate(session: Session, address: str) -> Place:
    """The address parser's answer, with the units' names."""
    ctx = cache.context(session)
    if ctx.parser is None:
        return Place(None, None, None, None, 0.0)
    found = ctx.parser.locate(address)
    district = ctx.index.get(found.district_code) if found.district_code else None
    street = ctx.directory.street(found.street_code)
    return Place(
        found.district_code if district else None,
        district.name if district else None,
        street.code if street else None,
        street.name if street else None,
        found.confidence,
    )
