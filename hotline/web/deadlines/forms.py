"""Form classes of the deadline pages: an extension request or decision, a reminder."""

from datetime import datetime

from hotline.web.fields import CheckedForm, DateField, DateTimeField, TextField


class ExtensionRequestForm(CheckedForm):
    """The department's request: the new due day and why."""

    day = DateField()
    reason = TextField()


class ExtensionDecisionForm(CheckedForm):
    """A supervisor's note on the decision."""

    note = TextField()


class ReminderForm(CheckedForm):
    """When to be reminded (local time unless it says otherwise) and of what."""

    remind_at = DateTimeField()
    note = TextField()

    def moment(self, timezone: str) -> datetime:
        """The reminder's time, in `timezone` when the browser sent a local time."""
        return self.remind_at.moment(timezone)


class NoticeForm(CheckedForm):
    """A supervisor's notice: what the unit must do, and by when (local time)."""

    instruction = TextField()
    respond_by = DateTimeField()

    def deadline(self, timezone: str) -> datetime:
        """The time to answer by, in `timezone` when the browser sent a local time."""
        return self.respond_by.moment(timezone)


class NoticeAnswerForm(CheckedForm):
    """The unit's answer to a notice."""

    answer = TextField()
