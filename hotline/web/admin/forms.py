"""Form classes of the admin pages; field names are the services' keyword names."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField

from hotline.core.deadlines.limits import LimitUnit
from hotline.web.fields import DateField, OptionalIntField, TextField
from hotline.web.forms import Form


class AdminForm(Form):
    """A form whose `values()` are the keyword arguments of its service."""

    def values(self) -> dict:
        """Every field's parsed value by name (the CSRF token left out)."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


class Flag(BooleanField):
    """A checkbox: on for "on", "1" or "true", as the pages always posted it."""

    false_values = ("false", "", "0", "off")


class UserEditForm(AdminForm):
    """An account's name, department, status and (optional) new password; its role is the
    security administrator's (RoleForm)."""

    display_name = TextField(_l("Name"))
    department_id = OptionalIntField()
    active = Flag(_l("Active"))
    new_password = PasswordField(
        _l("New password, to be changed at the next login (leave empty to keep)"),
        name="password",
    )


class UserForm(UserEditForm):
    """A new account (active from the start, without a role until one is given)."""

    username = TextField(_l("Username"))
    active = None
    new_password = None
    password = PasswordField(_l("Initial password, to be changed at the first login"))


class WorkplaceForm(AdminForm):
    """The station of a station duty room's account, the hospital of a hospital desk's."""

    station_id = OptionalIntField()
    hospital_id = OptionalIntField()


class RoleForm(AdminForm):
    """The role the security administrator gives an account."""

    role = TextField()


class PolicyForm(AdminForm):
    """The password and lock-out policy."""

    min_length = OptionalIntField(_l("Minimum password length"))
    history = OptionalIntField(_l("Passwords remembered (a new one may not repeat them)"))
    max_age_days = OptionalIntField(_l("Password expires after (days; 0: never)"))
    max_failures = OptionalIntField(_l("Failed logins before the account is locked"))
    lock_minutes = OptionalIntField(_l("Minutes an account stays locked"))

    def values(self) -> dict:
        """The policy values by name, for the service's `values`."""
        return {"values": super().values()}


class UserTokenForm(AdminForm):
    """Whose /api/v1 token to issue, and the administrator's own password again."""

    user_id = OptionalIntField()
    actor_password = PasswordField(_l("Your password"))


class DepartmentForm(AdminForm):
    """A department and its jurisdiction (no district: city-wide)."""

    name = TextField(_l("Name"))
    kind = TextField()
    district_id = OptionalIntField()
    active = Flag(_l("Active"), default=True)
    parent_id = OptionalIntField()  # a sub-unit's unit (科室, 社区/村)


class CategoryForm(AdminForm):
    """A major or minor category with its responsible kind and time limit."""

    code = TextField(_l("Code"))
    name = TextField(_l("Name"))
    parent_id = OptionalIntField()
    department_kind = TextField()
    time_limit = OptionalIntField(_l("Time limit"))
    time_limit_unit = StringField(default=LimitUnit.WORKING_DAYS.value)  # absent: the default
    keywords = TextField(_l("Keywords"))
    active = Flag(_l("Active"), default=True)
    # 热点 thresholds; empty: the defaults (5 orders within 300 m in 24 hours).
    hotspot_min_orders = OptionalIntField(_l("Hotspot: at least this many orders"))
    hotspot_radius_m = OptionalIntField(_l("Hotspot: within metres"))
    hotspot_window_hours = OptionalIntField(_l("Hotspot: within hours"))
    # 并单 candidates; empty: the defaults (200 m, 72 hours).
    duplicate_radius_m = OptionalIntField(_l("Duplicates: within metres"))
    duplicate_window_hours = OptionalIntField(_l("Duplicates: within hours"))


class RuleForm(AdminForm):
    """An explicit routing rule: a minor category, in a district or anywhere, to a department."""

    category_id = OptionalIntField()
    district_id = OptionalIntField()
    department_id = OptionalIntField()


class TransferRuleForm(AdminForm):
    """A unit pair allowed to transfer orders directly (转办)."""

    from_department_id = OptionalIntField()
    to_department_id = OptionalIntField()


def _empty_is_none(value: str | None) -> str | None:
    return value or None


class TimeLimitForm(AdminForm):
    """A time-limit rule; an empty type, category or priority matches any."""

    order_type = TextField(filters=[_empty_is_none])
    category_id = OptionalIntField()
    priority = TextField(filters=[_empty_is_none])
    amount = OptionalIntField(_l("Time limit"))
    unit = TextField()
    warning_percent = OptionalIntField(_l("Warning at (percent of the time limit)"), default=80)


class CalendarForm(AdminForm):
    """A local change to the working-day calendar."""

    day = DateField(_l("Day"))
    kind = TextField()
    note = TextField(_l("Note"))

    def values(self) -> dict:
        """The day, whether it counts as a working day, and the note."""
        return {
            "day": self.day.data,
            "is_workday": self.kind.data == "workday",
            "note": self.note.data,
        }


class ApiClientForm(AdminForm):
    """A new Open311 client."""

    name = TextField(_l("Name"))
