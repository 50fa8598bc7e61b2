"""三员分立: the system, security and audit administrators, each with their own pages, none
with another's powers, and every change to accounts in the security log."""

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.models import SecurityEvent, User
from hotline.plugins import db
from hotline.services.accounts import security_log, sessions
from tests import factories
from tests.conftest import Browser

PAGES = {
    Role.SYSTEM_ADMIN: [
        "/admin/users",
        "/admin/departments",
        "/admin/rules",
        "/admin/time-limits",
        "/admin/calendar",
        "/admin/ems",
    ],
    Role.SECURITY_ADMIN: [
        "/admin/roles",
        "/admin/security-policy",
        "/admin/api-clients",
        "/admin/tokens",
    ],
    Role.AUDIT_ADMIN: ["/admin/security-log", "/admin/audit-trail"],
}


def _events(query, kind: SecurityKind) -> list[tuple]:
    return query(
        lambda: [
            (e.actor_id, e.subject_user_id, e.ip, e.detail)
            for e in db.session.scalars(
                select(SecurityEvent).where(SecurityEvent.kind == kind).order_by(SecurityEvent.id)
            )
        ]
    )


@pytest.mark.parametrize("role", list(PAGES))
def test_each_administrator_opens_their_pages_and_not_the_others(make, login, role):
    browser = login(make(factories.user, role))
    home = browser.get("/")
    assert home.headers["Location"] == PAGES[role][0]
    for other, urls in PAGES.items():
        for url in urls:
            assert browser.get(url).status_code == (200 if other is role else 403), (role, url)
    for url in ("/orders", "/intake", "/ems", "/notices"):
        assert browser.get(url).status_code == 403, (role, url)


def test_nobody_changes_their_own_role(make, query, login):
    security = make(factories.user, Role.SECURITY_ADMIN)
    browser = login(security)
    page = browser.get("/admin/roles").get_data(as_text=True)
    assert f"/admin/roles/{security.id}" not in page and "（本人）" in page
    refused = browser.post(f"/admin/roles/{security.id}", {"role": "system_admin"})
    assert refused.status_code == 303
    assert "任何人都不能变更自己的角色" in browser.get("/admin/roles").get_data(as_text=True)
    assert query(lambda: db.session.get(User, security.id)).role == "security_admin"
    assert _events(query, SecurityKind.ROLE_CHANGED) == []


def test_the_system_administrator_gives_no_role_and_cannot_take_over_an_administrator(
    make, query, login
):
    system = login(make(factories.user, Role.SYSTEM_ADMIN))
    security = make(factories.user, Role.SECURITY_ADMIN)
    operator = make(factories.user, Role.OPERATOR)
    assert system.post(f"/admin/roles/{operator.id}", {"role": "supervisor"}).status_code == 403
    takeover = {"display_name": "x", "department_id": "", "active": "on"}
    reset = system.post(f"/admin/users/{security.id}", {**takeover, "password": "Taken-over-1234"})
    assert "管理员账号只能由本人或在服务器控制台修改" in reset.get_data(as_text=True)
    deactivated = system.post(f"/admin/users/{security.id}", {"display_name": "x"})
    assert "管理员账号只能由本人或在服务器控制台修改" in deactivated.get_data(as_text=True)
    after = query(lambda: db.session.get(User, security.id))
    assert after.active and after.password_hash == security.password_hash
    renamed = system.post(f"/admin/users/{security.id}", {**takeover, "display_name": "安全员"})
    assert renamed.status_code == 302  # the name is not a power


def test_the_security_administrator_gives_roles_and_department_staff_need_a_department(
    make, query, login
):
    system = login(make(factories.user, Role.SYSTEM_ADMIN))
    security = login(make(factories.user, Role.SECURITY_ADMIN))
    system.post("/admin/users", {"username": "wang", "password": "Initial-pass-12"})
    wang = query(lambda: db.session.scalar(select(User).where(User.username == "wang")))
    assert wang.role == "unassigned" and wang.department_id is None
    security.post(f"/admin/roles/{wang.id}", {"role": "department"})
    page = security.get("/admin/roles").get_data(as_text=True)
    assert "承办人员必须属于一个单位" in page
    assert query(lambda: db.session.get(User, wang.id)).role == "unassigned"
    security.post(f"/admin/roles/{wang.id}", {"role": "audit_admin"})
    assert query(lambda: db.session.get(User, wang.id)).role == "audit_admin"
    assert security.post(f"/admin/roles/{wang.id}", {"role": "root"}).status_code == 303
    assert query(lambda: db.session.get(User, wang.id)).role == "audit_admin"


