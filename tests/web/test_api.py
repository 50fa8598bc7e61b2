"""/api/v1: tokens, role scoping like the pages, the OpenAPI document checked by schemathesis."""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from tests import factories

DONGCHENG = "东城区城市管理委员会"


@pytest.fixture
def token_for(app, make):
    def _token(role, department=None):
        user = make(factories.user, role, department)
        with app.app_context():
            return credentials.issue_user_token(db.session, user.id, now=utcnow(), days=90)

    return _token


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_required(app):
    client = app.test_client()
    assert client.get("/api/v1/orders").status_code == 401
    response = client.get("/api/v1/orders", headers=bearer("nope"))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_department_tokens_see_only_their_department(app, make, token_for):
    mine = make(factories.order)
    other = make(factories.order, lon="116.3964", lat="39.9929")  # 朝阳区
    client = app.test_client()
    token = token_for(Role.DEPARTMENT, DONGCHENG)
    listing = client.get("/api/v1/orders", headers=bearer(token)).get_json()
    assert [o["number"] for o in listing["items"]] == [mine.number]
    assert client.get(f"/api/v1/orders/{other.number}", headers=bearer(token)).status_code == 404
    detail = client.get(f"/api/v1/orders/{mine.number}", headers=bearer(token)).get_json()
    assert detail["department"]["name"] == DONGCHENG
    assert [e["action"] for e in detail["events"]] == ["create"]
    assert detail["due_at"] and detail["escalation_level"] == 0


def test_phones_are_masked_and_reporters_hidden_as_on_the_pages(app, make, token_for):
    plain = make(factories.order, caller_phone="13912345678")
    secret = make(
        factories.order, order_type="tip_off", confidential="on", caller_phone="13700001111"
    )
    client = app.test_client()
    official = bearer(token_for(Role.OFFICIAL))
    body = client.get("/api/v1/orders", headers=official).get_data(as_text=True)
    assert "13912345678" not in body and "139****5678" in body
    staff = bearer(token_for(Role.DEPARTMENT, DONGCHENG))
    detail = client.get(f"/api/v1/orders/{secret.number}", headers=staff).get_json()
    assert detail["caller"] is None
    operator = bearer(token_for(Role.OPERATOR))
    detail = client.get(f"/api/v1/orders/{plain.number}", headers=operator).get_json()
    assert detail["caller"]["phone"] == "13912345678"


def test_filters_match_the_search_page(app, make, token_for):
    make(factories.order, category_code="0301")
    make(factories.order)
    client = app.test_client()
    headers = bearer(token_for(Role.SUPERVISOR))
    assert client.get("/api/v1/orders?category_code=03", headers=headers).get_json()["total"] == 1
    bad = client.get("/api/v1/orders?date_from=yesterday&page_size=500", headers=headers)
    assert bad.status_code == 400
    assert set(bad.get_json()["errors"]) == {"date_from", "page_size"}


def test_admins_have_no_order_access(app, token_for):
    response = app.test_client().get("/api/v1/orders", headers=bearer(token_for(Role.SYSTEM_ADMIN)))
    assert response.status_code == 403


@pytest.fixture
def api_schema(app, make, token_for):
    make(factories.order)
    make(factories.order, order_type="tip_off", confidential="on")
    app.config["SCHEMATHESIS_TOKEN"] = token_for(Role.SUPERVISOR)
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_the_openapi_document_holds_for_generated_requests(app, api_schema):
    """schemathesis: no 5xx, every response conforms to the document."""
    token = app.config["SCHEMATHESIS_TOKEN"]
    checked = 0
    for operation in api_schema.get_all_operations():
        operation = operation.ok()
        # A vehicle terminal's operations answer a user's token 401 whatever the request: a
        # few examples check that answer against the document (test_crew_terminal.py and
        # test_patient_api.py drive them with a terminal's token).
        terminal = operation.definition.raw.get("security") == [{"terminalToken": []}]

        @settings(
            max_examples=5 if terminal else 40,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            # Cross-field rules (date_to before date_from, an invalid phone number) are 400s
            # the document cannot express, so "valid data must be accepted" is not checked.
            case.call_and_validate(
                headers=bearer(token), excluded_checks=[positive_data_acceptance]
            )

        run()
        checked += 1
    assert checked == 21


def test_every_token_endpoint_is_in_the_openapi_document(app):
    """Each /api/v1 rule behind a token check is a path of the document, with its method and
    the security scheme of its token; and the document describes nothing else."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    described = {
        (path, method.upper()): operation["security"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }
    served = {}
    for rule in app.url_map.iter_rules():
        scheme = getattr(app.view_functions[rule.endpoint], "token_scheme", None)
        if not rule.rule.startswith("/api/v1/") or scheme is None:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served[(path, method)] = [{scheme: []}]
    assert len(served) == 21
    assert served == described
    assert set(document["components"]["securitySchemes"]) == {"userToken", "terminalToken"}
