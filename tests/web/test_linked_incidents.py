"""联动: another centre's token makes 120 incidents exactly as the console does, follows its
own and nothing else; odd bodies get a clear 4xx, never a 500."""

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.database import utcnow
from hotline.models import Incident, IncidentEvent, MaliciousNumber, User
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.ems import fleet
from tests import factories

CALL = {
    "lon": factories.TIANANMEN[0],
    "lat": factories.TIANANMEN[1],
    "complaint": "交通事故，一人受伤",
    "triage_level": 2,
    "caller_phone": "13800138000",
    "address": "东长安街",
}


def _token(app, make, role, name=None):
    user = make(factories.user, role)
    with app.app_context():
        if name:
            db.session.get(User, user.id).display_name = name
            db.session.commit()
        return user, credentials.issue_user_token(db.session, user.id, now=utcnow(), days=90)


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_centre_hands_a_case_over_and_follows_it(app, make, query):
    make(factories.ambulances, 5)
    centre, token = _token(app, make, Role.LINKED_CENTRE, "122 交通事故报警台")
    _, dispatcher_token = _token(app, make, Role.EMS_DISPATCHER)
    client = app.test_client()

    made = client.post(
        "/api/v1/incidents", json={**CALL, "source_ref": "JJ-2026-0042"}, headers=_bearer(token)
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert re.fullmatch(r"120-\d{8}-\d{4}", body["number"])
    assert (body["source"], body["source_ref"], body["state"]) == (
        "122 交通事故报警台",
        "JJ-2026-0042",
        "open",
    )
    assert "caller_phone" not in body and "complaint" not in body
    # The recommendation is the console's: the dispatcher's API gives the same vehicles.
    console = client.get(
        "/api/v1/dispatch/recommend",
        query_string={"lon": CALL["lon"], "lat": CALL["lat"]},
        headers=_bearer(dispatcher_token),
    ).get_json()
    assert body["recommendation"] == console and len(console["vehicles"]) == 3

    # The centre retries after a timeout: the same incident, not a second one.
    again = client.post(
        "/api/v1/incidents", json={**CALL, "source_ref": "JJ-2026-0042"}, headers=_bearer(token)
    )
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]
    incident = query(lambda: db.session.scalars(select(Incident)).one())
    assert (incident.caller_phone, incident.created_by_id) == ("13800138000", centre.id)
    trail = query(lambda: db.session.scalars(select(IncidentEvent)).all())
    assert [(e.action, e.actor_id) for e in trail] == [("create", centre.id)]
    assert "122 交通事故报警台 JJ-2026-0042" in trail[0].note

    # The dispatcher sends a vehicle; the centre sees it and its times.
    vehicle_id = body["recommendation"]["vehicles"][0]["vehicle_id"]
    with app.app_context():
        fleet.dispatch(
            db.session,
            actor_id=None,
            incident_id=body["id"],
            vehicle_ids=[vehicle_id],
            now=utcnow(),
        )
    state = client.get(f"/api/v1/incidents/{body['id']}", headers=_bearer(token)).get_json()
    assert [v["status"] for v in state["vehicles"]] == ["dispatched"]
    assert state["vehicles"][0]["dispatched_at"] is not None
    assert "recommendation" not in state


def test_a_centre_sees_only_its_own_cases_and_12345_roles_none(app, make):
    _, token = _token(app, make, Role.LINKED_CENTRE, "110")
    _, other = _token(app, make, Role.LINKED_CENTRE, "119")
    _, dispatcher = _token(app, make, Role.EMS_DISPATCHER)
    _, operator = _token(app, make, Role.OPERATOR)
    client = app.test_client()
    made = client.post("/api/v1/incidents", json=CALL, headers=_bearer(token)).get_json()
    url = f"/api/v1/incidents/{made['id']}"
    assert client.get(url, headers=_bearer(token)).status_code == 200
    assert client.get(url, headers=_bearer(other)).status_code == 404
    assert client.get("/api/v1/incidents/999999", headers=_bearer(token)).status_code == 404
    assert client.get(url, headers=_bearer(dispatcher)).status_code == 200
    assert client.get(url, headers=_bearer(operator)).status_code == 403
    assert client.post("/api/v1/incidents", json=CALL, headers=_bearer(operator)).status_code == 403
    assert client.get(url).status_code == 401


