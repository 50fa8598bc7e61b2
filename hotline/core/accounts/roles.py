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
    KNOWLEDGE_EDITOR = "knowledge_editor"  # 知识管理员: reviews and publishes 知识库 articles
    EMS_STATION = "ems_station"  # 急救站值班室: its station's jobs as they are dispatched
    HOSPITAL = "hospital"  # 医院急诊接诊台: one account per hospital, its incoming patients
    LINKED_CENTRE = "linked_centre"  # 联动单位 (110/119/122): creates 120 incidents by API
    # 三员分立 (GB/T 22239-2019, level 3): three administrators, none with another's powers.
    SYSTEM_ADMIN = "system_admin"  # 系统管理员: accounts, organisation, configuration
    SECURITY_ADMIN = "security_admin"  # 安全管理员: roles, password policy, keys and tokens
    AUDIT_ADMIN = "audit_admin"  # 审计管理员: reads the security log and the audit trail
    # An account the system administrator created and the security administrator has not
    # yet given a role: it may log in and change its password, nothing else.
    UNASSIGNED = "unassigned"


ADMINISTRATORS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


# Roles bound to a place of work: the account's field that names it, and the refusal when a
# role is given to an account without it.
WORKPLACE = {
    Role.EMS_STATION: ("station_id", "required_for_station_staff"),
    Role.HOSPITAL: ("hospital_id", "required_for_hospital_desk"),
}


def missing_workplace(workplace: dict[str, int | None], role: Role) -> dict[str, str]:
    """The refusal ({"role": code}) of `role` for an account with these workplace ids."""
    need = WORKPLACE.get(role)
    if need is None or workplace.get(need[0]) is not None:
        return {}
    return {"role": need[1]}
