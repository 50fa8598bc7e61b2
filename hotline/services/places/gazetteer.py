"""Named places: adding and importing them with their search keys, suggestions as the
operator types (an index range per match kind, core/places/keys.py) and the nearest named
place to a point (core/places/grid.py)."""

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from hotline.core.geo import haversine_m
from hotline.core.places import grid, importing, keys
from hotline.core.places.importing import PlaceRow, Problem
from hotline.database import write_transaction
from hotline.models.places import Place, PlaceKey

BATCH = 2000
NEAREST_RADIUS_M = 3000.0  # a map click farther than this from any place names none

_KEYS = (
    select(PlaceKey.place_id, PlaceKey.key)
    .where(
        PlaceKey.match == bindparam("match"),
        PlaceKey.key >= bindparam("low"),
        PlaceKey.key < bindparam("high"),
    )
    .order_by(PlaceKey.key)
    .limit(keys.PER_KIND)
)
_COLUMNS = (Place.id, Place.name, Place.kind, Place.lon, Place.lat, Place.district, Place.weight)
_BY_ID = select(*_COLUMNS).where(Place.id.in_(bindparam("ids", expanding=True)))
_IN_SQUARE = select(*_COLUMNS).where(
    Place.cell_y.between(bindparam("y0"), bindparam("y1")),
    Place.cell_x.between(bindparam("x0"), bindparam("x1")),
)


@dataclass(frozen=True)
class Suggestion:
    """A place for the address box and the API."""

    name: str
    kind: str
    lon: float
    lat: float
    district: str

    def as_json(self) -> dict:
        """The API's item: {"name", "kind", "lon", "lat", "district"}."""
        return asdict(self)


@dataclass(frozen=True)
class NearestPlace:
    """The nearest named place to a point, and how far it is (great-circle metres)."""

    place: Suggestion
    distance_m: float


@dataclass(frozen=True)
class ImportResult:
    """What an import did: places added, places updated, and the refused rows."""

    added: int
    updated: int
    problems: list[Problem]


def _place_values(row: PlaceRow, now: datetime, source: str, synthetic: bool) -> dict:
    cell_x, cell_y = grid.cell_of(row.lon, row.lat)
    return {
        "name": row.name,
        "aliases": "|".join(row.aliases),
        "kind": row.kind,
        "lon": row.lon,
        "lat": row.lat,
        "cell_x": cell_x,
        "cell_y": cell_y,
        "district": row.district,
        "weight": row.weight,
        "source": source,
        "synthetic": synthetic,
        "created_at": now,
    }


def _key_rows(place_id: int, row: PlaceRow) -> list[dict]:
    return [
        {"match": int(match), "key": key, "place_id": place_id}
        for key, match in keys.place_keys(row.name, row.aliases)
    ]


def add_many(
    session: Session,
    rows: Sequence[PlaceRow],
    *,
    now: datetime,
    source: str = "import",
    synthetic: bool = False,
) -> list[int]:
    """Insert places and their keys (no look-up of existing ones); inside the caller's
    transaction. Returns the new ids, in the rows' order."""
    ids: list[int] = []
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        values = [_place_values(r, now, source, synthetic) for r in batch]
        new_ids = list(
            session.execute(
                insert(Place).returning(Place.id, sort_by_parameter_order=True), values
            ).scalars()
        )
        key_rows = [
            k for place_id, r in zip(new_ids, batch, strict=True) for k in _key_rows(place_id, r)
        ]
        if key_rows:
            session.execute(insert(PlaceKey), key_rows)
        ids += new_ids
    return ids


def import_file(
    session: Session, data: bytes, filename: str, *, now: datetime, synthetic: bool = False
) -> ImportResult:
    """Import a CSV or GeoJSON file: all good rows or none.

    A place of the same name and district is updated (kind, aliases, point, popularity),
    so that importing a file twice adds nothing. Any bad row refuses the whole file, with
    every problem by line; a file that is not CSV or GeoJSON raises ImportFailed.
    """
    rows, problems = importing.read(data, filename)
    if problems:
        return ImportResult(0, 0, problems)
    return upsert(session, rows, now=now, source="import", synthetic=synthetic)


