"""The phone line's pages: Kamailio's endpoints answer its secret alone; the agent's bar
and screen pop; the order records its call; the supervisor's records and the API."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.telephony import audio
from hotline.core.telephony.line import digest_ha1
from hotline.database import utcnow
from hotline.models import Agent, Call, SecurityEvent
from hotline.plugins import db
from hotline.services.accounts import credentials as tokens
from hotline.services.telephony import credentials, recordings
from tests import factories
from tests.pcap_files import pcap

SECRET = "line-secret-for-tests"  # noqa: S105


@pytest.fixture
def line_app(app):
    app.config["TELEPHONY_SECRET"] = SECRET
    return app


def pbx(app, path, data=None, **headers):
    client = app.test_client()
    headers = {"X-Telephony-Secret": SECRET, **headers}
    if data is None:
        return client.get(path, headers=headers)
    return client.post(path, data=data, headers=headers)


def agent(app, role=Role.OPERATOR, name="op-phone"):
    with app.app_context():
        user = factories.user(role, username=name)
        extension, _password = credentials.issue_phone(
            db.session, user.id, realm="hotline", now=utcnow()
        )
        return user, extension


def test_the_lines_endpoints_answer_only_its_secret_from_its_network(line_app):
    _user, extension = agent(line_app)
    url = f"/telephony/sip/credentials?extension={extension}"
    assert pbx(line_app, url).get_json()["ha1"]
    assert pbx(line_app, url, **{"X-Telephony-Secret": "wrong"}).status_code == 403
    assert line_app.test_client().get(url).status_code == 403
    # Through the proxy (a forwarded request) even the right secret is refused.
    assert pbx(line_app, url, **{"X-Forwarded-For": "10.0.0.9"}).status_code == 403
    assert pbx(line_app, "/telephony/sip/credentials?extension=9999").status_code == 404
    line_app.config["TELEPHONY_SECRET"] = None  # no secret set: the line is off
    assert pbx(line_app, url).status_code == 403


def test_bad_input_from_the_line_is_a_clear_400(line_app):
    for data in ({"call_id": "x", "called": ""}, {"call_id": "x" * 300, "called": "12345"}):
        answer = pbx(line_app, "/telephony/sip/route", data)
        assert answer.status_code == 400 and answer.get_json()["error"] == "invalid"
    answer = pbx(line_app, "/telephony/sip/event", {"call_id": "x", "event": "explode"})
    assert answer.status_code == 400 and answer.get_json()["field"] == "event"
    assert pbx(line_app, "/telephony/sip/route", {"call_id": "x", "called": "999"}).get_json() == {
        "action": "reject",
        "code": 404,
        "reason": "Not Found",
    }


def test_the_screen_pop_and_the_order_that_records_its_call(line_app, login):
    user, extension = agent(line_app)
    operator = login(user)
    assert operator.get("/phone/state").get_json()["state"] == "signed_out"
    refused = operator.post(
        "/phone/state", {"state": "break"}, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 422
    assert operator.post("/phone/state", {"state": "ready"}).get_json()["state"] == "ready"
    pbx(line_app, "/telephony/sip/registration", {"extension": extension, "expires": "3600"})
    decision = pbx(
        line_app,
        "/telephony/sip/route",
        {"call_id": "pop-1@test", "caller": "+8613800138000", "called": "12345"},
    ).get_json()
    assert decision == {"action": "ring", "extension": extension, "ring_seconds": 15}
    state = operator.get("/phone/state").get_json()
    assert state["state"] == "ringing"
    assert state["call"]["caller"] == "13800138000" and state["call"]["ringing"]
    pbx(
        line_app,
        "/telephony/sip/event",
        {"call_id": "pop-1@test", "event": "answered", "extension": extension},
    )
    call_id = operator.get("/phone/state").get_json()["call"]["id"]
    form = operator.get(f"/intake?call={call_id}").get_data(as_text=True)
    assert 'value="13800138000"' in form and f'name="call_ref" value="{call_id}"' in form
    created = operator.post("/intake", factories.call_form(call_ref=str(call_id)))
    assert created.status_code == 302
    number = created.headers["Location"].rsplit("/", 1)[-1]
    with line_app.app_context():
        call = db.session.get(Call, call_id)
        assert call.order.number == number
    # Another operator's page may not take this call's number by its reference.
    other, _ext = agent(line_app, name="op-other")
    assert "13800138000" not in login(other).get(f"/intake?call={call_id}").get_data(as_text=True)


def test_supervisors_read_the_records_and_the_api(line_app, login):
    boss = agent(line_app, Role.SUPERVISOR, "sup-calls")[0]
    pbx(
        line_app,
        "/telephony/sip/route",
        {"call_id": "rec-1", "caller": "13900000001", "called": "12345"},
    )
    pbx(line_app, "/telephony/sip/event", {"call_id": "rec-1", "event": "abandoned"})
    browser = login(boss)
    page = browser.get("/calls").get_data(as_text=True)
    # A list: the number masked, as orders' lists are; a search by number is logged.
    assert "139****0001" in page and "13900000001" not in page and "来电人放弃" in page
    assert "139****0001" in browser.get("/calls?caller=13900000001").get_data(as_text=True)
    with line_app.app_context():
        searches = db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == "phone_search")
        ).all()
        assert [e.detail for e in searches] == ["139****0001 results=1"]
    assert login(boss).get("/calls/live").get_json()["waiting"] == {}
    with line_app.app_context():
        token = tokens.issue_user_token(db.session, boss.id, now=utcnow(), days=1)
    items = (
        line_app.test_client()
        .get("/api/v1/calls", headers={"Authorization": f"Bearer {token}"})
        .get_json()["items"]
    )
    assert [(i["call_id"], i["outcome"], i["caller"]) for i in items] == [
        ("rec-1", "abandoned", "139****0001")
    ]
    since = line_app.test_client().get(
        "/api/v1/calls?since=yesterday", headers={"Authorization": f"Bearer {token}"}
    )
    assert since.status_code == 400


def test_the_security_administrator_gives_a_phone_shown_once(app, login):
    with app.app_context():
        operator = factories.user(Role.OPERATOR, username="op-new-phone")
        security = factories.user(Role.SECURITY_ADMIN, username="sec-phones")
    admin = login(security)
    assert "op-new-phone" in admin.get("/admin/phones").get_data(as_text=True)
    page = admin.post(f"/admin/phones/{operator.id}", {"skills": ["12345", "survey"]})
    text = page.get_data(as_text=True)
    password = text.split('id="sip-password">', 1)[1].split("<", 1)[0]
    with app.app_context():
        agent = db.session.get(Agent, operator.id)
        assert agent.skills == "12345,survey"
        assert credentials.ha1_of(db.session, agent.extension) == digest_ha1(
            agent.extension, "hotline", password
        )
    assert password not in admin.get("/admin/phones").get_data(as_text=True)


def test_a_recording_plays_for_the_supervisor_and_its_agent_alone(line_app, login, tmp_path):
    folder = tmp_path / "recordings"
    (folder / "pcaps").mkdir(parents=True)
    line_app.config["TELEPHONY_RECORDINGS_DIR"] = folder
    user, extension = agent(line_app, name="op-rec")
    other = agent(line_app, Role.EMS_DISPATCHER, "ems-rec")[0]
    boss = agent(line_app, Role.SUPERVISOR, "sup-rec")[0]
    login(user).post("/phone/state", {"state": "ready"})
    pbx(line_app, "/telephony/sip/registration", {"extension": extension, "expires": "60"})
    sip_id = "rec-2@127.0.0.1"
    pbx(line_app, "/telephony/sip/route", {"call_id": sip_id, "caller": "1380", "called": "12345"})
    for kind in ("answered", "ended"):
        pbx(
            line_app,
            "/telephony/sip/event",
            {"call_id": sip_id, "event": kind, "extension": extension},
        )
    (folder / "pcaps" / "rec-2%40127.0.0.1-0123456789abcdef.pcap").write_bytes(pcap(2.0))
    with line_app.app_context():
        call_id = db.session.scalar(select(Call.id).where(Call.sip_call_id == sip_id))
        # The scheduler's reconcile_calls names it on the record before anyone plays it.
        assert recordings.link_recent(db.session, folder=folder, now=utcnow()) == 1
        assert db.session.get(Call, call_id).recording == (
            "rec-2%40127.0.0.1-0123456789abcdef.pcap"
        )
    url = f"/calls/{call_id}/recording"
    played = login(boss).get(url)
    assert played.status_code == 200 and played.mimetype == "audio/wav"
    assert audio.wav_seconds(played.data) == pytest.approx(2.0, abs=0.01)
    assert login(user).get(url).status_code == 200  # the agent who answered it
    assert login(other).get(url).status_code == 404  # an operator of another queue
    with line_app.app_context():
        plays = db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == "recording_played")
        ).all()
        assert len(plays) == 2
        assert db.session.get(Call, call_id).recording.endswith(".pcap")


def test_click_to_call_dials_a_one_use_token_and_records_the_call(line_app, login):
    surveyor, extension = agent(line_app, Role.SURVEYOR, "survey-dial")
    other_ext = agent(line_app, Role.OPERATOR, "op-dial")[1]
    with line_app.app_context():
        order = factories.order(caller_phone="13800138111")
        number = order.number
    page = login(surveyor)
    assert 'data-dial-order="' + number in page.get(f"/orders/{number}").get_data(as_text=True)
    answer = page.post("/phone/dial", {"order": number}).get_json()
    assert answer["number"] == "13800138111"  # a surveyor sees phones in full
    dialled = answer["uri"].removeprefix("sip:").split("@")[0]
    assert "13800138111" not in answer["uri"]
    ask = {"dialled": dialled, "extension": other_ext, "call_id": "out-1@phone"}
    assert pbx(line_app, "/telephony/sip/dial", ask).get_json()["action"] == "reject"
    ask["extension"] = extension  # only the phone it was issued to, once
    assert pbx(line_app, "/telephony/sip/dial", ask).get_json() == {
        "action": "dial",
        "number": "13800138111",
    }
    assert pbx(line_app, "/telephony/sip/dial", ask).get_json()["action"] == "reject"
    for kind in ("answered", "ended"):
        pbx(
            line_app,
            "/telephony/sip/event",
            {"call_id": "out-1@phone", "event": kind, "extension": extension},
        )
    with line_app.app_context():
        call = db.session.scalar(select(Call).where(Call.sip_call_id == "out-1@phone"))
        assert (call.direction, call.outcome, call.order_id) == ("out", "answered", order.id)
        assert call.caller == "13800138111" and call.called == extension
    # Someone whose role may not see the order gets nothing to dial.
    with line_app.app_context():
        official = factories.user(Role.OFFICIAL, username="official-dial")
    assert login(official).post("/phone/dial", {"order": number}).status_code == 403


def test_the_120_incident_records_the_call_it_came_from(line_app, login):
    dispatcher, extension = agent(line_app, Role.EMS_DISPATCHER, "ems-link")
    page = login(dispatcher)
    page.post("/phone/state", {"state": "ready"})
    pbx(line_app, "/telephony/sip/registration", {"extension": extension, "expires": "60"})
    call = {"call_id": "ems-1@t", "caller": "13912345678", "called": "120"}
    assert pbx(line_app, "/telephony/sip/route", call).get_json()["extension"] == extension
    pbx(line_app, "/telephony/sip/event", {**call, "event": "answered", "extension": extension})
    call_id = page.get("/phone/state").get_json()["call"]["id"]
    form = {
        "caller_phone": "13912345678",
        "complaint": "胸痛30分钟",
        "triage_level": "1",
        "lon": str(factories.TIANANMEN[0]),
        "lat": str(factories.TIANANMEN[1]),
        "call_ref": str(call_id),
    }
    created = page.post("/ems/incidents", form)
    assert created.status_code == 302
    incident_id = int(created.headers["Location"].split("/ems/incidents/")[1].split("?")[0])
    with line_app.app_context():
        assert db.session.get(Call, call_id).incident_id == incident_id


FIELDS = ("call_id", "caller", "called", "event", "extension", "expires", "dialled")
VALUES = st.one_of(
    st.sampled_from(["", "12345", "120", "answered", "ended", "8001", "-1", "1e99", "x" * 300]),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    path=st.sampled_from(["route", "event", "registration", "dial", "credentials"]),
    data=st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6),
)
def test_the_lines_endpoints_refuse_nonsense_cleanly(line_app, path, data):
    """Whatever Kamailio (or someone with its secret) sends: an answer in JSON, never a 500."""
    url = f"/telephony/sip/{path}"
    answer = pbx(line_app, url, None if path == "credentials" else data)
    if path == "credentials":
        answer = line_app.test_client().get(
            url, query_string=data, headers={"X-Telephony-Secret": SECRET}
        )
    assert answer.status_code < 500 and answer.is_json, (answer.status_code, data)


def test_missed_calls_wait_for_a_call_back_from_their_queue(line_app, login, clock, monkeypatch):
    from hotline.web.telephony import phone, sip

    monkeypatch.setattr(sip, "utcnow", clock)
    monkeypatch.setattr(phone, "utcnow", clock)
    operator, extension = agent(line_app, name="op-missed")
    dispatcher = agent(line_app, Role.EMS_DISPATCHER, "ems-missed")[0]
    line_app.config["TELEPHONY_QUEUE_MAX"] = 2
    at = clock.now
    for call_id, caller in (
        ("long", "13800000011"),
        ("short", "13800000013"),
        ("full", "13800000012"),
    ):
        pbx(
            line_app,
            "/telephony/sip/route",
            {"call_id": call_id, "caller": caller, "called": "12345"},
        )
    clock.advance(seconds=1)
    pbx(line_app, "/telephony/sip/event", {"call_id": "short", "event": "abandoned"})
    clock.advance(seconds=32)
    pbx(line_app, "/telephony/sip/event", {"call_id": "long", "event": "abandoned"})
    assert clock.now > at
    page = login(operator)
    listed = page.get("/phone/missed").get_data(as_text=True)
    assert "13800000011" in listed and "13800000012" in listed  # waited 33 s; refused
    assert "13800000013" not in listed  # hung up within the short-abandon time
    with line_app.app_context():
        long_id = db.session.scalar(select(Call.id).where(Call.sip_call_id == "long"))
    assert login(dispatcher).post("/phone/return", {"call": long_id}).status_code == 404
    answer = page.post("/phone/return", {"call": long_id}).get_json()
    assert answer["number"] == "13800000011" and answer["uri"].startswith("sip:d")
    assert "13800000011" not in page.get("/phone/missed").get_data(as_text=True)
    assert page.post("/phone/return", {"call": long_id}).status_code == 404  # returned
    with line_app.app_context():
        back = db.session.scalar(select(Call).where(Call.returns_call_id == long_id))
        assert (back.direction, back.agent_id, back.caller) == ("out", operator.id, "13800000011")
    assert extension
