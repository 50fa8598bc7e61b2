import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.core.orders.intake import parse_intake
from hotline.core.orders.workflow import State
from hotline.models import AuditEvent, WorkOrder
from hotline.plugins import db
from hotline.services.errors import ValidationFailed
from hotline.services.orders import intake
from tests import factories
from tests.factories import BIRDS_NEST, NOW


def test_a_call_becomes_a_routed_audited_order(any_app):
    with any_app.app_context():
        operator = factories.user(Role.OPERATOR)
        order = factories.order(operator)
        assert re.fullmatch(r"20261120-\d{6}", order.number)
        assert order.state == State.ROUTED.value
        assert order.department.name == "东城区城市管理委员会"
        assert order.district.name == "东城区"
        assert order.routing_reason == "district_kind"
        assert (order.time_limit, order.time_limit_unit) == (5, "working_days")  # 施工噪音
        # Received Fri 20 Nov 10:00 Beijing: five working days end Fri 27 Nov at 17:30.
        assert order.due_at == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.order_id == order.id)).all()
        assert [(e.action, e.from_state, e.to_state, e.actor_id) for e in events] == [
            ("create", None, "routed", operator.id)
        ]


def test_numbers_count_up_per_local_day(app):
    with app.app_context():
        first = factories.order()
        second = factories.order()
        # 16:30 UTC is already the next day in Beijing.
        next_day = factories.order(now=NOW.replace(hour=16, minute=30))
        assert int(second.number[-6:]) == int(first.number[-6:]) + 1
        assert next_day.number == "20261121-000001"


def test_district_and_address_when_the_caller_has_no_coordinates(app):
    with app.app_context():
        order = factories.order(lon=None, lat=None, district_code="110105")
        assert order.department.name == "朝阳区城市管理委员会"
        assert order.lon is None


def test_city_level_categories_go_to_the_utility(app):
    with app.app_context():
        order = factories.order(
            category_code="0301", lon=str(BIRDS_NEST[0]), lat=str(BIRDS_NEST[1])
        )
        assert order.department.name == "北京市热力集团"
        assert order.district.name == "朝阳区"


def test_outside_the_city_goes_to_manual_triage(app):
    with app.app_context():
        order = factories.order(lon="117.2", lat="39.13")
        assert order.state == State.REGISTERED.value
        assert order.department_id is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.order_id == order.id))
        assert event.note == "outside_all_jurisdictions"


def test_inquiry_closed_at_intake(app):
    with app.app_context():
        order = factories.order(
            order_type="inquiry",
            category_code="1303",
            close_at_intake="on",
            intake_answer="可通过政务服务网办理。",
        )
        assert order.state == State.CLOSED_AT_INTAKE.value
        assert order.closed_at == NOW
        assert order.intake_answer == "可通过政务服务网办理。"


@pytest.mark.parametrize("code", ["", "01", "9999"])
def test_unknown_or_major_category_is_refused_and_nothing_is_saved(app, code):
    with app.app_context():
        with pytest.raises(ValidationFailed) as err:
            intake.register_call(
                db.session,
                request=parse_intake(factories.call_form(category_code=code or "nope")),
                actor_id=None,
                now=NOW,
                timezone="Asia/Shanghai",
            )
        assert err.value.errors == {"category_code": "unknown_category"}
        assert db.session.scalar(select(func.count(WorkOrder.id))) == 0
