"""Form classes of the 120 pages; field names are those the templates and clients send."""

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectMultipleField, StringField

from hotline.core.ems.vehicles import VehicleStatus
from hotline.services.ems.bookings import BookingRequest
from hotline.services.ems.incidents import Call
from hotline.services.ems.resources import Place
from hotline.web.fields import CheckedForm, DateTimeField, OptionalIntField, TextField
from hotline.web.forms import Form
from hotline.web.helpers import parse_int


def number(text: str | None) -> float | None:
    """A float from a form field, or None when empty or not a number."""
    try:
        return float(text or "")
    except ValueError:
        return None


class CoordinateField(StringField):
    """A longitude or latitude; NaN when empty or not a number (the service refuses it)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        value = number(valuelist[0] if valuelist else None)
        self.data = float("nan") if value is None else value


class IdListField(StringField):
    """Ids sent under one name several times; what is not an id is left out."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = [v for v in (parse_int(x) for x in valuelist) if v]


class CallForm(Form):
    """The console's call form (a typed or clicked point, or a district's label point)."""

    caller_phone = TextField()
    complaint = TextField()
    triage_level = OptionalIntField()
    capability = TextField()
    lon = CoordinateField()
    lat = CoordinateField()
    district_code = TextField()
    address = TextField()
    confirm_locked = BooleanField()

    def call(self, district_point: tuple[float, float] | None) -> Call:
        """The call for the service; `district_point` stands in for a missing point."""
        lon, lat = self.lon.data, self.lat.data
        if (math.isnan(lon) or math.isnan(lat)) and district_point is not None:
            lon, lat = district_point
        return Call(
            caller_phone=self.caller_phone.data,
            lon=lon,
            lat=lat,
            complaint=self.complaint.data,
            triage_level=self.triage_level.data or 0,
            address=self.address.data,
        )

    def typed(self) -> dict[str, str]:
        """What the dispatcher typed, as strings, to show the form again."""
        return {name: (field.raw_data or [""])[0] for name, field in self._fields.items()}


class DispatchForm(Form):
    """Dispatch (or reinforce): ticked vehicles, another one, the recommendation shown."""

    vehicle_id = IdListField()
    other_vehicle_id = OptionalIntField()
    recommended = IdListField()
    override_reason = TextField()

    def vehicle_ids(self) -> list[int]:
        """The vehicles to send."""
        chosen = list(self.vehicle_id.data or [])
        return chosen + ([self.other_vehicle_id.data] if self.other_vehicle_id.data else [])


class DestinationForm(Form):
    """The destination hospital of one vehicle on an incident."""

    hospital_id = OptionalIntField()


class StatusField(StringField):
    """A vehicle status; any other value is the error "invalid_choice"."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = VehicleStatus(valuelist[0] if valuelist else "")
        except ValueError:
            self.data = None
            raise ValueError("invalid_choice") from None


class StatusForm(CheckedForm):
    """A dispatcher's status button, and the incident page to go back to."""

    status = StatusField()
    incident_id = OptionalIntField()


class WithdrawForm(Form):
    """撤警: the reason and a note."""

    reason = TextField()
    note = TextField()


class LockForm(Form):
    """恶意电话锁定: a number, how many hours, why."""

    phone = TextField(_l("Phone"))
    hours = OptionalIntField(_l("Hours"), default=24)
    reason = TextField(_l("Reason"))


class BulletinForm(Form):
    """A bulletin's text."""

    text = TextField()


class BookingForm(CheckedForm):
    """约车: the pick-up time (local when no zone is given), the place and a note."""

    pickup_at = DateTimeField(_l("Pick-up"))
    caller_phone = TextField(_l("Caller phone"))
    lon = CoordinateField(_l("Longitude"))
    lat = CoordinateField(_l("Latitude"))
    address = TextField(_l("Address"))
    note = TextField(_l("Note"))

    def request(self, timezone: str) -> BookingRequest:
        """The booking for the service."""
        pickup: datetime = self.pickup_at.data
        if pickup.tzinfo is None:
            pickup = pickup.replace(tzinfo=ZoneInfo(timezone))
        return BookingRequest(
            caller_phone=self.caller_phone.data,
            lon=self.lon.data,
            lat=self.lat.data,
            pickup_at=pickup,
            address=self.address.data,
            note=self.note.data,
        )


class ResourceForm(Form):
    """A station, a hospital (with capabilities) or an ambulance (call sign, station)."""

    name = TextField()
    lon = CoordinateField()
    lat = CoordinateField()
    capability = SelectMultipleField(validate_choice=False)
    call_sign = TextField()
    station_id = OptionalIntField()

    def place(self) -> Place:
        """The station's or hospital's name and point."""
        return Place(name=self.name.data, lon=self.lon.data, lat=self.lat.data)
