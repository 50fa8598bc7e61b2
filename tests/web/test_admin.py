from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import Category, Department, District
from hotline.plugins import db
from tests import factories


def test_admin_creates_a_department_user_who_can_log_in(make, query, login, browser):
    admin = login(make(factories.user, Role.ADMIN))
    dept_id = query(lambda: factories.department("东城区城市管理委员会").id)
    response = admin.post(
        "/admin/users",
        {
            "username": "li.si",
            "display_name": "李四",
            "role": "department",
            "department_id": dept_id,
            "password": "long-enough-password",
        },
    )
    assert response.status_code == 302
    assert browser.login("li.si", "long-enough-password").status_code == 302
    assert browser.get("/orders/queue").status_code == 200


def test_department_staff_need_a_department_and_passwords_a_length(make, login):
    admin = login(make(factories.user, Role.ADMIN))
    response = admin.post(
        "/admin/users",
        {"username": "x", "role": "department", "password": "short"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "承办人员必须属于一个单位" in page and "太短了" in page


def test_rules_and_jurisdictions_change_routing_at_once(make, query, login):
    admin = login(make(factories.user, Role.ADMIN))
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
    admin = login(make(factories.user, Role.ADMIN))
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
    admin = login(make(factories.user, Role.ADMIN))
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
    admin = login(make(factories.user, Role.ADMIN))
    make(factories.user, Role.OFFICIAL, username="leader")
    assert "leader" in admin.get("/admin/users").get_data(as_text=True)


def test_admin_issues_and_revokes_api_credentials(app, make, login):
    import re

    admin = login(make(factories.user, Role.ADMIN))
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

    official = make(factories.user, Role.OFFICIAL)
    page = admin.post(f"/admin/users/{official.id}/token").get_data(as_text=True)
    token = re.search(r"<code>([A-Za-z0-9_\-]{40,})</code>", page).group(1)
    response = app.test_client().get("/api/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_calendar_overrides_move_due_times_and_unknown_years_are_flagged(make, query, login):
    from datetime import UTC, datetime

    admin = login(make(factories.user, Role.ADMIN))
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

    admin = login(make(factories.user, Role.ADMIN))
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

    admin = login(make(factories.user, Role.ADMIN))
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
    admin = login(make(factories.user, Role.ADMIN))
    make(factories.user, Role.OFFICIAL, username="staff-lead")  # a person, whatever the name

    def synthetic_handler():
        user = factories.user(Role.DEPARTMENT, "东城区城市管理委员会", username="handler-bot")
        user.synthetic = True
        db.session.commit()

    query(synthetic_handler)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "staff-lead" in page and "handler-bot" not in page
