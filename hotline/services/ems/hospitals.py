"""Receiving hospitals: the nearest ones that can treat what the patient needs."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core import geo
from hotline.core.ems.vocabulary import Capability
from hotline.models import Hospital
from hotline.services.errors import ValidationFailed


@dataclass(frozen=True)
class HospitalChoice:
    """A receiving hospital with its distance from the pick-up point."""

    hospital: Hospital
    distance_m: float


def suitable_hospitals(
    session: Session, *, lon: float, lat: float, capability: str | None, k: int = 3
) -> list[HospitalChoice]:
    """The k nearest hospitals that have the capability (any hospital when none is given)."""
    if capability and capability not in {c.value for c in Capability}:
        raise ValidationFailed({"capability": "invalid_choice"})
    hospitals = session.scalars(select(Hospital)).all()  # a city has hundreds, not millions
    fitting = [h for h in hospitals if not capability or capability in h.capabilities.split(",")]
    ranked = sorted(
        (HospitalChoice(h, geo.haversine_m(lon, lat, h.lon, h.lat)) for h in fitting),
        key=lambda c: (c.distance_m, c.hospital.id),
    )
    return ranked[:k]
