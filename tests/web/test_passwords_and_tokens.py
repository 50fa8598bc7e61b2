"""Passwords (forced change, history, expiry, self-service) and credentials (API tokens that
expire and are revoked, Open311 keys, terminal tokens), each change in the security log."""

import re
from datetime import timedelta

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.models import SecurityEvent, User
from hotline.plugins import db
from hotline.services.accounts import sessions
from tests import factories
from tests.conftest import Browser

TOKEN = re.compile(r"<code>([A-Za-z0-9_\-]{40,})</code>")


def _kinds(query, user_id: int) -> list[str]:
    return query(
        lambda: list(
            db.session.scalars(
                select(SecurityEvent.kind)
                .where(SecurityEvent.subject_user_id == user_id)
                .order_by(SecurityEvent.id)
            )
        )
    )


def _change(browser, current: str, new: str, repeated: str | None = None):
    response = browser.post(
        "/account/password",
        {"current_password": current, "new_password": new, "repeated": repeated or new},
    )
    if response.status_code == 302:
        browser.refresh_token("/account/password")  # a new session: a new CSRF token
    return response


def _not_in_the_cookie(app, response, secret: str) -> bool:
    """Whether the session cookie this response sets (if any) is free of `secret`."""
    cookie = response.headers.get("Set-Cookie", "")
    if not cookie.startswith("session="):
        return True
    value = cookie.split(";")[0].removeprefix("session=")
    session = app.session_interface.get_signing_serializer(app).loads(value)
    return secret not in repr(session)


def _created_by_the_system_administrator(make, query, login, username="chen"):
    system = login(make(factories.user, Role.SYSTEM_ADMIN))
    system.post("/admin/users", {"username": username, "password": "Initial-pass-12"})
    user = query(lambda: db.session.scalar(select(User).where(User.username == username)))
    security = login(make(factories.user, Role.SECURITY_ADMIN))
    security.post(f"/admin/roles/{user.id}", {"role": "operator"})
    return user


def test_an_account_an_administrator_created_must_change_its_password_first(
    app, make, query, login, browser
):
    user = _created_by_the_system_administrator(make, query, login)
    response = browser.login("chen", "Initial-pass-12")
    assert response.headers["Location"] == "/account/password"
    for url in ("/intake", "/orders", "/"):
        assert browser.get(url).headers["Location"] == "/account/password", url
    api = browser.get("/orders", headers={"Accept": "application/json"})
    assert api.status_code == 403 and api.get_json()["error"] == "password_change_required"
    page = browser.get("/account/password").get_data(as_text=True)
    assert "您的密码由管理员设置或已过期" in page and "至少 10 个字符" in page
    assert _change(browser, "Initial-pass-12", "New-pass-3456", "New-pass-345X").status_code == 303
    assert "两次输入的新密码不一致" in browser.get("/account/password").get_data(as_text=True)
    assert _change(browser, "Initial-pass-12", "Initial-pass-12").status_code == 303
    assert "该密码近期使用过" in browser.get("/account/password").get_data(as_text=True)
    assert _change(browser, "Initial-pass-12", "New-pass-3456").status_code == 302
    assert browser.get("/intake").status_code == 200
    assert not query(lambda: db.session.get(User, user.id)).must_change_password
    assert _kinds(query, user.id)[-2:] == ["login", "password_changed"]


def test_none_of_the_last_five_passwords_comes_back(make, query, login):
    user = make(factories.user, Role.OPERATOR)
    browser = login(user)
    current = factories.PASSWORD
    for n in range(1, 6):
        new = f"Rotated-pass-{n}"
        assert _change(browser, current, new).status_code == 302, n
        current = new
    # The last five are Rotated-pass-1 .. -5: the first of them is refused, the factory's
    # original (six changes ago) is allowed again.
    assert _change(browser, current, "Rotated-pass-1").status_code == 303
    assert "该密码近期使用过" in browser.get("/account/password").get_data(as_text=True)
    assert _change(browser, current, factories.PASSWORD).status_code == 302
    events = query(
        lambda: db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == SecurityKind.PASSWORD_CHANGED)
        ).all()
    )
    assert len(events) == 6
    assert {(e.actor_id, e.subject_user_id, e.detail) for e in events} == {
        (user.id, user.id, "changed by its holder")
    }


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(make, query, login):
    user = make(factories.user, Role.OPERATOR)
    here, elsewhere = login(user), login(user)
    assert _change(here, factories.PASSWORD, "Changed-pass-77").status_code == 302
    assert here.get("/intake").status_code == 200
    assert elsewhere.get("/intake").status_code == 302
    assert query(lambda: sessions.live_count(db.session, user_id=user.id)) == 1


def test_a_wrong_current_password_counts_as_a_failed_login(make, query, login):
    user = make(factories.user, Role.OPERATOR)
    browser = login(user)
    for _ in range(4):
        assert _change(browser, "not my password", "Changed-pass-77").status_code == 303
    assert "密码错误" in browser.get("/account/password").get_data(as_text=True)
    assert _change(browser, "not my password", "Changed-pass-77").status_code == 303
    # The fifth locks the account and ends its sessions: a borrowed session cannot go on.
    assert browser.get("/intake").status_code == 302
    assert _kinds(query, user.id).count("login_failed") == 5
    assert "locked_out" in _kinds(query, user.id)


