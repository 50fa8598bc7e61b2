"""Candidates: every location an operator confirmed on an order (the typed address and the
point) proposes a named place; an administrator accepts it (a place is added) or rejects it.
Recording one is a single insert inside the intake's own transaction."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from hotline.core.places.importing import check_row
from hotline.core.places.keys import normalize
from hotline.database import write_transaction
from hotline.models import District
from hotline.models.places import PlaceCandidate
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from hotline.services.places import gazetteer

_INSERT = insert(PlaceCandidate.__table__)
LISTED = 50


@dataclass(frozen=True)
class CandidateGroup:
    """The candidates waiting under one address: how many orders, the latest one's point."""

    candidate_id: int
    address: str
    orders: int
    lon: float
    lat: float
    district: str


def record(
    session: Session,
    *,
    address: str,
    lon: float,
    lat: float,
    district_code: str | None,
    order_id: int,
    now: datetime,
) -> None:
    """Propose the confirmed location; inside the caller's (the intake's) transaction."""
    if not normalize(address):
        return
    session.connection().execute(
        _INSERT,
        {
            "address": address.strip()[:200],
            "lon": lon,
            "lat": lat,
            "district_code": district_code,
            "order_id": order_id,
            "state": "new",
            "created_at": now,
        },
    )


def waiting(session: Session, *, limit: int = LISTED) -> list[CandidateGroup]:
    """The waiting candidates by address, the most often confirmed first."""
    groups = session.execute(
        select(PlaceCandidate.address, func.count(), func.max(PlaceCandidate.id))
        .where(PlaceCandidate.state == "new")
        .group_by(PlaceCandidate.address)
        .order_by(func.count().desc(), func.max(PlaceCandidate.id).desc())
        .limit(limit)
    ).all()
    latest = {
        c.id: c
        for c in session.scalars(
            select(PlaceCandidate).where(PlaceCandidate.id.in_([g[2] for g in groups]))
        )
    }
    names = _district_names(session)
    return [
        CandidateGroup(
            candidate_id=last_id,
            address=address,
            orders=count,
            lon=latest[last_id].lon,
            lat=latest[last_id].lat,
            district=names.get(latest[last_id].district_code or "", ""),
        )
        for address, count, last_id in groups
    ]


def _district_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(District.code, District.name)).all())


def decide(
    session: Session,
    *,
    candidate_id: int,
    accept: bool,
    name: str,
    kind: str,
    actor_id: int,
    now: datetime,
) -> int | None:
    """Accept (a place named `name`, of `kind`, at the candidate's point) or reject the
    candidate and every other waiting one of the same address; the new place's id."""
    candidate = session.get(PlaceCandidate, candidate_id)
    if candidate is None:
        raise NotFound()
    if candidate.state != "new":
        raise Conflict("already_decided")
    place_id = None
    row = None
    if accept:
        district = _district_names(session).get(candidate.district_code or "", "")
        raw = {"name": name or candidate.address, "kind": kind, "lon": candidate.lon}
        row, problems = check_row(1, {**raw, "lat": candidate.lat, "district": district})
        if row is None:
            raise ValidationFailed({p.column: p.code for p in problems})
    address, seen = candidate.address, candidate.state
    session.expunge(candidate)
    with write_transaction(session):
        if row is not None:
            place_id = gazetteer.add_place(session, row, now=now, source="order")
        changed = session.execute(
            update(PlaceCandidate)
            .where(PlaceCandidate.address == address, PlaceCandidate.state == seen)
            .values(
                state="accepted" if accept else "rejected",
                decided_by_id=actor_id,
                decided_at=now,
                place_id=place_id,
            )
        ).rowcount
        if not changed:  # someone decided first
            raise Conflict("already_decided")
    return place_id
