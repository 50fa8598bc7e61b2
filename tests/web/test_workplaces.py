"""A 120 desk account's workplace: the system administrator names the station or hospital,
the security administrator may give the role only then; the change is in the security log."""

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.models import Hospital, SecurityEvent, User
from hotline.plugins import db
from tests import factories


def test_a_hospital_desk_needs_its_hospital_before_its_role(app, make, login, query):
    make(factories.ambulances, 1)
    with app.app_context():
        db.session.add(Hospital(name="测试医院（合成）", lon=116.4, lat=39.9, synthetic=True))
        db.session.commit()
    hospital_id = query(lambda: db.session.scalar(select(Hospital.id)))
    desk = make(factories.user, Role.UNASSIGNED)
    system = login(make(factories.user, Role.SYSTEM_ADMIN))
    security = login(make(factories.user, Role.SECURITY_ADMIN))

    security.post(f"/admin/roles/{desk.id}", {"role": "hospital"})
    assert query(lambda: db.session.get(User, desk.id).role) == "unassigned"

    page = system.get(f"/admin/users/{desk.id}").get_data(as_text=True)
    assert "测试医院（合成）" in page
    answer = system.post(f"/admin/users/{desk.id}/workplace", {"hospital_id": str(hospital_id)})
    assert answer.status_code == 303
    assert query(lambda: db.session.get(User, desk.id).hospital_id) == hospital_id
    assert security.post(f"/admin/roles/{desk.id}", {"role": "hospital"}).status_code == 302
    assert query(lambda: db.session.get(User, desk.id).role) == "hospital"

    # Taking the hospital away from a hospital desk is refused; a wrong id too.
    system.post(f"/admin/users/{desk.id}/workplace", {"hospital_id": ""})
    system.post(f"/admin/users/{desk.id}/workplace", {"hospital_id": "999999"})
    assert query(lambda: db.session.get(User, desk.id).hospital_id) == hospital_id
    details = query(
        lambda: db.session.scalars(
            select(SecurityEvent.detail).where(
                SecurityEvent.kind == SecurityKind.DEPARTMENT_CHANGED,
                SecurityEvent.subject_user_id == desk.id,
            )
        ).all()
    )
    assert details == ["— → 测试医院（合成）"]
    # Only the system administrator sets workplaces.
    assert security.post(f"/admin/users/{desk.id}/workplace", {}).status_code == 403