def test_an_expired_password_must_be_changed(app, make, query, clock):
    app.config["PASSWORD_MAX_AGE_DAYS"] = 30
    user = make(factories.user, Role.OPERATOR)
    browser = Browser(app)
    assert browser.login(user.username).headers["Location"] == "/"
    browser.post("/logout")
    clock.advance(days=31)
    assert browser.login(user.username).headers["Location"] == "/account/password"
    assert browser.get("/intake").headers["Location"] == "/account/password"
    assert query(lambda: db.session.get(User, user.id)).must_change_password


def test_api_tokens_need_the_admins_password_again_expire_and_are_revoked(
    app, make, query, login, monkeypatch
):
    import hotline.web.api.tokens

    security_user = make(factories.user, Role.SECURITY_ADMIN)
    security = login(security_user)
    official = make(factories.user, Role.OFFICIAL)
    wrong = security.post(
        "/admin/tokens/users", {"user_id": official.id, "actor_password": "a guess"}
    )
    assert wrong.status_code == 303
    assert "密码错误" in security.get("/admin/tokens").get_data(as_text=True)
    assert query(lambda: db.session.get(User, official.id)).api_token_hash is None
    failed = query(
        lambda: db.session.scalars(
            select(SecurityEvent).where(SecurityEvent.kind == SecurityKind.LOGIN_FAILED)
        ).one()
    )
    assert failed.subject_user_id == security_user.id and failed.detail == "password"

    page = security.post(
        "/admin/tokens/users", {"user_id": official.id, "actor_password": factories.PASSWORD}
    )
    token = TOKEN.search(page.get_data(as_text=True))[1]
    assert page.status_code == 200 and _not_in_the_cookie(app, page, token)  # not flashed
    client = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/orders", headers=bearer).status_code == 200
    holder = query(lambda: db.session.get(User, official.id))
    assert holder.api_token_expires_at - holder.created_at > timedelta(days=89)
    listed = security.get("/admin/tokens").get_data(as_text=True)
    assert official.username in listed

    later = holder.api_token_expires_at + timedelta(seconds=1)
    monkeypatch.setattr(hotline.web.api.tokens, "utcnow", lambda: later)
    assert client.get("/api/v1/orders", headers=bearer).status_code == 401
    monkeypatch.undo()
    assert client.get("/api/v1/orders", headers=bearer).status_code == 200
    security.post(f"/admin/tokens/users/{official.id}/revoke")
    assert client.get("/api/v1/orders", headers=bearer).status_code == 401
    issued, revoked = (
        query(
            lambda kind=kind: db.session.scalars(
                select(SecurityEvent).where(SecurityEvent.kind == kind)
            ).one()
        )
        for kind in (SecurityKind.TOKEN_ISSUED, SecurityKind.TOKEN_REVOKED)
    )
    for event in (issued, revoked):
        assert (event.actor_id, event.subject_user_id, event.ip) == (
            security_user.id,
            official.id,
            "127.0.0.1",
        )
    assert issued.detail.startswith("valid until ")


def test_open311_keys_and_terminal_tokens_are_logged(app, make, query, login):
    [vehicle_id] = make(factories.ambulances, 1)
    security_user = make(factories.user, Role.SECURITY_ADMIN)
    security = login(security_user)
    page = security.post("/admin/api-clients", {"name": "miniapp"}).get_data(as_text=True)
    client_id = re.search(r"/admin/api-clients/(\d+)/revoke", page)[1]
    security.post(f"/admin/api-clients/{client_id}/revoke")
    issued = security.post(f"/admin/tokens/vehicles/{vehicle_id}")
    token = TOKEN.search(issued.get_data(as_text=True))[1]
    assert issued.status_code == 200 and _not_in_the_cookie(app, issued, token)
    position = {"lon": 116.4, "lat": 39.9}
    bearer = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    url = f"/api/v1/vehicles/{vehicle_id}/positions"
    assert client.post(url, json=position, headers=bearer).status_code == 201
    security.post(f"/admin/tokens/vehicles/{vehicle_id}/revoke")
    assert client.post(url, json=position, headers=bearer).status_code == 401
    rows = query(
        lambda: [
            (e.kind, e.actor_id, e.detail.split(";")[0])
            for e in db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))
            if e.kind != SecurityKind.ACCOUNT_CREATED and e.kind != SecurityKind.LOGIN
        ]
    )
    me, vehicle = security_user.id, f"vehicle: T1-000 (#{vehicle_id})"
    assert rows == [
        ("api_key_issued", me, "client: miniapp"),
        ("api_key_revoked", me, "client: miniapp"),
        ("terminal_token_issued", me, vehicle),
        ("terminal_token_revoked", me, vehicle),
    ]
    # The system administrator keeps the vehicles, not their credentials.
    system = login(make(factories.user, Role.SYSTEM_ADMIN))
    assert system.post(f"/admin/tokens/vehicles/{vehicle_id}").status_code == 403
    assert "终端令牌" not in system.get("/admin/ems").get_data(as_text=True)
