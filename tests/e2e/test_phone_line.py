"""The phone line with real SIP: the repository's Kamailio and rtpengine (deploy/telephony)
in front of the live app, SIPp as agents' phones and as callers from the trunk. Phones
register with digest against the app's HA1; calls go to the longest-waiting ready agent,
wait in the queue, ring the next agent when one does not answer or is busy, and ring the
hunt group when the app is down; the app hears every step, Kamailio's acc records them."""

import io
import socket
import threading
import time
import uuid
import wave
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from hotline.core.accounts.roles import Role
from hotline.core.telephony import audio
from hotline.core.telephony.line import LineSettings
from hotline.database import utcnow
from hotline.models import Agent, Call, User
from hotline.plugins import db
from hotline.services.telephony import agents, credentials, dialing, reconcile
from tests import factories
from tests.conftest import Browser, make_app
from tests.pbx import (
    Phone,
    Sipp,
    caller,
    free_udp_block,
    hanging_up_caller,
    start_pbx,
    wait_for,
)

pytestmark = pytest.mark.e2e
SECRET = "line-secret-for-tests"
LINE = {
    "TELEPHONY_SECRET": SECRET,
    "TELEPHONY_RING_SECONDS": 2,
    "TELEPHONY_RETRY_MS": 200,
    "TELEPHONY_SHORT_ABANDON_SECONDS": 0,
}


@pytest.fixture
def app(tmp_path):
    """The test app with the line on: the secret, short rings, quick queue turns, and the
    pbx's accounting and recordings where tests/pbx.py puts them."""
    run_dir = tmp_path / "pbx"
    application = make_app(
        f"sqlite:///{tmp_path / 'test.db'}",
        tmp_path / "instance",
        **LINE,
        TELEPHONY_ACC_DATABASE=f"sqlite:///{run_dir / 'acc.sqlite'}",
        TELEPHONY_RECORDINGS_DIR=run_dir / "recordings",
    )
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def pbx(live_server, tmp_path):
    """Kamailio and rtpengine asking the live app."""
    line = start_pbx(tmp_path / "pbx", live_server, SECRET)
    yield line
    line.stop()


@pytest.fixture
def phones(app, tmp_path):
    """phones(pbx, *names) -> one registered Phone per new operator; stopped at the end."""
    made: list[Phone] = []

    def _phones(line, *names: str, role: Role = Role.OPERATOR) -> list[Phone]:
        for name in names:
            with app.app_context():
                user = factories.user(role, username=name)
                extension, password = credentials.issue_phone(
                    db.session, user.id, realm=app.config["TELEPHONY_REALM"], now=utcnow()
                )
            phone = Phone(line, extension, password, tmp_path)
            phone.user_id = user.id
            registration = phone.register()
            assert registration.returncode == 0, registration.errors()
            made.append(phone)
        return made[-len(names) :]

    yield _phones
    for phone in made:
        phone.stop()


def ready(app, *phones: Phone) -> None:
    """Each phone's agent signs in ready, in this order (the first waits longest)."""
    for phone in phones:
        with app.app_context():
            agents.choose_state(db.session, user_id=phone.user_id, wanted="ready", now=utcnow())
        time.sleep(0.01)  # distinct ready_since: the waiting order is the test's


def agent_of(app, phone: Phone) -> Agent:
    with app.app_context():
        agent = db.session.get(Agent, phone.user_id)
        db.session.expunge(agent)
        return agent


def the_call(app, number: str) -> Call | None:
    """The call record of the caller `number` (callers' numbers are sealed: read them all)."""
    with app.app_context():
        for call in db.session.scalars(select(Call)):
            if call.caller == number:
                db.session.expunge(call)
                return call
    return None


def test_a_phone_registers_with_its_digest_and_the_app_knows_it(app, pbx, phones):
    (phone,) = phones(pbx, "op-register")
    agent = agent_of(app, phone)
    assert agent.registered_until is not None
    assert agent.registered_until > utcnow() + timedelta(minutes=59)
    wrong = phone.register(password="not-the-password")
    assert wrong.returncode != 0  # 401 again: SIPp's scenario wanted a 200
    assert "SIP/2.0 200" not in wrong.messages()
    gone = phone.register(expires=0)
    assert gone.returncode == 0, gone.errors()
    assert agent_of(app, phone).registered_until is None


