"""The accounts services on SQLite and PostgreSQL: roles, passwords, tokens and their log."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.core.accounts.passwords import PasswordPolicy
from hotline.core.accounts.roles import Role
from hotline.models import SecurityEvent
from hotline.plugins import db
from hotline.services.accounts import credentials, policy
from hotline.services.accounts import users as accounts
from hotline.services.errors import ValidationFailed
from tests import factories

HASH = "scrypt:1024:8:1"
NOW = factories.NOW


def test_an_account_from_creation_to_a_token(any_app):
    with any_app.app_context():
        system = factories.user(Role.SYSTEM_ADMIN)
        security = factories.user(Role.SECURITY_ADMIN)
        dept = factories.department("东城区城市管理委员会")
        user = accounts.create_user(
            db.session,
            username="liu",
            display_name="刘",
            password="Initial-pass-12",
            hash_method=HASH,
            now=NOW,
            department_id=dept.id,
            actor_id=system.id,
        )
        assert (user.role, user.must_change_password) == ("unassigned", True)
        accounts.set_role(
            db.session, user_id=user.id, role="department", actor_id=security.id, now=NOW
        )
        user, _token = accounts.change_own_password(
            db.session,
            user_id=user.id,
            current_password="Initial-pass-12",
            new_password="Own-pass-3456",
            repeated="Own-pass-3456",
            hash_method=HASH,
            now=NOW,
        )
        assert not user.must_change_password and user.role == "department"
        with pytest.raises(ValidationFailed) as refused:
            accounts.update_user(
                db.session,
                user_id=user.id,
                display_name="刘",
                department_id=dept.id,
                active=True,
                hash_method=HASH,
                now=NOW,
                new_password="Initial-pass-12",
                actor_id=system.id,
            )
        assert refused.value.errors == {"password": "password_reused"}
        stricter = policy.save(
            db.session,
            values={**vars(PasswordPolicy()), "history": 1},
            defaults=PasswordPolicy(),
            actor_id=security.id,
            now=NOW,
        )
        assert policy.current(db.session, defaults=PasswordPolicy()) == stricter
        token = credentials.issue_user_token(
            db.session,
            user.id,
            now=NOW,
            days=90,
            actor_id=security.id,
            actor_password=factories.PASSWORD,
        )
        assert credentials.user_for_token(db.session, token, now=NOW).id == user.id
        later = NOW + timedelta(days=90)
        assert credentials.user_for_token(db.session, token, now=later) is None
        kinds = db.session.scalars(
            select(SecurityEvent.kind)
            .where(SecurityEvent.subject_user_id == user.id)
            .order_by(SecurityEvent.id)
        ).all()
        assert kinds == ["account_created", "role_changed", "password_changed", "token_issued"]
        settings = db.session.scalars(
            select(SecurityEvent.detail).where(SecurityEvent.kind == "settings_changed")
        ).all()
        assert settings == ["history: 5 → 1"]
