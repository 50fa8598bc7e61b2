"""What a new call must contain, checked the same way for every channel."""

import math
from dataclasses import dataclass
from enum import StrEnum

from hotline.core import phone
from hotline.core.geo import valid_coordinates
from hotline.core.text import clean_text

MAX_DESCRIPTION = 4000
MAX_NAME = 50
MAX_ADDRESS = 200
MAX_ANSWER = 4000
MAX_PUBLIC_SUMMARY = 500


class Channel(StrEnum):
    """How the call reached the hotline."""

    PHONE = "phone"
    WEB = "web"
    LETTER = "letter"
    EMAIL = "email"
    SMS = "sms"
    APP = "app"
    API = "api"  # Open311 and other systems; the order's `source` names the client


class OrderType(StrEnum):
    """The kind of matter, which sets the default time limit."""

    INQUIRY = "inquiry"  # 咨询
    HELP = "help"  # 求助
    COMPLAINT = "complaint"  # 投诉
    TIP_OFF = "tip_off"  # 举报: the reporter's identity can be kept confidential
    SUGGESTION = "suggestion"  # 建议
    PRAISE = "praise"  # 表扬


# Channels on which we always know the caller's number.
CHANNELS_REQUIRING_PHONE = frozenset({Channel.PHONE, Channel.SMS})


@dataclass(frozen=True)
class IntakeRequest:
    """A validated call, ready for the intake service."""

    channel: Channel
    order_type: OrderType
    category_code: str
    description: str
    caller_phone: str | None = None
    caller_name: str = ""
    caller_address: str = ""
    lon: float | None = None
    lat: float | None = None
    district_code: str | None = None
    address: str = ""
    street_code: str | None = None  # the 街乡镇 the operator confirmed (official code)
    confidential: bool = False
    survey_consent: bool = False  # a confidential reporter agreed to a survey
    priority: str = "normal"  # or "urgent" (紧急)
    close_at_intake: bool = False
    intake_answer: str = ""
    caller_email: str = ""
    media_url: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    source: str = ""
    # The caller agreed that the order be published (Open311 GET); off unless asked.
    publication_consent: bool = False
    public_summary: str = ""  # what is published instead of the description


class IntakeValidationError(Exception):
    """Field name -> error code for every field that is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    return clean_text(value).strip() if isinstance(value, str) else ""


def _flag(data: dict, key: str) -> bool:
    return _text(data, key).lower() in {"1", "true", "on", "yes", "y"}


def _coordinate(raw: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_intake(data: dict) -> IntakeRequest:
    """Check a mapping of form fields and return an IntakeRequest, or raise with every error."""
    errors: dict[str, str] = {}
    try:
        channel = Channel(_text(data, "channel"))
    except ValueError:
        errors["channel"] = "invalid_choice"
        channel = Channel.PHONE
    try:
        order_type = OrderType(_text(data, "order_type"))
    except ValueError:
        errors["order_type"] = "invalid_choice"
        order_type = OrderType.COMPLAINT

    raw_phone = _text(data, "caller_phone")
    caller_phone = None
    if raw_phone:
        caller_phone = phone.normalise(raw_phone)
        if caller_phone is None:
            errors["caller_phone"] = "invalid_phone"
    elif channel in CHANNELS_REQUIRING_PHONE:
        errors["caller_phone"] = "required"

    category_code = _text(data, "category_code")
    if not category_code:
        errors["category_code"] = "required"

    description = _text(data, "description")
    if not description:
        errors["description"] = "required"
    elif len(description) > MAX_DESCRIPTION:
        errors["description"] = "too_long"

    for key, limit in (
        ("caller_name", MAX_NAME),
        ("caller_address", MAX_ADDRESS),
        ("address", MAX_ADDRESS),
        ("public_summary", MAX_PUBLIC_SUMMARY),
    ):
        if len(_text(data, key)) > limit:
            errors[key] = "too_long"

    lon = lat = None
    raw_lon, raw_lat = _text(data, "lon"), _text(data, "lat")
    if raw_lon or raw_lat:
        lon, lat = _coordinate(raw_lon), _coordinate(raw_lat)
        if lon is None or lat is None or not valid_coordinates(lon, lat):
            errors["location"] = "invalid_coordinates"
            lon = lat = None
    district_code = _text(data, "district_code") or None
    street_code = _text(data, "street_code") or None
    if street_code is not None and not (street_code.isascii() and street_code.isdigit()):
        errors["street_code"] = "invalid_choice"
        street_code = None

    confidential = _flag(data, "confidential")
    if confidential and order_type is not OrderType.TIP_OFF:
        errors["confidential"] = "only_for_reports"

    close_at_intake = _flag(data, "close_at_intake")
    intake_answer = _text(data, "intake_answer")
    if close_at_intake:
        if order_type is not OrderType.INQUIRY:
            errors["close_at_intake"] = "only_for_inquiries"
        elif not intake_answer:
            errors["intake_answer"] = "required"
        elif len(intake_answer) > MAX_ANSWER:
            errors["intake_answer"] = "too_long"

    if errors:
        raise IntakeValidationError(errors)
    return IntakeRequest(
        channel=channel,
        order_type=order_type,
        category_code=category_code,
        description=description,
        caller_phone=caller_phone,
        caller_name=_text(data, "caller_name"),
        caller_address=_text(data, "caller_address"),
        lon=lon,
        lat=lat,
        district_code=district_code,
        address=_text(data, "address"),
        street_code=street_code,
        confidential=confidential,
        survey_consent=confidential and _flag(data, "survey_consent"),
        priority="urgent" if _flag(data, "urgent") else "normal",
        close_at_intake=close_at_intake,
        intake_answer=intake_answer if close_at_intake else "",
        # A confidential report is never published, whatever was ticked.
        publication_consent=_flag(data, "publication_consent") and not confidential,
        public_summary=_text(data, "public_summary"),
    )
