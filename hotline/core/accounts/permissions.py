"""The one permission table: what each role may do.

Views check it with `web.helpers.requires`, the menu shows only what it allows, services
check it before a write, and the workflow's transitions take their role sets from it.
A test crosses every endpoint with every role against this table.
"""

from enum import StrEnum

from hotline.core.accounts.roles import ADMINISTRATORS, Role


class Permission(StrEnum):
    """Something a role may do; one per page group or decision."""

    TAKE_CALLS = "take_calls"  # intake form, routing preview, caller history, mailbox letters
    ROUTE_NEW_ORDERS = "route_new_orders"  # classify and route an order nobody routed yet
    WORK_DESK = "work_desk"  # the desk: re-route, cancel, review replies (审核)
    HANDLE_ORDERS = "handle_orders"  # a department's queue: accept, return, reply, extension
    READ_ORDERS = "read_orders"  # order search and order pages (object checks apply)
    SEE_PHONES = "see_phones"  # callers' phone numbers in full
    SEE_CONFIDENTIAL_REPORTERS = "see_confidential_reporters"  # who made a confidential 举报
    SEE_OVERDUE = "see_overdue"  # overdue orders by department
    DECIDE_EXTENSIONS = "decide_extensions"  # approve or refuse 延期
    ISSUE_NOTICES = "issue_notices"  # 督办单: a formal instruction on an order
    SET_REMINDERS = "set_reminders"  # 定时催办
    SURVEY = "survey"  # 回访: the survey queue and form, reopening
    READ_KPIS = "read_kpis"  # 考核指标
    READ_REPORTS = "read_reports"  # statistics reports on demand
    READ_REPORT_ARCHIVE = "read_report_archive"  # the nightly archive of reports
    READ_WALLBOARD = "read_wallboard"  # 大屏: today's live figures on the floor's screen
    READ_HOTSPOTS = "read_hotspots"  # 热点: clusters of orders, their map and their orders
    READ_NOTICES = "read_notices"  # the in-app notice inbox
    READ_DISTRICT_MAP = "read_district_map"  # the district polygons for the maps
    EMS_DISPATCH = "ems_dispatch"  # 120 console: calls, incidents, dispatch, slips, bookings
    LIVE_MAP = "live_map"  # the dispatcher's live map, its feeds and recommendations
    EMS_MEDICAL = "ems_medical"  # 120 chief complaints and patient details
    EMS_DIRECTOR = "ems_director"  # the 120 director's view
    POST_BULLETINS = "post_bulletins"  # 通告 for dispatchers and stations
    EMS_TRACKS = "ems_tracks"  # track replay of a vehicle
    EMS_LOCKS = "ems_locks"  # malicious-number locks
    EMS_STATION_JOBS = "ems_station_jobs"  # 站点提醒: a station's jobs, their sound and slips
    HOSPITAL_PREALERT = "hospital_prealert"  # 院前预警: a hospital's incoming patients
    EMS_LINK = "ems_link"  # 联动: create and follow 120 incidents through the API
    SEARCH_KB = "search_kb"  # 知识库: search and read published articles
    WRITE_KB = "write_kb"  # 知识库: write drafts and submit them for review
    REVIEW_KB = "review_kb"  # 知识库: publish and archive articles (never one's own)
    READ_KB_STATS = "read_kb_stats"  # 知识库: usage figures, feedback and gaps
    SUGGEST_PLACES = "suggest_places"  # 地名库: the address box's suggestions, nearest place
    ANSWER_CALLS = "answer_calls"  # 坐席: a phone in the queues, 签入/示闲/示忙, the screen pop
    READ_CALLS = "read_calls"  # call records, agents by state and calls waiting
    READ_CALL_FIGURES = "read_call_figures"  # 话务指标 (接通率...) on the KPI page
    PLAY_RECORDINGS = "play_recordings"  # recordings: supervisors any (质检), agents their own
    OWN_PASSWORD = "own_password"  # noqa: S105 - changing one's own password
    # The system administrator's (系统管理员):
    MANAGE_USERS = "manage_users"  # create accounts; name, department, active, reset password
    MANAGE_ORGANISATION = "manage_organisation"  # departments, categories, rules, 120 resources
    MANAGE_CONFIGURATION = "manage_configuration"  # time limits, the working-day calendar
    READ_SYSTEM_HEALTH = "read_system_health"  # hosts, database, scheduler, last errors
    # The security administrator's (安全管理员):
    MANAGE_ROLES = "manage_roles"  # give and change accounts' roles
    MANAGE_SECURITY_POLICY = "manage_security_policy"  # password and lock-out policy
    MANAGE_KEYS_AND_TOKENS = "manage_keys_and_tokens"  # Open311 keys, API and terminal tokens
    # The audit administrator's (审计管理员), read only:
    READ_SECURITY_LOG = "read_security_log"
    READ_AUDIT_TRAIL = "read_audit_trail"


R = Role
P = Permission
_EMS = {R.EMS_DISPATCHER, R.SUPERVISOR}
_READERS = {R.OPERATOR, R.DESK, R.DEPARTMENT, R.SURVEYOR, R.SUPERVISOR, R.OFFICIAL}

