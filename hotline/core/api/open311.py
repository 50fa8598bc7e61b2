"""Open311 GeoReport v2: turning a POST into an intake request and a GET's filters into a
query, with the standard's errors; what a published request may show."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hotline.core import days, phone
from hotline.core.orders.intake import MAX_DESCRIPTION, Channel, IntakeRequest, OrderType
from hotline.core.text import clean_text

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
_URL = re.compile(r"^https?://[^\s]{1,990}$")
_CJK = re.compile(r"[\u3400-\u9fff]")
MAX_FIELD = 200


@dataclass(frozen=True)
class AttributeSpec:
    """One extra question of a service."""

    code: str
    datatype: str
    required: bool
    values: tuple[str, ...] = ()


class Open311Error(Exception):
    """A 400 error in the standard's form: a list of (code, description)."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(d for _, d in errors))
        self.errors = errors


def _number(raw: str, name: str, errors: list) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        errors.append(("400", f"{name} must be a number in decimal degrees"))
        return None
    if not math.isfinite(value):
        errors.append(("400", f"{name} must be a finite number"))
        return None
    return value


def _check_attribute(spec: AttributeSpec, value: str, errors: list) -> None:
    if spec.datatype == "number":
        try:
            if not math.isfinite(float(value)):
                raise ValueError
        except ValueError:
            errors.append(("400", f"attribute[{spec.code}] must be a number"))
    elif spec.datatype == "datetime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            errors.append(("400", f"attribute[{spec.code}] must be an ISO 8601 date-time"))
    elif spec.datatype == "singlevaluelist" and value not in spec.values:
        errors.append(("400", f"attribute[{spec.code}] must be one of {', '.join(spec.values)}"))


def _location(text: dict[str, str], errors: list) -> tuple[float | None, float | None]:
    """lat and long, both or neither, as numbers in WGS84's range; else a location error."""
    lat = lon = None
    if text.get("lat") or text.get("long"):
        if not (text.get("lat") and text.get("long")):
            errors.append(("400", "lat and long must be sent together"))
        else:
            lat = _number(text["lat"], "lat", errors)
            lon = _number(text["long"], "long", errors)
            if (
                lat is not None
                and lon is not None
                and not (-90 <= lat <= 90 and -180 <= lon <= 180)
            ):
                errors.append(("400", "lat/long are outside the valid range of WGS84"))
    if lat is None and lon is None and not text.get("address_string") and not errors:
        if text.get("address_id"):
            errors.append(
                ("400", "address_id is not supported here; send lat+long or address_string")
            )
        else:
            errors.append(("400", "a location is required: lat+long or address_string"))
    return lat, lon


def _contact(text: dict[str, str], errors: list) -> tuple[str | None, str, str]:
    """The description's, phone's, email's, media URL's and free fields' errors; returns the
    normalised phone, the email and the media URL."""
    description = text.get("description", "")
    if not description:
        errors.append(("400", "description is required"))
    elif len(description) > MAX_DESCRIPTION:
        errors.append(("400", f"description is longer than {MAX_DESCRIPTION} characters"))
    caller_phone = None
    if text.get("phone"):
        caller_phone = phone.normalise(text["phone"])
        if caller_phone is None:
            errors.append(("400", "phone is not a valid Chinese mobile or landline number"))
    email = text.get("email", "")
    if email and not _EMAIL.match(email):
        errors.append(("400", "email is not a valid address"))
    media_url = text.get("media_url", "")
    if media_url and not _URL.match(media_url):
        errors.append(("400", "media_url must be an http(s) URL of at most 1000 characters"))
    for key in ("first_name", "last_name", "address_string", "device_id", "account_id"):
        if len(text.get(key, "")) > MAX_FIELD:
            errors.append(("400", f"{key} is longer than {MAX_FIELD} characters"))
    return caller_phone, email, media_url


def _answers(
    text: dict[str, str], service_code: str, attributes: list[AttributeSpec], errors: list
) -> tuple[tuple[str, str], ...]:
    """The answers to the service's extra questions (attribute[code]), checked."""
    given = {k[10:-1]: v for k, v in text.items() if k.startswith("attribute[") and k.endswith("]")}
    known = {spec.code: spec for spec in attributes}
    for code in given:
        if code not in known:
            errors.append(
                ("400", f"attribute[{code}] is not an attribute of service {service_code}")
            )
    for spec in attributes:
        value = given.get(spec.code, "")
        if not value:
            if spec.required:
                errors.append(("400", f"attribute[{spec.code}] is required"))
            continue
        if len(value) > MAX_FIELD:
            errors.append(("400", f"attribute[{spec.code}] is too long"))
            continue
        _check_attribute(spec, value, errors)
    return tuple(sorted((k, v) for k, v in given.items() if k in known))