def test_an_unassigned_account_may_change_its_password_and_nothing_else(make, login):
    browser = login(make(factories.user, Role.UNASSIGNED))
    home = browser.get("/", follow_redirects=True).get_data(as_text=True)
    assert "您的账号尚未授权角色" in home
    for url in ("/orders", "/admin/users", "/admin/roles", "/admin/security-log", "/notices"):
        assert browser.get(url).status_code == 403, url


def test_account_changes_are_in_the_security_log(app, make, query, login):
    system_user = make(factories.user, Role.SYSTEM_ADMIN)
    system = login(system_user)
    security_user = make(factories.user, Role.SECURITY_ADMIN)
    security = login(security_user)
    dongcheng = query(lambda: factories.department("东城区城市管理委员会").id)
    chaoyang = query(lambda: factories.department("朝阳区城市管理委员会").id)
    system.post(
        "/admin/users",
        {"username": "zhao", "password": "Initial-pass-12", "department_id": dongcheng},
    )
    zhao = query(lambda: db.session.scalar(select(User).where(User.username == "zhao")))
    security.post(f"/admin/roles/{zhao.id}", {"role": "department"})
    Browser(app).login("zhao", "Initial-pass-12")  # a session for the deactivation to end
    assert query(lambda: sessions.live_count(db.session, user_id=zhao.id)) == 1
    edit = {"display_name": "赵", "department_id": chaoyang, "active": "on"}
    system.post(f"/admin/users/{zhao.id}", edit)
    system.post(f"/admin/users/{zhao.id}", {**edit, "password": "Reset-by-admin-3"})
    system.post(f"/admin/users/{zhao.id}", {"display_name": "赵", "department_id": chaoyang})
    system.post(f"/admin/users/{zhao.id}", edit)

    sys_id, sec_id, ip = system_user.id, security_user.id, "127.0.0.1"
    created = _events(query, SecurityKind.ACCOUNT_CREATED)
    assert created[-1] == (
        sys_id,
        zhao.id,
        ip,
        "role: unassigned; department: 东城区城市管理委员会",
    )
    assert _events(query, SecurityKind.ROLE_CHANGED) == [
        (sec_id, zhao.id, ip, "unassigned → department")
    ]
    assert _events(query, SecurityKind.DEPARTMENT_CHANGED) == [
        (sys_id, zhao.id, ip, "东城区城市管理委员会 → 朝阳区城市管理委员会")
    ]
    assert _events(query, SecurityKind.PASSWORD_CHANGED) == [
        (sys_id, zhao.id, ip, "reset by an administrator")
    ]
    assert _events(query, SecurityKind.ACCOUNT_DEACTIVATED) == [(sys_id, zhao.id, ip, "")]
    assert _events(query, SecurityKind.ACCOUNT_REACTIVATED) == [(sys_id, zhao.id, ip, "")]
    assert query(lambda: sessions.live_count(db.session, user_id=zhao.id)) == 0
    after = query(lambda: db.session.get(User, zhao.id))
    assert after.must_change_password and after.active


def test_the_policy_is_the_security_administrators_and_is_logged(make, query, login, browser):
    security_user = make(factories.user, Role.SECURITY_ADMIN)
    security = login(security_user)
    page = security.get("/admin/security-policy").get_data(as_text=True)
    assert 'name="min_length"' in page and 'value="10"' in page
    policy = {
        "min_length": "12",
        "history": "5",
        "max_age_days": "90",
        "max_failures": "3",
        "lock_minutes": "10",
    }
    assert security.post("/admin/security-policy", {**policy, "min_length": "6"}).status_code == 200
    assert security.post("/admin/security-policy", policy).status_code == 302
    [(actor, _subject, _ip, detail)] = _events(query, SecurityKind.SETTINGS_CHANGED)
    assert actor == security_user.id
    assert detail == "min_length: 10 → 12; max_age_days: 0 → 90; max_failures: 5 → 3"
    operator = make(factories.user, Role.OPERATOR)
    for _ in range(3):
        browser.login(operator.username, "wrong password")
    assert query(lambda: db.session.get(User, operator.id)).locked_until is not None
    system = login(make(factories.user, Role.SYSTEM_ADMIN))
    short = system.post("/admin/users", {"username": "qian", "password": "Eleven-ch1"})
    assert "密码长度低于密码策略的要求" in short.get_data(as_text=True)


