"""Who may see a caller's identity."""

from enum import StrEnum

from hotline.core import phone
from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role


class CallerVisibility(StrEnum):
    """How much of the caller a viewer sees."""

    FULL = "full"
    MASKED = "masked"  # name shown, phone as 138****1234, no personal address
    HIDDEN = "hidden"  # confidential report seen by the handling department: nothing


def caller_visibility(role: Role, confidential: bool) -> CallerVisibility:
    """The handling department never learns a confidential reporter's identity."""
    if confidential and not allows(role, Permission.SEE_CONFIDENTIAL_REPORTERS):
        return CallerVisibility.HIDDEN
    if allows(role, Permission.SEE_PHONES):
        return CallerVisibility.FULL
    return CallerVisibility.MASKED


def shown_phone(role: Role, confidential: bool, number: str | None) -> str:
    """The caller's phone as this role may see it."""
    visibility = caller_visibility(role, confidential)
    if visibility is CallerVisibility.FULL:
        return number or ""
    if visibility is CallerVisibility.MASKED:
        return phone.mask(number)
    return ""
