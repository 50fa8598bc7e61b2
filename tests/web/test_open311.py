"""Open311 GeoReport v2: the standard's documents, errors, privacy, limits and idempotency."""

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree as ET

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft7Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from sqlalchemy import func, select

from hotline.models import WorkOrder
from hotline.plugins import db
from hotline.services.accounts import credentials
from tests import factories

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "open311"
_registry = (
    Registry().with_resources(
        (
            p.name,
            Resource.from_contents(json.loads(p.read_text("utf-8")), default_specification=DRAFT7),
        )
        for p in SCHEMAS.glob("*.json")
        if p.name != "swagger.json"
    )
    if SCHEMAS.exists()
    else Registry()
)


def validate(document, schema_name: str) -> None:
    """Validate against tests/data/open311/<schema_name> (the standard's own JSON Schemas)."""
    assert SCHEMAS.exists(), "tests/data/open311 is missing"
    schema = json.loads((SCHEMAS / schema_name).read_text("utf-8"))
    Draft7Validator(schema, registry=_registry, format_checker=FormatChecker()).validate(document)


@pytest.fixture
def api_key(app):
    with app.app_context():
        return credentials.create_client(db.session, name="test-app", now=factories.NOW)[1]


ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
    },
}


def schema_for(path: str, status: int) -> str | dict | None:
    """Which document a /open311/v2 JSON response must be."""
    if status >= 400:
        return ERRORS_SCHEMA
    name = path.split("/open311/v2/", 1)[1].split("?")[0]
    if name == "services.json":
        return "services.json"
    if name.startswith("services/"):
        return "service-definition.json"
    if name.startswith("requests") and status == 200:
        return "requests.json"
    return None  # discovery, tokens and POST answers have no schema in the standard's set


