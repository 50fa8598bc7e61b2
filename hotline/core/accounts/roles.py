"""The people who use the system; what each may do is in `permissions`."""

from enum import StrEnum


class Role(StrEnum):
    """A user's job; one per account."""

    OPERATOR = "operator"  # 话务员: takes 12345 calls
    DESK = "desk"  # 派单员: the 12345 desk that routes orders by hand
    DEPARTMENT = "department"  # 承办人员: handles its department's orders
    EMS_DISPATCHER = "ems_dispatcher"  # 120 调度员
    SURVEYOR = "surveyor"  # 回访员: calls citizens back (回访)
    SUPERVISOR = "supervisor"  # 班长/督办
    OFFICIAL = "official"  # 领导: read-only
    ADMIN = "admin"
