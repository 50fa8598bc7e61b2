"""Logins are throttled and locked alike for every username; sessions end on the server."""

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import SecurityEvent
from hotline.plugins import db
from tests import factories

WRONG = "wrong password"


def _kinds(query) -> list[str]:
    return query(lambda: list(db.session.scalars(select(SecurityEvent.kind))))


def _error(response) -> tuple[int, str]:
    page = response.get_data(as_text=True)
    for phrase in ("用户名或密码错误", "锁定", "尝试次数过多"):
        if phrase in page:
            return response.status_code, phrase
    return response.status_code, ""


def test_five_failures_lock_the_account(make, browser, clock):
    user = make(factories.user, Role.OPERATOR)
    for _ in range(5):
        clock.advance(minutes=1)  # past the progressive delay
        assert browser.login(user.username, WRONG).status_code == 401
    clock.advance(minutes=1)
    locked = browser.login(user.username, factories.PASSWORD)
    assert _error(locked) == (401, "锁定")
    clock.advance(minutes=11)
    assert browser.login(user.username, factories.PASSWORD).status_code == 302


def test_unknown_usernames_get_the_same_answers_lock_out_included(make, app, clock):
    from tests.conftest import Browser

    make(factories.user, Role.OPERATOR, username="known")
    answers = {}
    for name in ("known", "nobody"):
        browser = Browser(app)
        answers[name] = []
        for _ in range(7):
            clock.advance(minutes=1)
            answers[name].append(_error(browser.login(name, WRONG)))
    assert answers["known"] == answers["nobody"]
    assert answers["known"][0] == (401, "用户名或密码错误")
    assert answers["known"][5] == (401, "锁定")


