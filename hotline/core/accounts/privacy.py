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


def caller_visibility(
    role: Role, confidential: bool, *, listing: bool = False, handling: bool = True
) -> CallerVisibility:
    """The handling department never learns a confidential reporter's identity; lists of
    orders show callers masked to everyone (the full number is on the order's own page,
    where reading it is logged); a unit that only assists (or a sub-unit) sees the caller
    masked (`handling` False): the lead unit calls the citizen back."""
    if confidential and not allows(role, Permission.SEE_CONFIDENTIAL_REPORTERS):
        return CallerVisibility.HIDDEN
    if allows(role, Permission.SEE_PHONES) and not listing and handling:
        return CallerVisibility.FULL
    return CallerVisibility.MASKED


def handles(role: Role, department_id: int | None, order_department_id: int | None) -> bool:
    """Whether the viewer's unit handles the order (every role but unit staff "handles":
    only unit staff are limited to their unit's orders)."""
    return role is not Role.DEPARTMENT or department_id == order_department_id


def may_search_by_phone(role: Role) -> bool:
    """Only roles that see phones in full may filter by one: a masked number must not be
    recoverable by trying the hidden digits against the filter."""
    return allows(role, Permission.SEE_PHONES)


def matches_confidential_by_caller(role: Role) -> bool:
    """Whether a search by a caller field may find confidential reports for this role."""
    return allows(role, Permission.SEE_CONFIDENTIAL_REPORTERS)


def shown_phone(
    role: Role,
    confidential: bool,
    number: str | None,
    *,
    listing: bool = False,
    handling: bool = True,
) -> str:
    """The caller's phone as this role may see it."""
    visibility = caller_visibility(role, confidential, listing=listing, handling=handling)
    if visibility is CallerVisibility.FULL:
        return number or ""
    if visibility is CallerVisibility.MASKED:
        return phone.mask(number)
    return ""
