"""Typed form fields whose errors are error codes (translated once, by `labels.error_text`),
and a form that hands its refusals to the app-level handler as a ValidationFailed."""

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Self, TypeVar
from zoneinfo import ZoneInfo

from flask import abort
from wtforms import StringField

from hotline.core import days
from hotline.core.text import clean_text
from hotline.services.errors import ValidationFailed
from hotline.web.forms import Form
from hotline.web.helpers import parse_int

E = TypeVar("E", bound=Enum)


class TextField(StringField):
    """A text field whose value is always a string ("" when absent), without control
    characters (`clean_text`)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = clean_text(valuelist[0]) if valuelist else ""


class OptionalIntField(StringField):
    """An id or version: an int, or None when empty or not a number (never an error)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = parse_int(valuelist[0]) if valuelist else None


class _ParsedField(StringField):
    """A field parsed by `parse`; a value it refuses is the error code `code`."""

    parse: Callable[[str], object]
    code: str

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = type(self).parse((valuelist[0] if valuelist else "").strip())
        except ValueError:
            self.data = None
            raise ValueError(self.code) from None
        if isinstance(self.data, date) and not days.in_range(self.data):
            self.data = None
            raise ValueError(self.code)


class DateField(_ParsedField):
    """A day as YYYY-MM-DD."""

    parse = date.fromisoformat
    code = "invalid_date"


class DateTimeField(_ParsedField):
    """A moment as the browser's datetime-local (naive: local time) or ISO 8601."""

    parse = datetime.fromisoformat
    code = "invalid_datetime"

    def moment(self, timezone: str) -> datetime | None:
        """The moment, in `timezone` when the browser sent a local time (None: no value)."""
        at: datetime | None = self.data
        if at is None or at.tzinfo is not None:
            return at
        return at.replace(tzinfo=ZoneInfo(timezone))


class CheckedForm(Form):
    """A form whose `checked()` raises ValidationFailed with each wrong field's code."""

    def checked(self) -> Self:
        """This form, when every field is valid."""
        if not self.validate():
            raise ValidationFailed(self.errors_by_field())
        return self


def text_form(*names: str) -> type[Form]:
    """A form class with one TextField per name; `typed()` gives their values by name."""

    def typed(self: Form) -> dict[str, str]:
        return {name: self[name].data for name in names}

    fields = {name: TextField() for name in names}
    return type("TextForm", (Form,), {**fields, "typed": typed})


def member_or_404(enum: type[E], value: str) -> E:
    """The enum member a URL names, or 404 Not Found."""
    try:
        return enum(value)
    except ValueError:
        abort(404)