def parse_post(
    form: dict[str, str], service_code: str, attributes: list[AttributeSpec], client: str
) -> IntakeRequest:
    """Validate a POST requests form (already decoded) and build the intake request."""
    errors: list[tuple[str, str]] = []
    text = {k: clean_text(v).strip() for k, v in form.items()}
    lat, lon = _location(text, errors)
    caller_phone, email, media_url = _contact(text, errors)
    answers = _answers(text, service_code, attributes, errors)
    if errors:
        raise Open311Error(errors)
    first, last = text.get("first_name", ""), text.get("last_name", "")
    # Chinese names put the family name first and need no space.
    name = last + first if _CJK.search(first + last) else " ".join(p for p in (first, last) if p)
    return IntakeRequest(
        channel=Channel.API,
        order_type=OrderType.COMPLAINT,
        category_code=service_code,
        description=text.get("description", ""),
        caller_phone=caller_phone,
        caller_name=name[:50],
        lon=lon,
        lat=lat,
        address=text.get("address_string", ""),
        caller_email=email,
        media_url=media_url,
        attributes=answers,
        source=client,
        # GeoReport is a public register: who posts to it asks for the request to be seen.
        publication_consent=True,
    )


# GET requests: what one answer may hold and how far back it may reach.
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
WINDOW = timedelta(days=90)
# Three decimals of a degree: 111 m of latitude, about 85 m of longitude in Beijing; enough to
# see where things happen, not which house called.
COORDINATE_DECIMALS = 3


@dataclass(frozen=True)
class ListQuery:
    """A GET requests' filters, checked: either ids, or a window of at most 90 days."""

    ids: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None  # None: up to now
    service_codes: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()  # "open" and/or "closed"; empty: both
    page_size: int = DEFAULT_PAGE_SIZE
    after: str | None = None  # the last service_request_id of the previous page


def _when(raw: str, name: str, errors: list) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        errors.append(
            ("400", f"{name} must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00+08:00")
        )
        return None
    if not days.in_range(value):
        first, last = days.FIRST_DAY.year, days.LAST_DAY.year
        errors.append(("400", f"{name} must lie between the years {first} and {last}"))
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value


def window(
    start: datetime | None, end: datetime | None, now: datetime, errors: list
) -> tuple[datetime, datetime | None]:
    """The created-at window: at most 90 days whichever bound is given; the last 90 days by
    default. A missing bound is the other one 90 days away."""
    if start is not None and end is not None:
        if end < start:
            errors.append(("400", "end_date must not be before start_date"))
        elif end - start > WINDOW:
            errors.append(("400", "start_date and end_date may not span more than 90 days"))
        return start, end
    if start is not None:
        return start, start + WINDOW
    if end is not None:
        return end - WINDOW, end
    return now - WINDOW, None


def _positive(args: Mapping[str, str], name: str, default: int, errors: list) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 7 or int(raw) < 1:
        errors.append(("400", f"{name} must be a positive whole number"))
        return default
    return int(raw)


def _listed(args: Mapping[str, str], name: str) -> list[str]:
    return [item.strip() for item in (args.get(name) or "").split(",") if item.strip()]


def parse_list(args: Mapping[str, str], now: datetime) -> ListQuery:
    """A GET requests' query string checked into a ListQuery, or Open311Error with each
    problem."""
    errors: list[tuple[str, str]] = []
    if _positive(args, "page", 1, errors) != 1:
        # Pages by offset let a scraper walk the whole register; pages follow each other.
        errors.append(
            (
                "400",
                "page is not supported: ask for the next page with after=<the last "
                "service_request_id of this page>",
            )
        )
    ids = _listed(args, "service_request_id")
    if ids:
        # The standard: ids override every other filter; all of them come back at once.
        if len(ids) > MAX_PAGE_SIZE:
            errors.append(("400", f"at most {MAX_PAGE_SIZE} service_request_id values"))
        if errors:
            raise Open311Error(errors)
        return ListQuery(ids=tuple(ids), page_size=len(ids))
    given_start = (
        _when(args["start_date"], "start_date", errors) if args.get("start_date") else None
    )
    given_end = _when(args["end_date"], "end_date", errors) if args.get("end_date") else None
    start, end = window(given_start, given_end, now, errors)
    statuses = frozenset(_listed(args, "status"))
    if statuses - {"open", "closed"}:
        errors.append(("400", "status must be open, closed or both"))
    page_size = _positive(args, "page_size", DEFAULT_PAGE_SIZE, errors)
    if page_size > MAX_PAGE_SIZE:
        errors.append(("400", f"page_size may not exceed {MAX_PAGE_SIZE}"))
    after = (args.get("after") or "").strip()[:20] or None
    if errors:
        raise Open311Error(errors)
    return ListQuery(
        start=start,
        end=end,
        service_codes=tuple(_listed(args, "service_code")),
        statuses=statuses if statuses != {"open", "closed"} else frozenset(),
        page_size=page_size,
        after=after,
    )


def public_point(lat: float | None, lon: float | None) -> tuple[float | None, float | None]:
    """A location as published: rounded to about 100 m."""
    if lat is None or lon is None:
        return None, None
    return round(lat, COORDINATE_DECIMALS), round(lon, COORDINATE_DECIMALS)
