"""并单: candidates from the database, the desk's merge and unmerge, and the merged orders
closing with their master (each caller's SMS and survey)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import Action, State
from hotline.models import DuplicateRule, Notification, Survey, WorkOrder
from hotline.plugins import db
from hotline.services.errors import Forbidden, NotFound, ValidationFailed
from hotline.services.orders import duplicates, queries
from hotline.services.reports import kpis
from hotline.services.reports.scope import Window
from tests import factories
from tests.factories import NOW, TIANANMEN, act

DONGCHENG = "东城区城市管理委员会"
NEAR = (TIANANMEN[0], TIANANMEN[1] + 0.0003)  # ~33 m north
FAR = (TIANANMEN[0], TIANANMEN[1] + 0.01)  # ~1.1 km north


def _order(phone: str, text: str, point=TIANANMEN, minutes: int = 0) -> WorkOrder:
    return factories.order(
        now=NOW + timedelta(minutes=minutes),
        caller_phone=phone,
        description=text,
        lon=str(point[0]),
        lat=str(point[1]),
    )


def _actions(order: WorkOrder) -> list[str]:
    return [e.action for e in queries.timeline(db.session, order)]


def test_candidates_are_near_recent_and_alike(any_app):
    with any_app.app_context():
        desk = factories.user(Role.DESK)
        first = _order("13800138001", "东长安街工地夜间施工噪音扰民")
        same = _order("13800138002", "半夜工地施工噪音太吵了", NEAR, 30)
        _order("13800138003", "半夜工地施工噪音太吵了", FAR, 40)  # too far
        _order("13800138004", "楼下餐馆油烟扰民", NEAR, 50)  # other words
        found = duplicates.similar_to_order(db.session, actor=desk, number=same.number)
        assert [c["number"] for c in found] == [first.number]
        assert 30 < found[0]["distance_m"] < 37 and 0 < found[0]["score"] <= 1
        # The admin's rule for the category: a radius of 2 km finds the far one too.
        db.session.add(DuplicateRule(category_id=first.category_id, radius_m=2000, window_hours=72))
        db.session.commit()
        found = duplicates.similar_to_order(db.session, actor=desk, number=same.number)
        assert len(found) == 2
        draft = duplicates.similar_to_draft(
            db.session,
            actor=desk,
            category_code="0401",
            lon=NEAR[0],
            lat=NEAR[1],
            text="工地夜间施工噪音",
            now=NOW + timedelta(hours=1),
        )
        assert first.number in {c["number"] for c in draft}


def test_department_staff_see_only_their_units_candidates(app):
    with app.app_context():
        other = factories.user(Role.DEPARTMENT, "朝阳区城市管理委员会")
        first = _order("13800138001", "东长安街工地夜间施工噪音扰民")
        _order("13800138002", "东长安街工地夜间施工噪音扰民", NEAR, 5)
        with pytest.raises(NotFound):
            duplicates.similar_to_order(db.session, actor=other, number=first.number)
        own = factories.user(Role.DEPARTMENT, DONGCHENG)
        assert len(duplicates.similar_to_order(db.session, actor=own, number=first.number)) == 1


def test_merge_close_with_the_master_and_unmerge(any_app):
    with any_app.app_context():
        desk = factories.user(Role.DESK)
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        master = _order("13800138001", "东长安街工地夜间施工噪音扰民")
        follower = _order("13800138002", "东长安街半夜工地施工噪音", NEAR, 10)
        undone = _order("13800138003", "东长安街工地夜间施工噪音", NEAR, 20)
        with pytest.raises(Forbidden):
            duplicates.merge(
                db.session,
                actor_id=staff.id,
                number=follower.number,
                master_number=master.number,
                now=NOW,
            )
        for order in (follower, undone):
            duplicates.merge(
                db.session,
                actor_id=desk.id,
                number=order.number,
                master_number=master.number,
                now=NOW,
            )
        assert follower.master_id == master.id and follower.department_id is None
        # It left the unit's queue; no action applies to it while merged.
        assert {o.number for o in queries.department_queue(db.session, staff)} == {master.number}
        with pytest.raises(NotFound):  # no longer the unit's
            act(staff, follower.number, Action.ACCEPT)
        with pytest.raises(ValidationFailed, match="merged"):
            act(desk, follower.number, Action.REROUTE, "改派", department_id=staff.department_id)
        with pytest.raises(ValidationFailed):  # a master cannot follow another
            duplicates.merge(
                db.session,
                actor_id=desk.id,
                number=master.number,
                master_number=follower.number,
                now=NOW,
            )
        # Undone: back to its unit, audited on both sides.
        back = duplicates.unmerge(db.session, actor_id=desk.id, number=undone.number, now=NOW)
        assert back.master_id is None and back.department_id == master.department_id
        assert _actions(undone)[-2:] == [AuditAction.MERGE, AuditAction.UNMERGE]
        assert _actions(master).count(AuditAction.MERGE) == 2
        assert _actions(master).count(AuditAction.UNMERGE) == 1
        # The master is handled and closed: the follower closes with it, its caller told.
        act(staff, master.number, Action.ACCEPT)
        act(staff, master.number, Action.REPLY, "已责令施工单位夜间停工。")
        act(desk, master.number, Action.APPROVE)
        db.session.refresh(follower)
        assert follower.state == State.CLOSED.value
        assert follower.reply_text == "已责令施工单位夜间停工。"
        # The unit's workload counts the master once; 受理量 counts both.
        assert follower.department_id is None
        window = Window(NOW - timedelta(days=1), NOW + timedelta(days=1))
        counts = kpis.counts_by_department(db.session, window)
        unit = counts[master.department_id]
        assert (unit.routed, unit.closed) == (2, 1)  # the master, and the unmerged one
        assert kpis.total(counts).received == 3
        sms = db.session.scalars(
            select(Notification.order_id).where(Notification.channel == "sms")
        ).all()
        assert master.id in sms and follower.id in sms
        surveyed = set(db.session.scalars(select(Survey.order_id)))
        assert {master.id, follower.id} <= surveyed and undone.id not in surveyed
        assert undone.state == State.ROUTED.value


def test_cancelling_a_master_frees_its_merged_orders(app):
    with app.app_context():
        desk = factories.user(Role.DESK)
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        master = _order("13800138001", "东长安街工地夜间施工噪音扰民")
        follower = _order("13800138002", "东长安街半夜工地施工噪音", NEAR, 10)
        duplicates.merge(
            db.session,
            actor_id=desk.id,
            number=follower.number,
            master_number=master.number,
            now=NOW,
        )
        act(staff, master.number, Action.RETURN, "不属城管")
        act(desk, master.number, Action.CANCEL, "无效来电")
        db.session.refresh(follower)
        assert follower.master_id is None and follower.department_id == staff.department_id
        assert follower.state == State.ROUTED.value  # where it was before the merge
        assert _actions(follower)[-1] == AuditAction.UNMERGE
