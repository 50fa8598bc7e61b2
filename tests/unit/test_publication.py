"""Pure rules of what Open311 publishes and how text and addresses are taken in."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.api.open311 import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    WINDOW,
    ListQuery,
    Open311Error,
    parse_list,
    parse_post,
    public_point,
)
from hotline.core.orders.intake import IntakeValidationError, parse_intake
from hotline.core.text import clean_text
from hotline.services.ratelimit import address_key

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_clean_text_drops_control_characters_and_keeps_lines_and_tabs():
    assert clean_text("a\x00b\x01c\x08d\x0be\x0cf\x1bg\x1fh") == "abcdefgh"
    assert clean_text("one\r\ntwo\rthree\nfour\tfive") == "one\ntwo\nthree\nfour\tfive"
    assert clean_text("\ufffe噪音\uffff") == "噪音"
    assert clean_text("普通文字 100% ok") == "普通文字 100% ok"


def test_the_intake_form_is_cleaned_and_publication_is_off_unless_ticked():
    form = {
        "channel": "phone",
        "order_type": "complaint",
        "category_code": "0401",
        "caller_phone": "13800138000",
        "description": "噪音\x01扰民\x1b",
        "address": "东长安街\x0010号",
    }
    request = parse_intake(form)
    assert request.description == "噪音扰民" and request.address == "东长安街10号"
    assert request.publication_consent is False and request.public_summary == ""
    agreed = parse_intake({**form, "publication_consent": "on", "public_summary": "施工\x02噪音"})
    assert agreed.publication_consent is True and agreed.public_summary == "施工噪音"


def test_a_confidential_tip_off_is_never_published_whatever_was_ticked():
    form = {
        "channel": "phone",
        "order_type": "tip_off",
        "category_code": "0401",
        "caller_phone": "13800138000",
        "description": "举报",
        "confidential": "on",
        "publication_consent": "on",
    }
    assert parse_intake(form).publication_consent is False


def test_a_public_summary_has_a_length_limit():
    form = {"channel": "web", "order_type": "complaint", "category_code": "0401"}
    with pytest.raises(IntakeValidationError) as refused:
        parse_intake({**form, "description": "x", "public_summary": "长" * 501})
    assert refused.value.errors == {"public_summary": "too_long"}


def test_an_open311_post_is_cleaned_and_asks_to_be_published():
    form = {
        "description": "噪音\x01",
        "lat": "39.9087\x00",
        "long": "116.3975",
        "media_url": "http://example.cn/a\x01.jpg",
        "first_name": "\x0b明",
        "last_name": "李",
    }
    request = parse_post(form, "0401", [], "app")
    assert request.description == "噪音" and request.lat == 39.9087
    assert request.media_url == "http://example.cn/a.jpg" and request.caller_name == "李明"
    assert request.publication_consent is True


def test_no_dates_is_the_last_ninety_days():
    assert parse_list({}, NOW) == ListQuery(start=NOW - WINDOW, end=None)
    assert DEFAULT_PAGE_SIZE == 50


def test_either_date_alone_is_bounded_by_ninety_days():
    start = parse_list({"start_date": "2020-01-01T00:00:00Z"}, NOW)
    assert (start.start, start.end) == (
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=90),
    )
    end = parse_list({"end_date": "2026-11-01T00:00:00+08:00"}, NOW)
    assert end.end - end.start == WINDOW


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-05-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2020-02-01T00:00:00Z", "end_date": "2020-01-01T00:00:00Z"}, "before"),
        ({"start_date": "yesterday"}, "ISO 8601"),
        ({"page": "2"}, "after="),
        ({"page_size": "0"}, "positive"),
        ({"page_size": str(MAX_PAGE_SIZE + 1)}, "may not exceed"),
        ({"status": "pending"}, "open, closed"),
        ({"service_request_id": ",".join(str(i) for i in range(MAX_PAGE_SIZE + 1))}, "at most"),
    ],
)
def test_bad_list_queries_say_why(args, expected):
    with pytest.raises(Open311Error) as refused:
        parse_list(args, NOW)
    assert any(expected in description for _, description in refused.value.errors)


def test_ids_override_the_window_and_come_back_together():
    query = parse_list({"service_request_id": "a, b,c", "start_date": "2020-01-01"}, NOW)
    assert query.ids == ("a", "b", "c") and query.page_size == 3 and query.start is None


def test_the_cursor_and_page_size_are_read():
    query = parse_list({"after": " 20261120-000007 ", "page_size": "10", "page": "1"}, NOW)
    assert (query.after, query.page_size) == ("20261120-000007", 10)


def test_a_published_point_is_rounded_to_about_a_hundred_metres():
    assert public_point(39.908712, 116.397534) == (39.909, 116.398)
    assert public_point(None, None) == (None, None)


@pytest.mark.parametrize(
    "address, key",
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("", "unknown"),
        (None, "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_rate_limits_count_ipv4_as_is_and_ipv6_by_its_64(address, key):
    assert address_key(address) == key
