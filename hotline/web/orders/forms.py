"""Form classes of the order pages: the actions form, the status lookup, the mailbox."""

from hotline.web.fields import OptionalIntField, TextField, text_form
from hotline.web.forms import Form


class ActionForm(Form):
    """One action on an order: a note, a department or category when the action needs one,
    and the version the user saw (a stale one is a conflict)."""

    note = TextField()
    department_id = OptionalIntField()
    version = OptionalIntField()
    category_code = TextField()
    public_summary = TextField()  # a reply's: what Open311 publishes of the order

    def summary(self) -> str | None:
        """The public summary sent with the form; None when the form has no such field."""
        return self.public_summary.data if self.public_summary.raw_data else None


class StatusLookupForm(Form):
    """The citizen's status lookup: the order number and the last four digits of the phone."""

    number = TextField()
    last_four = TextField()


LETTER_FIELDS = ("order_type", "caller_phone", "caller_name", "description", "district_code")


class MailboxForm(text_form(*LETTER_FIELDS, "address")):
    """A letter to the mayor's mailbox, with the signed form token and the robots' trap;
    `typed()` gives the letter's fields as typed (for the service and to show them again)."""

    form_token = TextField()
    website = TextField()  # hidden from people; robots fill it in
