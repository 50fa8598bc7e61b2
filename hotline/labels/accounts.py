"""Labels of accounts: roles and the kinds of security-log entries."""

from flask_babel import lazy_gettext as _l

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.labels.registry import register

ROLE_LABELS = register(
    Role,
    {
        "operator": _l("Intake operator"),
        "desk": _l("Routing desk"),
        "department": _l("Department staff"),
        "ems_dispatcher": _l("120 dispatcher"),
        "surveyor": _l("Surveyor"),
        "supervisor": _l("Supervisor"),
        "official": _l("Official"),
        "knowledge_editor": _l("Knowledge editor"),
        "ems_station": _l("Ambulance station duty room"),
        "hospital": _l("Hospital emergency desk"),
        "linked_centre": _l("Linked emergency centre"),
        "system_admin": _l("System administrator"),
        "security_admin": _l("Security administrator"),
        "audit_admin": _l("Audit administrator"),
        "unassigned": _l("No role yet"),
    },
)

SECURITY_KIND_LABELS = register(
    SecurityKind,
    {
        "login": _l("Logged in"),
        "login_failed": _l("Failed login"),
        "locked_out": _l("Account locked"),
        "logout": _l("Logged out"),
        "session_expired": _l("Session timed out"),
        "account_created": _l("Account created"),
        "password_changed": _l("Password changed"),
        "role_changed": _l("Role changed"),
        "department_changed": _l("Department changed"),
        "account_deactivated": _l("Account deactivated"),
        "account_reactivated": _l("Account reactivated"),
        "token_issued": _l("API token issued"),
        "token_revoked": _l("API token revoked"),
        "api_key_issued": _l("Open311 key issued"),
        "api_key_revoked": _l("Open311 key revoked"),
        "terminal_token_issued": _l("Terminal token issued"),
        "terminal_token_revoked": _l("Terminal token revoked"),
        "wallboard_token_issued": _l("Wallboard token issued"),
        "wallboard_token_revoked": _l("Wallboard token revoked"),
        "wallboard_token_used": _l("Wallboard opened with its token"),
        "wallboard_token_refused": _l("Wallboard token refused"),
        "confidential_read": _l("Confidential reporter read"),
        "phone_unmasked": _l("Full phone number read"),
        "phone_search": _l("Search by phone number"),
        "personal_data_export": _l("Personal data exported"),
        "settings_changed": _l("Security settings changed"),
        "key_rotated": _l("Key rotated"),
        "sip_credential_issued": _l("Phone extension password issued"),
        "recording_played": _l("Call recording played"),
        "patient_record_read": _l("Patient record read"),
    },
)