def upsert(
    session: Session, rows: Sequence[PlaceRow], *, now: datetime, source: str, synthetic: bool
) -> ImportResult:
    """Add the rows, or update the place of the same name and district; one transaction."""
    latest: dict[tuple[str, str], PlaceRow] = {}
    for row in rows:  # the last row of a name and district wins
        latest[(row.name, row.district)] = row
    added = updated = 0
    with write_transaction(session):
        items = list(latest.items())
        for start in range(0, len(items), BATCH):
            batch = dict(items[start : start + BATCH])
            names = list({name for name, _district in batch})
            found = session.execute(
                select(Place.name, Place.district, Place.id).where(Place.name.in_(names))
            ).all()
            existing = {(n, d): i for n, d, i in found if (n, d) in batch}
            new_rows = [r for k, r in batch.items() if k not in existing]
            add_many(session, new_rows, now=now, source=source, synthetic=synthetic)
            added += len(new_rows)
            for k, place_id in existing.items():
                row = batch[k]
                values = _place_values(row, now, source, synthetic)
                del values["created_at"], values["source"]
                session.execute(Place.__table__.update().where(Place.id == place_id), values)
                session.execute(delete(PlaceKey).where(PlaceKey.place_id == place_id))
                session.execute(insert(PlaceKey), _key_rows(place_id, row))
                updated += 1
    return ImportResult(added, updated, [])


def add_place(session: Session, row: PlaceRow, *, now: datetime, source: str) -> int:
    """One place with its keys, inside the caller's transaction; its id."""
    return add_many(session, [row], now=now, source=source)[0]


def _suggestion(row) -> Suggestion:
    return Suggestion(row.name, row.kind, row.lon, row.lat, row.district)


def suggest(session: Session, query: str, *, k: int = 5) -> list[Suggestion]:
    """The best k places for what is typed so far, best first (see core/places/keys.py)."""
    normalized = keys.normalize(query[: keys.MAX_QUERY * 2])
    if not normalized or k <= 0:
        return []
    high = keys.upper_bound(normalized)
    connection = session.connection()
    found: list[tuple[int, str, keys.MatchKind]] = []
    for match in keys.query_kinds(normalized):
        params = {"match": int(match), "low": normalized, "high": high}
        found += [(pid, key, match) for pid, key in connection.execute(_KEYS, params)]
        # Places of a later kind always rank below these: k of them are enough.
        if len({pid for pid, _key, _match in found}) >= k:
            break
    best = keys.best_matches(found, normalized)
    if not best:
        return []
    rows = connection.execute(_BY_ID, {"ids": list(best)}).all()
    hits = {r.id: keys.Hit(r.id, r.name, r.kind, r.weight, *best[r.id]) for r in rows}
    ranked = sorted(hits.values(), key=keys.rank_key)[:k]
    by_id = {r.id: r for r in rows}
    return [_suggestion(by_id[h.place_id]) for h in ranked]


def nearest(
    session: Session, lon: float, lat: float, *, radius_m: float = NEAREST_RADIUS_M
) -> NearestPlace | None:
    """The nearest named place within `radius_m` great-circle metres, or None (ties: the
    lower id)."""
    connection = session.connection()
    # The rings that can hold a place within the radius: the search never goes further
    # (near a pole a cell is narrow and the lower bound below stays 0 however far it goes).
    last = grid.rings_for(radius_m, lat)
    r = 1
    while True:
        x0, x1, y0, y1 = grid.square(lon, lat, r)
        rows = connection.execute(_IN_SQUARE, {"x0": x0, "x1": x1, "y0": y0, "y1": y1}).all()
        best = min(
            ((haversine_m(lon, lat, row.lon, row.lat), row.id, row) for row in rows),
            default=None,
            key=lambda t: t[:2],
        )
        way_out = grid.way_out_m(lon, lat, r)
        if best is not None and best[0] <= way_out:
            break
        if way_out >= radius_m or r >= last:
            break
        wanted = best[0] if best is not None else 2 * way_out
        r = min(last, max(r + 1, grid.rings_for(min(wanted, radius_m), lat)))
    if best is None or best[0] > radius_m:
        return None
    return NearestPlace(_suggestion(best[2]), best[0])


def counts(session: Session) -> dict[str, int]:
    """Places by source, for the admin page."""
    return dict(session.execute(select(Place.source, func.count()).group_by(Place.source)).all())


def rows_from(places: Iterable[dict]) -> list[PlaceRow]:
    """PlaceRows from plain dicts (the demo's and the bench's places), checked."""
    checked = []
    for line, raw in enumerate(places, start=1):
        row, problems = importing.check_row(line, raw)
        if problems:
            raise ValueError(f"bad place {raw!r}: {problems}")
        checked.append(row)
    return checked