# Permission -> the roles that have it.
TABLE: dict[Permission, frozenset[Role]] = {
    permission: frozenset(roles)
    for permission, roles in {
        P.TAKE_CALLS: {R.OPERATOR, R.DESK, R.SUPERVISOR},
        P.ROUTE_NEW_ORDERS: {R.OPERATOR, R.DESK, R.SUPERVISOR},
        P.WORK_DESK: {R.DESK, R.SUPERVISOR},
        P.HANDLE_ORDERS: {R.DEPARTMENT},
        P.READ_ORDERS: _READERS,
        P.SEE_PHONES: {R.OPERATOR, R.DESK, R.DEPARTMENT, R.SURVEYOR, R.SUPERVISOR},
        # Never the handling department, officials or admins: a reporter stays hidden.
        P.SEE_CONFIDENTIAL_REPORTERS: {R.OPERATOR, R.DESK, R.SURVEYOR, R.SUPERVISOR},
        P.SEE_OVERDUE: {R.SUPERVISOR, R.OFFICIAL, R.DESK},
        P.DECIDE_EXTENSIONS: {R.SUPERVISOR},
        P.ISSUE_NOTICES: {R.SUPERVISOR},
        P.SET_REMINDERS: {R.OPERATOR, R.DESK, R.SUPERVISOR},
        P.SURVEY: {R.SURVEYOR, R.SUPERVISOR},
        P.READ_KPIS: {R.DEPARTMENT, R.SUPERVISOR, R.OFFICIAL, R.DESK},
        P.READ_REPORTS: {R.OFFICIAL, R.SUPERVISOR, R.DEPARTMENT},
        P.READ_REPORT_ARCHIVE: {R.OFFICIAL, R.SUPERVISOR},
        P.READ_WALLBOARD: {R.SUPERVISOR, R.OFFICIAL, R.DESK},
        P.READ_HOTSPOTS: {R.SUPERVISOR, R.OFFICIAL, R.DESK},
        P.READ_NOTICES: set(Role) - ADMINISTRATORS - {R.UNASSIGNED},
        P.READ_DISTRICT_MAP: _READERS | {R.SYSTEM_ADMIN, R.EMS_DISPATCHER},
        P.EMS_DISPATCH: _EMS,
        P.LIVE_MAP: _EMS | {R.DESK},
        P.EMS_MEDICAL: _EMS,
        P.EMS_DIRECTOR: _EMS | {R.OFFICIAL},
        P.POST_BULLETINS: {R.SUPERVISOR},
        P.EMS_TRACKS: _EMS,
        P.EMS_STATION_JOBS: {R.EMS_STATION} | _EMS,
        P.HOSPITAL_PREALERT: {R.HOSPITAL},
        P.EMS_LINK: {R.LINKED_CENTRE} | _EMS,
        P.EMS_LOCKS: {R.SUPERVISOR},
        P.SEARCH_KB: {R.OPERATOR, R.DESK, R.SUPERVISOR, R.SURVEYOR, R.KNOWLEDGE_EDITOR},
        P.WRITE_KB: {R.OPERATOR, R.DESK, R.SUPERVISOR, R.KNOWLEDGE_EDITOR},
        P.REVIEW_KB: {R.KNOWLEDGE_EDITOR, R.SUPERVISOR},
        P.READ_KB_STATS: {R.KNOWLEDGE_EDITOR, R.SUPERVISOR},
        # Whoever types an address: operators and the desk (intake), 120 (calls, bookings).
        P.SUGGEST_PLACES: {R.OPERATOR, R.DESK, R.SUPERVISOR, R.EMS_DISPATCHER},
        # Whoever answers a phone: 12345 operators and desk, 120, callbacks, shift leaders.
        P.ANSWER_CALLS: {R.OPERATOR, R.DESK, R.EMS_DISPATCHER, R.SURVEYOR, R.SUPERVISOR},
        P.READ_CALLS: {R.SUPERVISOR},
        # The centre's own figure: not a unit's (department staff read their unit's KPIs).
        P.READ_CALL_FIGURES: {R.SUPERVISOR, R.OFFICIAL, R.DESK},
        P.PLAY_RECORDINGS: {R.OPERATOR, R.DESK, R.EMS_DISPATCHER, R.SURVEYOR, R.SUPERVISOR},
        P.OWN_PASSWORD: set(Role),
        # 三员分立: each administrator's powers belong to that administrator alone.
        P.MANAGE_USERS: {R.SYSTEM_ADMIN},
        P.MANAGE_ORGANISATION: {R.SYSTEM_ADMIN},
        P.MANAGE_CONFIGURATION: {R.SYSTEM_ADMIN},
        P.READ_SYSTEM_HEALTH: {R.SYSTEM_ADMIN},
        P.MANAGE_ROLES: {R.SECURITY_ADMIN},
        P.MANAGE_SECURITY_POLICY: {R.SECURITY_ADMIN},
        P.MANAGE_KEYS_AND_TOKENS: {R.SECURITY_ADMIN},
        P.READ_SECURITY_LOG: {R.AUDIT_ADMIN},
        P.READ_AUDIT_TRAIL: {R.AUDIT_ADMIN},
    }.items()
}


def allows(role: Role | str, permission: Permission) -> bool:
    """Whether `role` has `permission`; an unknown role has none."""
    return role in TABLE[permission]


def roles_with(permission: Permission) -> frozenset[Role]:
    """The roles that have `permission`."""
    return TABLE[permission]


def permissions_of(role: Role) -> frozenset[Permission]:
    """Everything `role` may do."""
    return frozenset(p for p, roles in TABLE.items() if role in roles)
