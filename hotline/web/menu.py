"""The menu: one entry per page a role may open, read from the permission table."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from hotline.core.accounts.permissions import allows


@dataclass(frozen=True)
class MenuEntry:
    """A link in the top bar; shown to the roles the endpoint's permission allows."""

    endpoint: str
    label: str


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("intake.form", _l("New call")),
    MenuEntry("intake.mailbox_queue", _l("Mailbox")),
    MenuEntry("orders.desk", _l("Routing desk")),
    MenuEntry("orders.queue", _l("My queue")),
    MenuEntry("deadlines.overdue", _l("Overdue by department")),
    MenuEntry("deadlines.extension_list", _l("Extension requests")),
    MenuEntry("deadlines.reminder_list", _l("My reminders")),
    MenuEntry("ems.console", _l("120 dispatch")),
    MenuEntry("ems.dispatch_map", _l("Dispatcher's map")),
    MenuEntry("ems.track_playback", _l("Track playback")),
    MenuEntry("ems.hospital_desk", _l("Pre-alerts")),
    MenuEntry("ems.station", _l("Station jobs")),
    MenuEntry("ems.director", _l("Director's view")),
    MenuEntry("ems.locks", _l("Malicious-number locks")),
    MenuEntry("surveys.queue", _l("Surveys")),
    MenuEntry("kpi.index", _l("Key figures")),
    MenuEntry("reports.index", _l("Reports")),
    MenuEntry("wallboard.page", _l("Wallboard")),
    MenuEntry("calls.search", _l("Calls")),
    MenuEntry("phone.missed", _l("Missed calls")),
    MenuEntry("hotspots.listing", _l("Hotspots")),
    MenuEntry("notifications.inbox", _l("Notices")),
    MenuEntry("orders.search", _l("Search orders")),
    MenuEntry("kb.index", _l("Knowledge base")),
    MenuEntry("kb_editor.index", _l("Knowledge editing")),
    MenuEntry("kb_usage.index", _l("Knowledge base figures")),
    MenuEntry("kb.synonyms_page", _l("Synonyms")),
    # The system administrator's.
    MenuEntry("admin.users", _l("Users")),
    MenuEntry("admin.departments", _l("Departments")),
    MenuEntry("admin.categories", _l("Categories")),
    MenuEntry("admin.rules", _l("Routing rules")),
    MenuEntry("admin.transfer_rules", _l("Transfer rules")),
    MenuEntry("admin.time_limits", _l("Time limits")),
    MenuEntry("admin.calendar", _l("Working-day calendar")),
    MenuEntry("ems.resources", _l("120 resources")),
    MenuEntry("places.admin", _l("Gazetteer")),
    MenuEntry("admin.health", _l("System health")),
    # The security administrator's.
    MenuEntry("admin.roles", _l("Roles")),
    MenuEntry("admin.security_policy", _l("Password policy")),
    MenuEntry("admin.api_clients", _l("API clients")),
    MenuEntry("admin.tokens", _l("API and terminal tokens")),
    MenuEntry("admin.wallboard_token_page", _l("Wallboard token")),
    MenuEntry("admin.phones", _l("Phone extensions")),
    # The audit administrator's.
    MenuEntry("admin.security_log", _l("Security log")),
    MenuEntry("admin.audit_trail", _l("Audit trail")),
)


def entries_for(role) -> list[MenuEntry]:
    """The menu entries whose view the permission table allows `role` to open."""
    views = current_app.view_functions
    return [e for e in MENU if allows(role, views[e.endpoint].permission)]


def menu() -> list[MenuEntry]:
    """The current user's menu (empty when nobody is logged in)."""
    return entries_for(current_user.role_enum) if current_user.is_authenticated else []
