from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import Category, Department, District, User
from hotline.plugins import db
from tests import factories


def test_a_department_user_is_created_given_a_role_and_logs_in(make, query, login, browser):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    dept_id = query(lambda: factories.department("东城区城市管理委员会").id)
    response = admin.post(
        "/admin/users",
        {
            "username": "li.si",
            "display_name": "李四",
            "role": "department",  # not the system administrator's to give: ignored
            "department_id": dept_id,
            "password": "Initial-password-1",
        },
    )
    assert response.status_code == 302
    user = query(lambda: db.session.scalar(select(User).where(User.username == "li.si")))
    assert (user.role, user.department_id, user.must_change_password) == (
        "unassigned",
        dept_id,
        True,
    )
    security = login(make(factories.user, Role.SECURITY_ADMIN))
    assert security.post(f"/admin/roles/{user.id}", {"role": "department"}).status_code == 302
    assert (
        browser.login("li.si", "Initial-password-1")
        .headers["Location"]
        .endswith("/account/password")
    )
    changed = browser.post(
        "/account/password",
        {
            "current_password": "Initial-password-1",
            "new_password": "Own-password-2",
            "repeated": "Own-password-2",
        },
    )
    assert changed.status_code == 302
    assert browser.get("/orders/queue").status_code == 200