def test_quick_failures_are_slowed_without_checking_the_password(make, browser, clock, query):
    user = make(factories.user, Role.OPERATOR)
    for _ in range(3):
        assert browser.login(user.username, WRONG).status_code == 401
    # The fourth, even with the right password, must wait and is not heard.
    throttled = browser.login(user.username, factories.PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert _error(throttled)[1] == "尝试次数过多"
    assert _kinds(query).count("login_failed") == 3
    clock.advance(seconds=2)
    assert browser.login(user.username, factories.PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_slowed(make, browser):
    for i in range(10):
        assert browser.login(f"guess{i}", WRONG).status_code == 401
    assert browser.login("guess10", WRONG).status_code == 429


def test_the_throttle_keys_on_each_address(make, app, browser):
    from tests.conftest import Browser

    for i in range(10):
        browser.login(f"guess{i}", WRONG)
    elsewhere = Browser(app)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert elsewhere.login("guess10", WRONG).status_code == 401


def test_an_idle_session_ends(make, login, clock):
    browser = login(make(factories.user, Role.OPERATOR))
    clock.advance(minutes=20)
    assert browser.get("/intake").status_code == 200
    clock.advance(minutes=29)  # 49 minutes since login, 29 since the last request
    assert browser.get("/intake").status_code == 200
    clock.advance(minutes=31)
    assert browser.get("/intake").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_busy(make, login, clock):
    browser = login(make(factories.user, Role.OPERATOR))
    for _ in range(11 * 3):  # every 20 minutes for 11 hours
        clock.advance(minutes=20)
        assert browser.get("/intake").status_code == 200
    clock.advance(minutes=61)
    assert browser.get("/intake").status_code == 302


def test_a_cookie_replayed_after_logout_is_refused(make, login, query):
    browser = login(make(factories.user, Role.OPERATOR))
    cookie = browser.client.get_cookie("session").value
    browser.post("/logout")
    assert browser.get("/intake").status_code == 302
    browser.client.set_cookie("session", cookie)
    response = browser.get("/intake")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _kinds(query) == ["account_created", "login", "logout"]


def test_logins_lock_outs_and_logouts_are_in_the_security_log(make, browser, clock, query):
    user = make(factories.user, Role.OPERATOR)
    for _ in range(5):
        clock.advance(minutes=1)
        browser.login(user.username, WRONG)
    events = query(
        lambda: [
            (e.kind, e.subject_user_id, e.ip)
            for e in db.session.scalars(
                select(SecurityEvent)
                .where(SecurityEvent.kind != "account_created")
                .order_by(SecurityEvent.id)
            )
        ]
    )
    assert [e[0] for e in events] == ["login_failed"] * 5 + ["locked_out"]
    assert {e[1] for e in events} == {user.id}
    assert {e[2] for e in events} == {"127.0.0.1"}


def test_the_security_log_refuses_changes(app, make, browser):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import DatabaseError

    browser.login("nobody", WRONG)
    with app.app_context():
        for sql in ("UPDATE security_events SET kind = 'login'", "DELETE FROM security_events"):
            with pytest.raises(DatabaseError, match="append-only"):
                db.session.execute(text(sql))
            db.session.rollback()


def test_one_ipv6_subscriber_is_throttled_across_its_64(make, app):
    from tests.conftest import Browser

    for i in range(10):
        browser = Browser(app)
        browser.client.environ_base["REMOTE_ADDR"] = f"2001:db8:1:2::{i + 1:x}"
        assert browser.login(f"guess{i}", WRONG).status_code == 401
    neighbour = Browser(app)
    neighbour.client.environ_base["REMOTE_ADDR"] = "2001:db8:1:2:ffff::1"
    assert neighbour.login("guess10", WRONG).status_code == 429
    elsewhere = Browser(app)
    elsewhere.client.environ_base["REMOTE_ADDR"] = "2001:db8:1:3::1"
    assert elsewhere.login("guess10", WRONG).status_code == 401


def test_a_login_while_the_hosts_password_checks_are_busy_is_answered_at_once(
    make, app, browser, query
):
    from pathlib import Path

    from hotline.services.accounts import hash_slot

    user = make(factories.user, Role.OPERATOR)
    with hash_slot.password_check(Path(app.instance_path), 1) as held:
        assert held  # another worker is checking a password
        busy = browser.login(user.username, factories.PASSWORD)
    assert busy.status_code == 429 and busy.headers["Retry-After"] == "1"
    assert "login_failed" not in _kinds(query)  # nothing counted, nothing hashed
    assert browser.login(user.username, factories.PASSWORD).status_code == 302


def test_an_address_told_to_wait_is_answered_before_flask(make, app, browser):
    for i in range(10):
        browser.login(f"guess{i}", WRONG)
    first = browser.login("guess10", WRONG)  # the view: the address must wait
    assert first.status_code == 429
    again = browser.client.post("/login", data={"username": "x", "password": "y"})
    assert again.status_code == 429 and "Set-Cookie" not in again.headers  # the gate
    assert again.headers["Content-Type"].startswith("text/plain")
    assert browser.get("/login").status_code == 200  # the page itself is still served


def test_a_username_in_other_letter_case_tells_nothing(make, app, clock):
    from tests.conftest import Browser

    make(factories.user, Role.OPERATOR, username="alice")
    answers = {}
    for name in ("alice", "bob"):  # alice has an account, bob has none
        browser = Browser(app)
        for _ in range(5):
            clock.advance(minutes=1)
            browser.login(name.upper(), WRONG)
        clock.advance(minutes=1)
        answers[name] = _error(browser.login(name, WRONG))
    assert answers["alice"] == answers["bob"] == (401, "用户名或密码错误")


def test_a_trusted_network_is_not_shut_out_by_one_persons_typing(make, app, clock):
    from tests.conftest import Browser

    app.config["LOGIN_TRUSTED_NETWORKS"] = ("10.0.0.0/8",)
    user = make(factories.user, Role.OPERATOR)
    browser = Browser(app)
    browser.client.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    for i in range(15):
        assert browser.login(f"typo{i}", WRONG).status_code == 401
    assert browser.login(user.username, factories.PASSWORD).status_code == 302
