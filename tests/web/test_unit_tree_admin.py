"""The admin's side of 接诉即办 co-handling: sub-units (科室, 社区/村) under a unit, and the
unit pairs allowed to transfer orders directly (转办)."""

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import Department, TransferRule
from hotline.plugins import db
from tests import factories

DONGCHENG = "东城区城市管理委员会"
HOUSING = "东城区住房和城乡建设委员会"


def test_an_admin_adds_a_sub_unit_and_a_transfer_rule(make, query, login):
    admin = login(make(factories.user, Role.SYSTEM_ADMIN))
    unit = query(lambda: factories.department(DONGCHENG).id)
    housing = query(lambda: factories.department(HOUSING).id)

    saved = admin.post(
        "/admin/departments",
        {"name": "东城区城市管理委员会执法一队", "kind": "urban_management", "parent_id": unit},
    )
    assert saved.status_code == 302
    squad = query(
        lambda: db.session.scalar(
            select(Department).where(Department.name == "东城区城市管理委员会执法一队")
        )
    )
    assert (squad.level, squad.parent_id) == ("sub_unit", unit)
    # One level only: the squad cannot have a sub-unit, nor its unit become one.
    deeper = admin.post(
        "/admin/departments",
        {"name": "执法一队一组", "kind": "urban_management", "parent_id": squad.id},
    )
    assert deeper.status_code == 200  # the form again, with the reason
    assert (
        query(
            lambda: db.session.scalar(select(Department).where(Department.name == "执法一队一组"))
        )
        is None
    )
    upward = admin.post(
        f"/admin/departments/{unit}",
        {"name": DONGCHENG, "kind": "urban_management", "parent_id": housing, "active": "on"},
    )
    assert "不能设为下属单位" in upward.get_data(as_text=True)

    admin.post("/admin/transfer-rules", {"from_department_id": unit, "to_department_id": housing})
    page = admin.get("/admin/transfer-rules").get_data(as_text=True)
    assert DONGCHENG in page and HOUSING in page
    again = admin.post(
        "/admin/transfer-rules", {"from_department_id": unit, "to_department_id": housing}
    )
    assert "已有规则" in again.get_data(as_text=True)
    itself = admin.post(
        "/admin/transfer-rules", {"from_department_id": unit, "to_department_id": unit}
    )
    assert itself.status_code == 200  # the form again, with the reason
    rule_id = query(lambda: db.session.scalar(select(TransferRule.id)))
    assert admin.post(f"/admin/transfer-rules/{rule_id}/delete", {}).status_code == 302
    assert query(lambda: db.session.scalar(select(TransferRule.id))) is None
    # Unit staff may not touch the rules.
    staff = login(make(factories.user, Role.DEPARTMENT, DONGCHENG))
    assert staff.get("/admin/transfer-rules").status_code == 403
