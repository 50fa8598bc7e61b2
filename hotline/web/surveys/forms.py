"""The survey form (回访): its fields, read by the typed parser `core.surveys.rules.parse_call`."""

from datetime import tzinfo

from hotline.core.surveys import rules
from hotline.core.surveys.rules import CallResult
from hotline.web.fields import OptionalIntField, text_form

CALL_FIELDS = ("outcome", "resolved", "satisfaction", "attitude", "score", "comment")


class SurveyForm(text_form(*CALL_FIELDS, "call_again_at")):
    """One call as the survey operator records it (`typed()`: the fields as typed), and the
    task's version they saw."""

    version = OptionalIntField()

    def call(self, tz: tzinfo) -> CallResult:
        """The call, parsed; SurveyInputError names each wrong field."""
        return rules.parse_call(self.typed(), tz)