def test_a_call_reaches_the_longest_waiting_ready_agent(app, pbx, phones, tmp_path):
    first, second = phones(pbx, "op-first", "op-second")
    ready(app, first, second)
    answering, idle = first.answers(after_ms=300), second.answers()
    call = caller(pbx, tmp_path, "13800000001", talk_ms=1500)
    assert call.run() == 0, call.errors()
    assert answering.wait() == 0, answering.errors()
    idle.kill()
    assert "INVITE sip:" not in idle.messages()
    record = wait_for(lambda: (c := the_call(app, "13800000001")) and c.ended_at and c)
    assert record is not None and record.outcome == "answered"
    assert record.agent_id == first.user_id and record.called == "12345"
    assert record.queued_at <= record.offered_at <= record.answered_at <= record.ended_at
    talk = (record.ended_at - record.answered_at).total_seconds()
    assert 1.0 <= talk <= 4.0
    ring = (record.answered_at - record.offered_at).total_seconds()
    whole = call.finished - call.started
    print(f"\ncall {whole:.2f} s in all; rang {ring:.2f} s; talked {talk:.2f} s")
    methods = {(row["method"], row["sip_code"], row["extension"]) for row in pbx.acc()}
    assert methods == {("INVITE", "200", first.extension), ("BYE", "200", first.extension)}
    pcap = wait_for(
        lambda: list(
            (pbx.recordings / "pcaps").glob(quote(record.sip_call_id, safe="") + "-*.pcap")
        )
    )
    assert pcap, "no recording"
    with wave.open(io.BytesIO(audio.to_wav(audio.rtp_packets(pcap[0].read_bytes())))) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    print(f"recording {pcap[0].name}: {seconds:.2f} s of {wav.getnchannels()} channels")
    assert abs(seconds - talk) < 0.5  # both phones sent G.711 for as long as they talked
    # Played from the call records: a supervisor hears it, a 120 dispatcher (another
    # queue, not the agent who answered) gets 404.
    with app.app_context():
        boss = factories.user(Role.SUPERVISOR, username="sup-plays")
        other = factories.user(Role.EMS_DISPATCHER, username="ems-plays")
    url = f"/calls/{record.id}/recording"
    for user, status in ((boss, 200), (other, 404)):
        browser = Browser(app)
        assert browser.login(user.username).status_code == 302
        played = browser.get(url)
        assert played.status_code == status
    assert played.status_code == 404
    supervisor = Browser(app)
    supervisor.login(boss.username)
    heard = supervisor.get(url)
    assert heard.mimetype == "audio/wav"
    assert abs(audio.wav_seconds(heard.data) - talk) < 0.5


def test_a_queued_call_rings_the_first_agent_to_become_ready(app, pbx, phones, tmp_path):
    (phone,) = phones(pbx, "op-later")
    answering = phone.answers(after_ms=200)
    call = caller(pbx, tmp_path, "13800000002", talk_ms=500).start()
    queued = wait_for(lambda: (c := the_call(app, "13800000002")) and c.state == "queued" and c)
    assert queued, call.errors()
    time.sleep(0.5)  # a few turns of the queue: still waiting
    assert the_call(app, "13800000002").state == "queued"
    became_ready = time.monotonic()
    ready(app, phone)
    rang = wait_for(lambda: "INVITE sip:" in answering.messages() and time.monotonic())
    assert rang, answering.errors()
    assert call.wait() == 0, call.errors()
    assert answering.wait() == 0, answering.errors()
    record = wait_for(lambda: (c := the_call(app, "13800000002")) and c.ended_at and c)
    assert record.outcome == "answered" and record.agent_id == phone.user_id
    assert "182 Queued" in call.messages()
    print(f"\nready to ringing {rang - became_ready:.2f} s (retry_ms {LINE['TELEPHONY_RETRY_MS']})")


def test_a_caller_who_hangs_up_while_queued_is_abandoned(app, pbx, phones, tmp_path):
    (phone,) = phones(pbx, "op-busy")  # registered, but signed out: nobody takes the call
    call = hanging_up_caller(pbx, tmp_path, "13800000003", after_ms=1200)
    assert call.run() == 0, call.errors()
    record = wait_for(lambda: (c := the_call(app, "13800000003")) and c.ended_at and c)
    assert record is not None and record.outcome == "abandoned" and record.agent_id is None
    assert [(r["method"], r["sip_code"]) for r in pbx.acc("missed_calls")] == [("INVITE", "487")]


def test_phones_that_refuse_or_ring_out_set_their_agents_busy(app, pbx, phones, tmp_path):
    refusing, ringing, answering = phones(pbx, "op-refuses", "op-rings", "op-answers")
    ready(app, refusing, ringing, answering)
    runs = [refusing.busy(), ringing.never_answers(), answering.answers(after_ms=200)]
    started = time.monotonic()
    call = caller(pbx, tmp_path, "13800000004", talk_ms=500)
    assert call.run() == 0, call.errors()
    for run in runs:
        assert run.wait() == 0, run.errors()
    record = wait_for(lambda: (c := the_call(app, "13800000004")) and c.ended_at and c)
    assert record.outcome == "answered" and record.agent_id == answering.user_id
    assert record.offers == 3
    assert agent_of(app, refusing).state == "busy"
    assert agent_of(app, ringing).state == "busy"
    missed = [(r["sip_code"], r["extension"]) for r in pbx.acc("missed_calls")]
    assert missed == [("486", refusing.extension), ("408", ringing.extension)]
    took = time.monotonic() - started
    print(f"\nrefused, rang out ({LINE['TELEPHONY_RING_SECONDS']} s), answered: {took:.2f} s")