def test_the_console_s_rules_refuse_bad_values_by_field(app, make, query):
    _, token = _token(app, make, Role.LINKED_CENTRE, "110")
    client = app.test_client()

    def post(**changes):
        return client.post("/api/v1/incidents", json={**CALL, **changes}, headers=_bearer(token))

    assert post(caller_phone="12").get_json()["codes"] == {"caller_phone": "invalid_phone"}
    assert post(complaint=" ").get_json()["codes"] == {"complaint": "required"}
    assert post(triage_level=7).get_json()["codes"] == {"triage_level": "invalid_choice"}
    assert post(lon=200).get_json()["codes"] == {"location": "invalid_coordinates"}
    assert post(source_ref="a b").get_json()["codes"] == {"source_ref": "invalid"}
    assert post(lon="116.39").status_code == 400
    assert post(triage_level=True).status_code == 400
    assert client.post("/api/v1/incidents", json=[1], headers=_bearer(token)).status_code == 400
    # A locked number: a linked centre is not told (no lock-list oracle), the dispatcher
    # sees it on the trail; a 120 dispatcher's token must confirm, as on the console.
    with app.app_context():
        db.session.add(
            MaliciousNumber(
                phone="13800138000",
                until=utcnow().replace(year=2099),
                reason="骚扰",
                set_by_id=1,
                set_at=utcnow(),
            )
        )
        db.session.commit()
    made = post(source_ref="LOCK-1")
    assert made.status_code == 201 and "locked" not in made.get_data(as_text=True)
    trail = query(lambda: db.session.scalars(select(IncidentEvent.note)).all())
    assert any("number locked as malicious" in note for note in trail)
    _, dispatcher = _token(app, make, Role.EMS_DISPATCHER)
    by_dispatcher = {**CALL, "source": "110", "source_ref": "D-1"}
    headers = _bearer(dispatcher)
    assert client.post("/api/v1/incidents", json=by_dispatcher, headers=headers).status_code == 409
    confirmed = {**by_dispatcher, "confirm_locked": True}
    assert client.post("/api/v1/incidents", json=confirmed, headers=headers).status_code == 201
    assert len(query(lambda: db.session.scalars(select(Incident)).all())) == 2


def test_a_reference_belongs_to_the_account_that_sent_it(app, make):
    """Two accounts named alike sending one reference make two cases: neither gets the
    other's incident back."""
    _, first = _token(app, make, Role.LINKED_CENTRE, "110")
    _, second = _token(app, make, Role.LINKED_CENTRE, "110")
    client = app.test_client()
    body = {**CALL, "source_ref": "JJ-1"}
    mine = client.post("/api/v1/incidents", json=body, headers=_bearer(first))
    theirs = client.post("/api/v1/incidents", json=body, headers=_bearer(second))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.get_json()["id"] != theirs.get_json()["id"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def test_fuzzed_bodies_get_a_clear_answer_never_a_500(app, make):
    _, token = _token(app, make, Role.LINKED_CENTRE, "119")
    client = app.test_client()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        body=st.fixed_dictionaries(
            {},
            optional={name: _JSON for name in [*CALL, "source_ref", "source", "confirm_locked"]},
        )
        | _JSON
    )
    def run(body):
        answer = client.post("/api/v1/incidents", json=body, headers=_bearer(token))
        assert answer.status_code in (200, 201, 400, 409, 422), answer.get_data(as_text=True)
        assert answer.is_json

    run()