def test_a_new_account_needs_a_valid_password_and_department_staff_a_department(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    response = admin.post("/admin/users", {"username": "x", "password": "short"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "密码长度低于密码策略的要求" in page
    simple = admin.post("/admin/users", {"username": "x", "password": "onlylowercaseletters"})
    assert "至少使用小写字母、大写字母、数字、其他字符中的三类" in simple.get_data(as_text=True)
    staff = make(factories.user, Role.DEPARTMENT, "东城区城市管理委员会")
    moved = admin.post(
        f"/admin/users/{staff.id}", {"display_name": "x", "department_id": "", "active": "on"}
    )
    assert "承办人员必须属于一个单位" in moved.get_data(as_text=True)
    assert query(lambda: db.session.get(User, staff.id)).department_id == staff.department_id


def test_rules_and_jurisdictions_change_routing_at_once(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    category_id = query(
        lambda: db.session.scalar(select(Category.id).where(Category.code == "0401"))
    )
    target = query(lambda: factories.department("东城区人民政府办公室").id)
    admin.post("/admin/rules", {"category_id": category_id, "department_id": target})
    order = make(factories.order)
    assert (
        query(lambda: db.session.get(Department, order.department_id).name)
        == "东城区人民政府办公室"
    )
    assert order.routing_reason == "explicit_rule_city"
    duplicate = admin.post("/admin/rules", {"category_id": category_id, "department_id": target})
    assert "已有规则" in duplicate.get_data(as_text=True)


def test_admin_moves_a_department_to_another_district(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    dept = query(lambda: factories.department("朝阳区城市管理委员会"))
    yanqing = query(lambda: db.session.scalar(select(District.id).where(District.name == "延庆区")))
    response = admin.post(
        f"/admin/departments/{dept.id}",
        {"name": dept.name, "kind": "urban_management", "district_id": yanqing, "active": "on"},
    )
    assert response.status_code == 302
    # 延庆区 now has two urban-management bodies; the lower id (its own) still wins there.
    order = make(factories.order, lon="116.3964", lat="39.9929")  # 朝阳区: none left there
    assert order.state == "registered" and order.routing_reason == "no_department"


def test_categories_are_two_levels_only(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    minor = query(lambda: db.session.scalar(select(Category.id).where(Category.code == "0401")))
    response = admin.post(
        "/admin/categories",
        {"code": "040101", "name": "三级", "parent_id": minor, "active": "on"},
    )
    assert "上级必须是大类" in response.get_data(as_text=True)
    ok = admin.post(
        "/admin/categories",
        {
            "code": "0406",
            "name": "光污染",
            "parent_id": query(
                lambda: db.session.scalar(select(Category.id).where(Category.code == "04"))
            ),
            "department_kind": "environment",
            "time_limit": "10",
            "active": "on",
        },
    )
    assert ok.status_code == 302
    order = make(factories.order, category_code="0406")
    assert query(lambda: db.session.get(Department, order.department_id).name) == "东城区生态环境局"


def test_new_accounts_are_listed(make, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    make(factories.user, Role.OFFICIAL, username="leader")
    assert "leader" in admin.get("/admin/users").get_data(as_text=True)


def test_the_security_admin_issues_and_revokes_open311_keys(app, make, login):
    import re

    admin = login(make(factories.user, Role.SECURITY_ADMIN))
    page = admin.post("/admin/api-clients", {"name": "wechat-mini"}).get_data(as_text=True)
    key = re.search(r"<code>([A-Za-z0-9_\-]{40,})</code>", page).group(1)
    ok = app.test_client().post(
        "/open311/v2/requests.json",
        data={
            "api_key": key,
            "service_code": "0401",
            "lat": "39.9087",
            "long": "116.3975",
            "description": "噪音",
        },
    )
    assert ok.status_code == 201
    client_id = re.search(r"/admin/api-clients/(\d+)/revoke", page).group(1)
    admin.post(f"/admin/api-clients/{client_id}/revoke")
    again = app.test_client().post("/open311/v2/requests.json", data={"api_key": key})
    assert again.status_code == 403


def test_calendar_overrides_move_due_times_and_unknown_years_are_flagged(make, query, login):
    from datetime import UTC, datetime

    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    page = admin.get("/admin/calendar").get_data(as_text=True)
    assert "2027" in page  # the package knows holidays up to 2026: a visible warning
    # Received Fri 20 Nov 2026: five working days end Fri 27 Nov; a typhoon day on
    # Wed 25 Nov pushes that to Mon 30 Nov.
    before = make(factories.order)
    assert before.due_at == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    admin.post("/admin/calendar", {"day": "2026-11-25", "kind": "off", "note": "台风停工"})
    assert "台风停工" in admin.get("/admin/calendar").get_data(as_text=True)
    after = make(factories.order)
    assert after.due_at == datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert admin.post("/admin/calendar", {"day": "someday"}).status_code == 200
    admin.post("/admin/calendar/2026-11-25/delete")
    assert make(factories.order).due_at == before.due_at


def test_categories_can_count_in_hours(make, query, login):
    from datetime import UTC, datetime

    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    category = query(lambda: db.session.scalar(select(Category).where(Category.code == "0303")))
    admin.post(
        f"/admin/categories/{category.id}",
        {
            "code": "0303",
            "name": category.name,
            "parent_id": category.parent_id,
            "department_kind": "gas_utility",
            "time_limit": "2",
            "time_limit_unit": "calendar_hours",
            "active": "on",
        },
    )
    order = make(factories.order, category_code="0303")
    assert order.due_at == datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # NOW + 2 h


def test_time_limit_rules_by_type_and_priority(make, query, login):
    from datetime import timedelta

    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    category = query(lambda: db.session.scalar(select(Category).where(Category.code == "0401")))
    rule = {
        "order_type": "complaint",
        "category_id": category.id,
        "priority": "urgent",
        "amount": "6",
        "unit": "calendar_hours",
        "warning_percent": "75",
    }
    response = admin.post("/admin/time-limits", rule, follow_redirects=True)
    assert "已保存" in response.get_data(as_text=True)
    page = admin.get("/admin/time-limits").get_data(as_text=True)
    assert "75%" in page and "紧急" in page
    bad = admin.post(
        "/admin/time-limits", {"amount": "3", "unit": "working_days", "warning_percent": "80"}
    )
    assert "至少选择" in bad.get_data(as_text=True)
    urgent = make(factories.order, urgent="on")
    assert urgent.due_at == factories.NOW + timedelta(hours=6)
    assert urgent.warn_at == factories.NOW + timedelta(hours=4, minutes=30)
    assert make(factories.order).time_limit_unit == "working_days"
    operator = login(make(factories.user, Role.OPERATOR))
    assert operator.get("/admin/time-limits").status_code == 403


def test_synthetic_staff_are_left_out_of_the_user_list_by_their_flag(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    make(factories.user, Role.OFFICIAL, username="staff-lead")  # a person, whatever the name

    def synthetic_handler():
        user = factories.user(Role.DEPARTMENT, "东城区城市管理委员会", username="handler-bot")
        user.synthetic = True
        db.session.commit()

    query(synthetic_handler)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "staff-lead" in page and "handler-bot" not in page


def test_an_admin_sets_a_category_s_hotspot_and_duplicate_thresholds(make, query, login):
    from hotline.models import DuplicateRule
    from hotline.services.orders import duplicates

    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    category = query(lambda: db.session.scalar(select(Category).where(Category.code == "0401")))
    form = {
        "code": category.code,
        "name": category.name,
        "parent_id": category.parent_id,
        "department_kind": category.department_kind,
        "time_limit_unit": category.time_limit_unit,
        "active": "on",
        "hotspot_min_orders": "8",
        "hotspot_radius_m": "150",
        "duplicate_radius_m": "50",
        "duplicate_window_hours": "12",
    }
    assert admin.post(f"/admin/categories/{category.id}", form).status_code == 302
    rule = query(lambda: duplicates.thresholds_for(db.session, category.id))
    assert (rule.radius_m, rule.window_hours) == (50, 12)
    page = admin.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert 'value="50"' in page and 'value="150"' in page  # the form shows what is set
    bad = admin.post(f"/admin/categories/{category.id}", {**form, "duplicate_radius_m": "5"})
    assert bad.status_code == 200  # the form again, with the reason
    cleared = {**form, "duplicate_radius_m": "", "duplicate_window_hours": ""}
    assert admin.post(f"/admin/categories/{category.id}", cleared).status_code == 302
    assert query(lambda: db.session.get(DuplicateRule, category.id)) is None