class ValidatingClient(FlaskClient):
    """Validates every Open311 JSON response against the standard's schemas."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
        method = kwargs.get("method", "GET")
        if "/open311/v2/" in path and ".json" in path:
            status = response.status_code
            # A POST's answer is not a full request document: only its errors are checked.
            schema = schema_for(path, status) if method == "GET" or status >= 400 else None
            if isinstance(schema, dict):
                Draft7Validator(schema).validate(response.get_json())
            elif schema:
                validate(response.get_json(), schema)
        return response


@pytest.fixture
def client(app):
    app.test_client_class = ValidatingClient
    return app.test_client()


def post(client, api_key, fmt="json", headers=None, **fields):
    data = {
        "api_key": api_key,
        "service_code": "0401",
        "lat": "39.9087",
        "long": "116.3975",
        "description": "工地夜间施工噪音扰民",
        "first_name": "明",
        "last_name": "李",
        "phone": "13912345678",
        "email": "li.ming@example.cn",
        **fields,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"/open311/v2/requests.{fmt}", data=data, headers=headers or {})


def count_orders(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(WorkOrder.id)))


def test_discovery_and_services(client):
    discovery = client.get("/open311/v2/discovery.json").get_json()
    assert discovery["endpoints"][0]["formats"] == ["application/json", "text/xml"]
    services = client.get("/open311/v2/services.json").get_json()
    validate(services, "services.json")
    codes = {s["service_code"]: s for s in services}
    assert codes["0401"]["group"] == "生态环境" and codes["0401"]["metadata"] is False
    assert codes["0301"]["metadata"] is True and "9901" not in codes
    definition = client.get("/open311/v2/services/0301.json").get_json()
    validate(definition, "service-definition.json")
    assert definition["attributes"][0]["code"] == "room_temperature"
    xml = ET.fromstring(client.get("/open311/v2/services.xml").data)
    assert xml.tag == "services"
    assert len(xml.findall("service")) == len(services)
    assert xml.find("service/service_code").text == services[0]["service_code"]


def test_post_creates_a_routed_order_and_reads_back(app, client, api_key):
    response = post(client, api_key)
    assert response.status_code == 201
    created = response.get_json()[0]
    number = created["service_request_id"]
    assert "东城区城市管理委员会" in created["service_notice"]
    detail = client.get(f"/open311/v2/requests/{number}.json").get_json()
    validate(detail, "requests.json")
    request = detail[0]
    assert request["status"] == "open" and request["service_code"] == "0401"
    assert request["agency_responsible"] == "东城区城市管理委员会"
    assert request["requested_datetime"].endswith("+08:00")
    assert request["expected_datetime"].endswith("+08:00")
    # Published (it came in through Open311), but as little as the public needs: no
    # description, the district for an address, the point to about 100 m.
    assert request["description"] is None and request["address"] == "东城区"
    assert (request["lat"], request["long"]) == (39.909, 116.397)
    body = json.dumps(detail, ensure_ascii=False)
    for private in ("13912345678", "li.ming@example.cn", "李明", "工地夜间施工噪音扰民"):
        assert private not in body
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{number}.xml").data)
    assert xml.find("request/service_request_id").text == number
    assert xml.find("request/agency_responsible").text == "东城区城市管理委员会"
    token = client.get(f"/open311/v2/tokens/{number}.json").get_json()[0]
    assert token["service_request_id"] == number
    with app.app_context():
        order = db.session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        assert (order.channel, order.source, order.caller_name) == ("api", "test-app", "李明")
        assert order.caller_email == "li.ming@example.cn"


def published(**overrides):
    """An order taken at the intake form whose caller agreed to publication."""
    return factories.order(publication_consent="on", **overrides)


def test_closed_requests_show_the_public_summary_never_the_reply(app, client, make, login):
    from hotline.core.accounts.roles import Role
    from hotline.core.orders.workflow import Action
    from hotline.models import User

    order = make(published, address="东长安街1号", public_summary="长安街夜间施工噪音")
    staff = make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会")
    desk = make(factories.user, Role.DESK)
    make(lambda: factories.act(db.session.get(User, staff.id), order.number, Action.ACCEPT))
    department = login(staff)
    page = department.get(f"/orders/{order.number}").get_data(as_text=True)
    assert 'name="public_summary"' in page and "长安街夜间施工噪音" in page  # to be edited
    reply = "已约谈施工方负责人张三（13700001111），责令停工"
    response = department.post(
        f"/orders/{order.number}/reply",
        {"note": reply, "public_summary": "已责令\x01停工"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    make(lambda: factories.act(db.session.get(User, desk.id), order.number, Action.APPROVE))
    listing = client.get("/open311/v2/requests.json")
    assert listing.status_code == 200
    request = client.get(f"/open311/v2/requests/{order.number}.json").get_json()[0]
    assert request["status"] == "closed" and request["description"] == "已责令停工"
    assert request["status_notes"] is None and request["address"] == "东城区"
    body = client.get(f"/open311/v2/requests/{order.number}.xml").get_data(as_text=True)
    ET.fromstring(body)
    for private in (reply, "张三", "夜间施工噪音扰民", "东长安街1号", "116.3975", "39.9087"):
        assert private not in body


def test_orders_taken_without_consent_are_not_published(app, client, make, login):
    """Before: every non-confidential order ever taken was listed, description and all."""
    from hotline.core.accounts.roles import Role

    quiet = make(factories.order)
    agreed = make(published)
    ids = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").get_json()}
    assert ids == {agreed.number}
    assert client.get(f"/open311/v2/requests/{quiet.number}.json").status_code == 404
    assert client.get(f"/open311/v2/tokens/{quiet.number}.json").status_code == 404
    by_id = client.get(f"/open311/v2/requests.json?service_request_id={quiet.number}")
    assert by_id.get_json() == []
    # The intake form asks, unticked; what the operator ticks and writes is stored.
    operator = login(make(factories.user, Role.OPERATOR))
    form = operator.get("/intake").get_data(as_text=True)
    box = re.search(r'<input type="checkbox" name="publication_consent"[^>]*>', form).group(0)
    assert "checked" not in box and 'name="public_summary"' in form
    operator.post("/intake", factories.call_form(publication_consent="on", public_summary="噪音"))
    operator.post("/intake", factories.call_form())
    with app.app_context():
        rows = db.session.execute(
            select(WorkOrder.publication_consent, WorkOrder.public_summary).order_by(WorkOrder.id)
        ).all()
    assert [tuple(r) for r in rows[-2:]] == [(True, "噪音"), (False, "")]


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"service_code": "9999"}, "not a service"),
        ({"lat": None, "long": None}, "location is required"),
        ({"lat": "39.13", "long": "117.2"}, "outside every jurisdiction"),
        ({"description": "x" * 4001}, "longer than 4000"),
        ({"lat": "north"}, "must be a number"),
        ({"lat": "nan"}, "finite"),
        ({"phone": "12"}, "phone"),
        ({"email": "nope"}, "email"),
        ({"service_code": "0301"}, "attribute[room_temperature] is required"),
        ({"service_code": "0301", "attribute[room_temperature]": "cold"}, "must be a number"),
        ({"attribute[bogus]": "1"}, "not an attribute"),
    ],
)
def test_bad_requests_get_400_with_the_reason(app, client, api_key, fields, expected):
    response = post(client, api_key, **fields)
    assert response.status_code == 400
    errors = response.get_json()
    assert all(e["code"] == "400" for e in errors)
    assert any(expected in e["description"] for e in errors), errors
    assert count_orders(app) == 0


def test_an_address_string_alone_is_routed_by_the_district_it_names(app, client, api_key):
    """The address parser finds the district (issue 15); an address naming none goes to the
    desk by hand."""
    response = post(client, api_key, lat=None, long=None, address_string="朝阳区建国路88号")
    assert response.status_code == 201
    assert "朝阳区城市管理委员会" in response.get_json()[0]["service_notice"]
    vague = post(client, api_key, lat=None, long=None, address_string="建国路88号")
    assert "人工派单" in vague.get_json()[0]["service_notice"]


def test_invalid_utf8_is_a_400(app, client, api_key):
    body = urlencode({"api_key": api_key, "service_code": "0401", "lat": "39.9", "long": "116.4"})
    body += "&description=%FF%FE"
    response = client.post(
        "/open311/v2/requests.json",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.get_json()[0]["description"]


def test_api_key_is_required_and_checked(app, client, api_key):
    assert post(client, None).status_code == 403
    assert post(client, "wrong").status_code == 403
    xml = post(client, "wrong", fmt="xml")
    root = ET.fromstring(xml.data)
    assert xml.status_code == 403 and root.tag == "errors"
    assert root.find("error/code").text == "403"
    with app.app_context():
        from hotline.models import ApiClient

        client_id = db.session.scalar(select(ApiClient.id).where(ApiClient.name == "test-app"))
        credentials.revoke_client(db.session, client_id=client_id, now=factories.NOW)
    assert post(client, api_key).status_code == 403
    assert count_orders(app) == 0


def test_unknown_things_are_404(client):
    assert client.get("/open311/v2/requests/20990101-000001.json").status_code == 404
    assert client.get("/open311/v2/services/9999.json").get_json()[0]["code"] == "404"
    assert client.get("/open311/v2/services.yaml").status_code == 404


def test_confidential_reports_never_appear(app, client, make):
    secret = make(
        factories.order, order_type="tip_off", confidential="on", publication_consent="on"
    )
    public = make(published)
    listing = client.get("/open311/v2/requests.json").get_json()
    validate(listing, "requests.json")
    ids = {r["service_request_id"] for r in listing}
    assert public.number in ids and secret.number not in ids
    assert client.get(f"/open311/v2/requests/{secret.number}.json").status_code == 404
    assert client.get(f"/open311/v2/tokens/{secret.number}.json").status_code == 404


def test_list_filters_and_pages(app, client, api_key):
    numbers = [post(client, api_key).get_json()[0]["service_request_id"] for _ in range(3)]
    post(client, api_key, service_code="0501")
    assert len(client.get("/open311/v2/requests.json").get_json()) == 4
    by_id = client.get(f"/open311/v2/requests.json?service_request_id={numbers[0]},{numbers[2]}")
    assert {r["service_request_id"] for r in by_id.get_json()} == {numbers[0], numbers[2]}
    assert len(client.get("/open311/v2/requests.json?service_code=0501").get_json()) == 1
    assert len(client.get("/open311/v2/requests.json?status=closed").get_json()) == 0
    assert len(client.get("/open311/v2/requests.json?status=open").get_json()) == 4
    first = client.get("/open311/v2/requests.json?page_size=3")
    assert len(first.get_json()) == 3 and 'rel="next"' in first.headers["Link"]
    after = first.get_json()[-1]["service_request_id"]
    rest = client.get(f"/open311/v2/requests.json?page_size=3&after={after}")
    assert len(rest.get_json()) == 1 and "Link" not in rest.headers
    assert client.get("/open311/v2/requests.json?page=2").status_code == 400
    assert client.get("/open311/v2/requests.json?after=20990101-000001").status_code == 400
    old = client.get(
        "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z"
    )
    assert old.get_json() == []
    span = client.get(
        "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z"
    )
    assert span.status_code == 400
    assert client.get("/open311/v2/requests.json?page_size=0").status_code == 400
    assert client.get("/open311/v2/requests.json?status=pending").status_code == 400


def test_the_same_idempotency_key_creates_one_order(app, client, api_key):
    headers = {"Idempotency-Key": "abc-123"}
    first = post(client, api_key, headers=headers)
    second = post(client, api_key, headers=headers)
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()[0]["service_request_id"] == second.get_json()[0]["service_request_id"]
    assert count_orders(app) == 1
    assert post(client, api_key, headers={"Idempotency-Key": "other"}).status_code == 201


def test_rate_limits_answer_429(app, client, api_key):
    app.config["OPEN311_RATE_PER_KEY"] = 3
    statuses = [post(client, api_key).status_code for _ in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    response = post(client, api_key)
    assert "too many requests" in response.get_json()[0]["description"]
    assert response.headers["Retry-After"] == "60"
    assert count_orders(app) == 3


def test_an_open311_client_library_works_unchanged(live_server, app, api_key):
    """georeport (PyPI) lists services and reads requests back over real HTTP.

    georeport 0.3.1 has no method to POST (the other PyPI clients, `three` and `open311`,
    are Python 2 only), so the request is posted with `requests` exactly as the standard
    describes: form-encoded fields with the api_key.
    """
    import requests
    from georeport import GeoReport

    base = f"{live_server}/open311/v2"
    for fmt in ("json", "xml"):
        client = GeoReport(base, api_key=api_key, output_format=fmt)
        services = client.get_service_list()
        assert any(s["service_code"] == "0401" for s in services)
        definition = client.get_service_definition("0301")
        assert "room_temperature" in json.dumps(definition)
    posted = requests.post(
        f"{base}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "0505",
            "lat": "39.9929",
            "long": "116.3964",
            "description": "小区门口长期违章停车",
        },
        timeout=10,
    )
    assert posted.status_code == 201
    number = posted.json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        client = GeoReport(base, output_format=fmt)
        request = client.get_service_request(number)
        assert request["service_request_id"] == number
        assert request["agency_responsible"] == "朝阳区公安分局"
        listed = client.get_service_requests(service_code="0505")
        listed = listed if isinstance(listed, list) else [listed]
        assert [r["service_request_id"] for r in listed] == [number]


@pytest.fixture
def fuzz_app(tmp_path_factory):
    from tests.conftest import make_app

    folder = tmp_path_factory.mktemp("fuzz")
    app = make_app(f"sqlite:///{folder / 'fuzz.db'}", folder / "instance")
    with app.app_context():
        key = credentials.create_client(db.session, name="fuzz", now=factories.NOW)[1]
    app.config["OPEN311_RATE_PER_KEY"] = 10**6
    app.config["OPEN311_RATE_PER_IP"] = 10**6
    return app, key


def test_fuzzed_posts_never_fail_and_never_lose_count(fuzz_app):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    app, key = fuzz_app
    client = app.test_client()
    created = {"n": 0}
    field = st.one_of(
        st.text(max_size=60),
        st.text(alphabet="0123456789.-+eE", max_size=12),
        st.sampled_from(["", "0401", "0301", "39.9", "116.4", "nan", "inf", "1e309", "\x00"]),
        st.text(min_size=3990, max_size=4010, alphabet="噪音a"),
    )
    names = st.sampled_from(
        [
            "service_code",
            "lat",
            "long",
            "description",
            "phone",
            "email",
            "first_name",
            "last_name",
            "address_string",
            "address_id",
            "media_url",
            "attribute[room_temperature]",
            "attribute[x]",
            "api_key",
            "page",
        ]
    )

    valid = {"service_code": "0401", "lat": "39.9087", "long": "116.3975", "description": "噪音"}

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        fields=st.dictionaries(names, field, max_size=10),
        with_key=st.booleans(),
        from_valid=st.booleans(),
        raw=st.one_of(st.just(b""), st.binary(max_size=40)),
    )
    def run(fields, with_key, from_valid, raw):
        data = {**(valid if from_valid else {}), **fields}
        if with_key:
            data["api_key"] = key
        body = urlencode(data).encode() + (b"&description=" + raw if raw else b"")
        response = client.post(
            "/open311/v2/requests.json",
            data=body,
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code in {201, 400, 403, 429}, response.data[:300]
        if response.status_code == 201:
            created["n"] += 1

    run()
    assert created["n"] > 0  # the fuzzer did reach the success path
    assert count_orders(app) == created["n"]


def test_a_start_date_alone_reaches_ninety_days_not_to_this_day(app, client, make):
    """Before: start_date alone had no upper bound, so one query listed years of orders."""
    order = make(published)  # taken at factories.NOW, 2026-11-20

    def listed(query: str) -> list[str]:
        response = client.get(f"/open311/v2/requests.json?{query}")
        return [r["service_request_id"] for r in response.get_json()]

    assert listed("start_date=2026-11-01T00:00:00Z") == [order.number]
    assert listed("start_date=2026-01-01T00:00:00Z") == []
    assert listed("end_date=2026-12-01T00:00:00Z") == [order.number]
    assert listed("end_date=2027-03-01T00:00:00Z") == []


def test_pages_are_fifty_by_default_and_follow_each_other(app, client, make):
    """Before: one anonymous GET answered up to 1,000 rows, and pages were offsets."""
    with app.app_context():
        numbers = [published().number for _ in range(53)]  # all at the same instant
    first = client.get("/open311/v2/requests.json")
    assert len(first.get_json()) == 50
    link = re.fullmatch(r"<(http://[^>]+)>; rel=\"next\"", first.headers["Link"]).group(1)
    parts = urlsplit(link)
    assert dict(parse_qsl(parts.query)) == {"after": numbers[3]}
    second = client.get(f"{parts.path}?{parts.query}")
    seen = [r["service_request_id"] for r in first.get_json() + second.get_json()]
    assert "Link" not in second.headers and len(second.get_json()) == 3
    # Newest first; orders taken in the same instant are ordered by id, none twice or lost.
    assert seen == numbers[::-1]
    walked, after = [], ""
    while True:
        page = client.get(f"/open311/v2/requests.json?page_size=7{after}")
        walked += [r["service_request_id"] for r in page.get_json()]
        if "Link" not in page.headers:
            break
        after = f"&after={walked[-1]}"
    assert walked == seen


def test_anonymous_reads_are_rate_limited_per_address(app, client, make):
    app.config["OPEN311_READ_RATE_PER_IP"] = 3
    order = make(published)
    paths = [
        "/open311/v2/requests.json",
        f"/open311/v2/requests/{order.number}.json",
        "/open311/v2/services.json",
    ]
    assert [client.get(p).status_code for p in paths] == [200, 200, 200]
    refused = client.get("/open311/v2/requests.json")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "at most 3 a minute" in refused.get_json()[0]["description"]
    xml = client.get(f"/open311/v2/requests/{order.number}.xml")
    root = ET.fromstring(xml.data)
    assert xml.status_code == 429 and root.tag == "errors"
    assert root.find("error/code").text == "429"
    # Another address has its own budget; the same /64 of IPv6 is one address.
    other = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get(paths[0], environ_base=other).status_code == 200
    v6 = [{"REMOTE_ADDR": f"2001:db8:5:6::{n}"} for n in range(1, 6)]
    assert [client.get(paths[0], environ_base=e).status_code for e in v6] == [200] * 3 + [429] * 2
    assert client.get(paths[0], environ_base={"REMOTE_ADDR": "2001:db8:5:7::1"}).status_code == 200


def test_forwarded_addresses_count_only_behind_a_trusted_proxy(tmp_path):
    """Before: behind a proxy every client shared the proxy's address (and one limit)."""
    from tests.conftest import make_app

    for hops, expected in ((0, [200, 200, 429]), (1, [200, 200, 200])):
        app = make_app(
            f"sqlite:///{tmp_path / f'proxy{hops}.db'}",
            tmp_path / f"instance{hops}",
            TRUSTED_PROXIES=hops,
            TRUSTED_PROXY_NETWORKS=("10.0.0.0/24",),  # where the proxy connects from
            OPEN311_READ_RATE_PER_IP=2,
        )
        client = app.test_client()
        proxy = {"REMOTE_ADDR": "10.0.0.1"}
        codes = [
            client.get(
                "/open311/v2/services.json",
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
                environ_base=proxy,
            ).status_code
            for n in range(3)
        ]
        assert codes == expected, hops
        with app.app_context():
            db.engine.dispose()


def test_control_characters_never_reach_the_xml(app, client, api_key):
    """Before: a \\x01 posted in any field came back raw and the XML did not parse."""
    dirty = "噪音\x01扰民\x02\x1b"
    response = post(
        client,
        api_key,
        fmt="xml",
        description=dirty,
        first_name="\x0b明",
        address_string="东长安街\x00",
        media_url="http://example.cn/p\x01.jpg",
    )
    assert response.status_code == 201
    number = ET.fromstring(response.data).find("request/service_request_id").text
    with app.app_context():
        order = db.session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        stored = (order.description, order.caller_name, order.address, order.media_url)
        assert stored == ("噪音扰民", "李明", "东长安街", "http://example.cn/p.jpg")
        # A row stored before intake cleaned its text is cleaned on the way out.
        order.public_summary = "旧数据\x01\x1f"
        db.session.commit()
    for path in (f"requests/{number}.xml", "requests.xml"):
        root = ET.fromstring(client.get(f"/open311/v2/{path}").data)
        assert root.find("request/description").text == "旧数据"
        assert root.find("request/media_url").text == "http://example.cn/p.jpg"
