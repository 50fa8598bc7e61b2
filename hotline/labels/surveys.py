"""Labels of surveys (回访): task states and the caller's answers."""

from flask_babel import lazy_gettext as _l

from hotline.core.surveys.rules import Attitude, Outcome, Satisfaction, SurveyState
from hotline.labels.registry import register

SURVEY_STATE_LABELS = register(
    SurveyState,
    {
        "due": _l("To call"),
        "done": _l("Answered"),
        "declined": _l("Declined"),
        "unreachable": _l("Unreachable"),
    },
)


OUTCOME_LABELS = register(
    Outcome,
    {
        "answered": _l("Reached, survey answered"),
        "not_reached": _l("Not reached"),
        "declined": _l("Caller declines the survey"),
        "later": _l("Call me later"),
    },
)


SATISFACTION_LABELS = register(
    Satisfaction,
    {
        "satisfied": _l("Satisfied"),
        "basic": _l("Basically satisfied"),
        "dissatisfied": _l("Dissatisfied"),
    },
)


ATTITUDE_LABELS = register(
    Attitude,
    {
        "satisfied": _l("Satisfied"),
        "neutral": _l("Average"),
        "dissatisfied": _l("Dissatisfied"),
    },
)
