"""Admin time-limit rules reach intake, classification and reopening."""

from datetime import timedelta

import pytest

from hotline.plugins import db
from hotline.services.deadlines import settings
from hotline.services.errors import ValidationFailed
from tests import factories


def test_an_urgent_rule_sets_due_and_warning_times(any_app):
    with any_app.app_context():
        settings.add_limit_rule(
            db.session,
            order_type=None,
            category_id=None,
            priority="urgent",
            amount=24,
            unit="calendar_hours",
            warning_percent=50,
        )
        urgent = factories.order(urgent="on")
        assert urgent.priority == "urgent" and urgent.time_limit_unit == "calendar_hours"
        assert urgent.due_at == factories.NOW + timedelta(hours=24)
        assert urgent.warn_at == factories.NOW + timedelta(hours=12)
        assert urgent.warning_percent == 50
        normal = factories.order()
        assert normal.priority == "normal" and normal.time_limit_unit == "working_days"


def test_rules_are_validated(app):
    with app.app_context():
        with pytest.raises(ValidationFailed) as err:
            settings.add_limit_rule(
                db.session,
                order_type=None,
                category_id=None,
                priority=None,
                amount=3,
                unit="working_days",
                warning_percent=80,
            )
        assert err.value.errors == {"order_type": "rule_matches_everything"}
        with pytest.raises(ValidationFailed) as err:
            settings.add_limit_rule(
                db.session,
                order_type="gossip",
                category_id=999999,
                priority="now",
                amount=0,
                unit="weeks",
                warning_percent=100,
            )
        assert set(err.value.errors) == {
            "order_type",
            "category_id",
            "priority",
            "amount",
            "unit",
            "warning_percent",
        }