def test_when_the_app_is_down_the_hunt_group_rings(app, phones, tmp_path):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    run_dir = tmp_path / "pbx"
    with app.app_context():
        user = factories.user(Role.OPERATOR, username="op-hunt")
        extension, password = credentials.issue_phone(
            db.session, user.id, realm=app.config["TELEPHONY_REALM"], now=utcnow()
        )
    line = start_pbx(
        run_dir, f"http://127.0.0.1:{server.server_port}", SECRET, hunt_12345=extension
    )
    phone = Phone(line, extension, password, tmp_path)
    try:
        assert phone.register().returncode == 0
        server.shutdown()
        server.server_close()
        answering = phone.answers(after_ms=200)
        call = caller(line, tmp_path, "13800000005", talk_ms=500)
        assert call.run() == 0, call.errors()
        assert answering.wait() == 0, answering.errors()
        print(f"\nthe app down: invite to hang-up {call.finished - call.started:.2f} s")
        rows = {(r["method"], r["sip_code"], r["extension"]) for r in line.acc()}
        assert rows == {("INVITE", "200", extension), ("BYE", "200", extension)}
        assert the_call(app, "13800000005") is None  # the app heard nothing
        with app.app_context():
            settings = LineSettings.from_config(app.config)
            engine = reconcile.acc_engine(app.config["TELEPHONY_ACC_DATABASE"])
            # The job reads rows once they are SETTLE old: this run is that much later.
            later = utcnow() + reconcile.SETTLE
            reconcile.reconcile(db.session, engine=engine, now=later, line=settings)
        record = the_call(app, "13800000005")
        assert record is not None and record.outcome == "answered" and record.ended_at
        assert record.agent_id == user.id
        assert list((line.recordings / "pcaps").glob("*.pcap"))  # recorded all the same
    finally:
        phone.stop()
        line.stop()


def test_click_to_call_goes_out_through_the_trunk(app, live_server, phones, tmp_path):
    gateway = free_udp_block(2)  # the trunk's gateway: SIPp answers there as the citizen
    line = start_pbx(tmp_path / "pbx", live_server, SECRET, trunk_gateway=f"127.0.0.1:{gateway}")
    citizen = Sipp("agent_answers", line, gateway, ["-m", "1", "-d", "300"], tmp_path / "citizen")
    try:
        (surveyor,) = phones(line, "survey-dial", role=Role.SURVEYOR)
        with app.app_context():
            order = factories.order(caller_phone="13800138111")
            user = db.session.get(User, surveyor.user_id)
            token, _shown = dialing.request_dial(
                db.session, user=user, order_number=order.number, now=utcnow()
            )
            order_id = order.id
        citizen.start()
        auth = ["-au", surveyor.extension, "-ap", surveyor.password]
        dials = surveyor.sipp(
            "agent_dials", "-m", "1", "-s", token, "-key", "ext", surveyor.extension, *auth,
            "-d", "1000",
        )  # fmt: skip
        assert dials.run() == 0, dials.errors()
        assert citizen.wait() == 0, citizen.errors()
        assert "INVITE sip:13800138111@127.0.0.1" in citizen.messages()
        record = wait_for(lambda: (c := the_call(app, "13800138111")) and c.ended_at and c)
        assert record is not None and record.direction == "out" and record.outcome == "answered"
        assert record.agent_id == surveyor.user_id and record.order_id == order_id
        again = surveyor.sipp(
            "agent_dials", "-m", "1", "-s", token, "-key", "ext", surveyor.extension, *auth
        )
        assert again.run() != 0  # one use: the second dial is refused
        assert "SIP/2.0 404" in again.messages()
    finally:
        citizen.kill()
        line.stop()


def test_a_forged_in_dialog_invite_is_refused_not_relayed(pbx):
    """A To-tag and a Route header naming Kamailio, with no dialog behind them: 403, so
    nobody reaching port 5060 calls out through the trunk or rings a phone directly."""
    call_id = uuid.uuid4().hex
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        local = sock.getsockname()[1]
        message = (
            f"INVITE sip:13900000000@127.0.0.1:9 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK{call_id[:12]}\r\n"
            f"Route: <sip:127.0.0.1:{pbx.sip_port};lr>\r\n"
            f"From: <sip:attacker@127.0.0.1>;tag=aaa\r\nTo: <sip:13900000000@127.0.0.1>;tag=bbb\r\n"
            f"Call-ID: {call_id}\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
            f"Contact: <sip:attacker@127.0.0.1:{local}>\r\nContent-Length: 0\r\n\r\n"
        )
        sock.settimeout(2)
        sock.sendto(message.encode(), ("127.0.0.1", pbx.sip_port))
        answers = []
        try:
            while not answers or answers[-1].startswith("SIP/2.0 1"):
                answers.append(sock.recv(4096).decode(errors="replace"))
        except OSError:
            pass
    assert answers and answers[-1].startswith("SIP/2.0 403"), answers