def test_the_audit_administrator_filters_and_pages_the_security_log(make, query, login, app):
    auditor = login(make(factories.user, Role.AUDIT_ADMIN))
    operator = make(factories.user, Role.OPERATOR, username="sun")
    with app.app_context():
        for minute in range(60):
            security_log.record_alone(
                db.session,
                SecurityKind.LOGIN_FAILED,
                now=factories.NOW.replace(minute=minute),
                subject_user_id=operator.id,
                username="sun",
                ip="192.0.2.1",
            )
        security_log.record_alone(
            db.session, SecurityKind.LOGIN_FAILED, now=factories.NOW, username="nobody-42"
        )
    first = auditor.get("/admin/security-log?kind=login_failed&username=sun")
    text = first.get_data(as_text=True)
    assert text.count("<td>192.0.2.1</td>") == 50 and "登录失败" in text and "nobody-42" not in text
    older = text.split('href="/admin/security-log?')[1].split('"')[0].replace("&amp;", "&")
    assert "before=" in older and "kind=login_failed" in older and "username=sun" in older
    rest = auditor.get(f"/admin/security-log?{older}").get_data(as_text=True)
    assert rest.count("<td>192.0.2.1</td>") == 10 and "更早" not in rest
    unknown = auditor.get("/admin/security-log?username=nobody-42").get_data(as_text=True)
    assert "nobody-42" in unknown and "192.0.2.1" not in unknown
    # 2026-11-20 10:00 in Beijing: the day before shows nothing.
    day_before = auditor.get("/admin/security-log?from=2026-11-19&to=2026-11-19")
    assert "192.0.2.1" not in day_before.get_data(as_text=True)
    same_day = auditor.get("/admin/security-log?from=2026-11-20&to=2026-11-20&kind=bogus")
    assert "192.0.2.1" in same_day.get_data(as_text=True)


def test_the_audit_administrator_reads_the_audit_trail_across_orders(make, login):
    desk = make(factories.user, Role.DESK, username="desk-zhou")
    first = make(factories.order, actor=desk)
    second = make(factories.order)
    auditor = login(make(factories.user, Role.AUDIT_ADMIN))
    everything = auditor.get("/admin/audit-trail").get_data(as_text=True)
    assert first.number in everything and second.number in everything
    by_number = auditor.get(f"/admin/audit-trail?order={first.number}").get_data(as_text=True)
    assert by_number.count(first.number) >= 1 and by_number.count("<tr>") == 2
    by_actor = auditor.get("/admin/audit-trail?username=desk-zhou").get_data(as_text=True)
    assert first.number in by_actor and "desk-zhou" in by_actor
    nobody = auditor.get("/admin/audit-trail?username=no-such-user").get_data(as_text=True)
    assert first.number not in nobody
    # Read only: there is nothing to post to.
    assert auditor.post("/admin/audit-trail").status_code == 405


def test_the_services_check_the_table_too(app, make):
    from hotline.services.accounts import credentials
    from hotline.services.accounts import users as accounts
    from hotline.services.errors import Forbidden

    system = make(factories.user, Role.SYSTEM_ADMIN)
    security = make(factories.user, Role.SECURITY_ADMIN)
    operator = make(factories.user, Role.OPERATOR)
    forged = [
        lambda: accounts.set_role(
            db.session, user_id=operator.id, role="desk", actor_id=system.id, now=factories.NOW
        ),
        lambda: accounts.create_user(
            db.session,
            username="x1",
            display_name="",
            password="Initial-pass-12",
            hash_method="scrypt:1024:8:1",
            now=factories.NOW,
            actor_id=security.id,
        ),
        lambda: accounts.create_user(  # the system administrator may not give a role
            db.session,
            username="x2",
            display_name="",
            password="Initial-pass-12",
            hash_method="scrypt:1024:8:1",
            now=factories.NOW,
            role="supervisor",
            actor_id=system.id,
        ),
        lambda: credentials.revoke_user_token(
            db.session, user_id=operator.id, now=factories.NOW, actor_id=system.id
        ),
    ]
    with app.app_context():
        for attempt in forged:
            with pytest.raises(Forbidden):
                attempt()
        assert db.session.scalar(select(User.id).where(User.username.in_(["x1", "x2"]))) is None
