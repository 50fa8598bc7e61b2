import pytest

from hotline.core import phone
from hotline.core.accounts.privacy import CallerVisibility, caller_visibility, shown_phone
from hotline.core.accounts.roles import Role


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 19912345678", "19912345678"),
        ("010-65123456", "01065123456"),
        ("0755 8888 1234", "075588881234"),
        ("12345", "12345"),
    ],
)
def test_valid_numbers_are_normalised(raw, expected):
    assert phone.normalise(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12",
        "1380013800",
        "138001380001",
        "23800138000",
        "abc",
        "１３８００１３８０００",
        "0101",
    ],
)
def test_invalid_numbers_are_rejected(raw):
    assert phone.normalise(raw) is None


def test_mask_keeps_first_three_and_last_four():
    assert phone.mask("13800138000") == "138****8000"
    assert phone.mask("01065123456") == "010****3456"
    assert phone.mask(None) == ""


def test_confidential_reporters_are_hidden_from_the_department():
    assert caller_visibility(Role.DEPARTMENT, True) is CallerVisibility.HIDDEN
    assert shown_phone(Role.DEPARTMENT, True, "13800138000") == ""
    assert shown_phone(Role.DEPARTMENT, False, "13800138000") == "13800138000"
    assert shown_phone(Role.OFFICIAL, False, "13800138000") == "138****8000"
    assert shown_phone(Role.OPERATOR, True, "13800138000") == "13800138000"
