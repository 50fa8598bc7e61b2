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
    """An account's name, role, department, status and (optional) new password."""

    display_name = TextField(_l("Name"))
    role = TextField()
    department_id = OptionalIntField()
    active = Flag(_l("Active"))
    new_password = PasswordField(_l("New password (leave empty to keep)"), name="password")


class UserForm(UserEditForm):
    """A new account (active from the start)."""

    username = TextField(_l("Username"))
    active = None
    new_password = None
    password = PasswordField(_l("Password (at least 10 characters)"))


class DepartmentForm(AdminForm):
    """A department and its jurisdiction (no district: city-wide)."""

    name = TextField(_l("Name"))
    kind = TextField()
    district_id = OptionalIntField()
    active = Flag(_l("Active"), default=True)


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


class RuleForm(AdminForm):
    """An explicit routing rule: a minor category, in a district or anywhere, to a department."""

    category_id = OptionalIntField()
    district_id = OptionalIntField()
    department_id = OptionalIntField()


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
