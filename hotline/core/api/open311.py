"""Open311 GeoReport v2: turning a POST into an intake request, with the standard's errors."""

import math
import re
from dataclasses import dataclass
from datetime import datetime

from hotline.core import phone
from hotline.core.orders.intake import MAX_DESCRIPTION, Channel, IntakeRequest, OrderType

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
    text = {k: v.strip() for k, v in form.items()}
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
    )
