from hypothesis import given
from hypothesis import strategies as st

from hotline.core.orders.intake import (
    MAX_DESCRIPTION,
    IntakeValidationError,
    OrderType,
    parse_intake,
)

VALID = {
    "caller_phone": "13800138000",
    "channel": "phone",
    "order_type": "complaint",
    "category_code": "0401",
    "description": "噪音",
    "lon": "116.3975",
    "lat": "39.9087",
}


def errors_of(**changes) -> dict:
    try:
        parse_intake({**VALID, **changes})
    except IntakeValidationError as exc:
        return exc.errors
    return {}


def test_a_valid_call_parses():
    request = parse_intake(VALID)
    assert request.order_type is OrderType.COMPLAINT
    assert (request.lon, request.lat) == (116.3975, 39.9087)


def test_each_bad_field_gets_its_own_message():
    assert errors_of(caller_phone="12") == {"caller_phone": "invalid_phone"}
    assert errors_of(caller_phone="") == {"caller_phone": "required"}
    assert errors_of(caller_phone="", channel="letter") == {}
    assert errors_of(description="x" * (MAX_DESCRIPTION + 1)) == {"description": "too_long"}
    assert errors_of(description="x" * MAX_DESCRIPTION) == {}
    assert errors_of(lon="nan") == {"location": "invalid_coordinates"}
    assert errors_of(lat="91") == {"location": "invalid_coordinates"}
    assert errors_of(order_type="spam") == {"order_type": "invalid_choice"}
    assert errors_of(confidential="on") == {"confidential": "only_for_reports"}
    assert errors_of(confidential="on", order_type="tip_off") == {}
    assert errors_of(close_at_intake="on") == {"close_at_intake": "only_for_inquiries"}
    assert errors_of(close_at_intake="on", order_type="inquiry") == {"intake_answer": "required"}


@given(
    st.dictionaries(st.sampled_from(sorted(VALID) + ["confidential", "close_at_intake"]), st.text())
)
def test_any_input_either_parses_or_names_its_errors(data):
    try:
        parse_intake(data)
    except IntakeValidationError as exc:
        assert exc.errors
