"""The password policy's rules and the three administrators' separation, without an app."""

from datetime import UTC, datetime, timedelta

import pytest

from hotline.core.accounts import passwords
from hotline.core.accounts.passwords import PasswordPolicy, password_problems, policy_errors
from hotline.core.accounts.permissions import Permission, permissions_of, roles_with
from hotline.core.accounts.roles import ADMINISTRATORS, Role

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "password, problems",
    [
        ("Abcdefgh1!", []),  # ten characters, four classes
        ("Abcdefgh12", []),  # three classes are enough
        ("abcdefgh12", [passwords.TOO_SIMPLE]),  # lower-case and digits: two
        ("abcdefghij", [passwords.TOO_SIMPLE]),
        ("abcdefgh-_", [passwords.TOO_SIMPLE]),
        ("Abc1!", [passwords.TOO_SHORT]),
        ("", [passwords.TOO_SHORT, passwords.TOO_SIMPLE]),
        ("密码很长很长很长很长A1", []),  # CJK characters have no case: "other"
        ("Aa1" + "x" * 254, [passwords.TOO_LONG]),
    ],
)
def test_length_and_three_of_four_classes(password, problems):
    assert password_problems(password) == problems


def test_classes_are_lower_upper_digits_and_everything_else():
    assert passwords.character_classes("aA1 ") == 4
    assert passwords.character_classes("ab") == 1
    assert passwords.character_classes("中文") == 1  # neither case nor digit: "other"


def test_the_minimum_length_follows_the_policy_and_the_username_is_refused():
    assert password_problems("Abcdefgh1!", min_length=12) == [passwords.TOO_SHORT]
    assert password_problems("Zhang.San-2026", username="zhang.san") == [
        passwords.CONTAINS_USERNAME
    ]
    assert password_problems("Xy-2026-ab12", username="ab") == []  # too short a name to count


def test_policy_values_stay_within_their_bounds():
    good = {"min_length": 12, "history": 5, "max_age_days": 90, "max_failures": 5}
    assert policy_errors({**good, "lock_minutes": 10}) == {}
    errors = policy_errors({**good, "min_length": 8, "lock_minutes": None})
    assert errors == {"min_length": "out_of_range", "lock_minutes": "out_of_range"}
    assert passwords.BOUNDS["history"][1] == passwords.HISTORY_KEPT + 1
    assert set(passwords.POLICY_FIELDS) == set(passwords.BOUNDS)


def test_expiry_is_optional():
    old = NOW - timedelta(days=91)
    assert not passwords.expired(changed_at=old, now=NOW, max_age_days=0)
    assert passwords.expired(changed_at=old, now=NOW, max_age_days=90)
    assert not passwords.expired(changed_at=NOW - timedelta(days=89), now=NOW, max_age_days=90)
    assert PasswordPolicy().max_age_days == 0


def test_no_administrator_holds_another_administrators_powers():
    shared = {Permission.OWN_PASSWORD}
    for role in ADMINISTRATORS:
        for other in ADMINISTRATORS - {role}:
            assert permissions_of(role) & permissions_of(other) <= shared, (role, other)


@pytest.mark.parametrize(
    "role, powers",
    [
        (
            Role.SYSTEM_ADMIN,
            {
                Permission.MANAGE_USERS,
                Permission.MANAGE_ORGANISATION,
                Permission.MANAGE_CONFIGURATION,
            },
        ),
        (
            Role.SECURITY_ADMIN,
            {
                Permission.MANAGE_ROLES,
                Permission.MANAGE_SECURITY_POLICY,
                Permission.MANAGE_KEYS_AND_TOKENS,
            },
        ),
        (Role.AUDIT_ADMIN, {Permission.READ_SECURITY_LOG, Permission.READ_AUDIT_TRAIL}),
    ],
)
def test_each_administrators_powers_are_theirs_alone(role, powers):
    for permission in powers:
        assert roles_with(permission) == {role}, permission
    # Administrators work on the system, not on orders or calls.
    assert Permission.READ_ORDERS not in permissions_of(role)


def test_the_audit_administrator_changes_nothing_and_an_unassigned_account_has_no_power():
    assert permissions_of(Role.AUDIT_ADMIN) == {
        Permission.READ_SECURITY_LOG,
        Permission.READ_AUDIT_TRAIL,
        Permission.OWN_PASSWORD,
    }
    assert permissions_of(Role.UNASSIGNED) == {Permission.OWN_PASSWORD}


def test_every_password_problem_has_a_message(app):
    from hotline import labels

    for code in (*passwords.PROBLEMS, "password_mismatch", "wrong_password", "own_role"):
        assert code in labels.ERROR_LABELS, code
