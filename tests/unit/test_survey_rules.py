"""Survey rules: who is called, when the next try is, what the form must contain."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.core.deadlines.calendar import WorkCalendar
from hotline.core.surveys.rules import (
    Outcome,
    Satisfaction,
    SurveyInputError,
    SurveyState,
    after_not_reached,
    first_due,
    parse_call,
    should_call,
)

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()
ANSWER = {
    "outcome": "answered",
    "resolved": "yes",
    "satisfaction": "basic",
    "attitude": "neutral",
    "score": "8",
    "comment": "还行",
}


def test_first_survey_is_the_next_working_day_across_holidays():
    # Closed on the eve of National Day 2026: the next working day is 8 October.
    assert first_due(datetime(2026, 9, 30, 18, 0, tzinfo=TZ), CAL) == datetime(
        2026, 10, 8, 9, 0, tzinfo=TZ
    )
    # Friday 13 February 2026: Saturday the 14th is a make-up working day (调休).
    assert first_due(datetime(2026, 2, 13, 11, 0, tzinfo=TZ), CAL).date() == date(2026, 2, 14)


def test_three_missed_calls_on_different_days_make_it_unreachable():
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
    state, due = after_not_reached(0, None, monday, CAL)
    assert state is SurveyState.DUE and due == datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    with pytest.raises(ValueError, match="already_tried_today"):
        after_not_reached(1, monday.date(), monday, CAL)
    state, due = after_not_reached(1, monday.date(), due.replace(hour=10), CAL)
    assert state is SurveyState.DUE and due.date() == date(2026, 11, 25)
    state, due = after_not_reached(2, date(2026, 11, 24), due.replace(hour=15), CAL)
    assert state is SurveyState.UNREACHABLE and due is None


def test_confidential_reporters_only_with_consent():
    assert should_call(True, False, False)
    assert not should_call(True, True, False)
    assert should_call(True, True, True)
    assert not should_call(False, False, True)


def test_a_full_answer_and_what_reopens():
    result = parse_call(ANSWER, TZ)
    assert result.outcome is Outcome.ANSWERED and result.survey.score == 8
    assert result.survey.satisfaction is Satisfaction.BASIC and not result.survey.reopens
    assert parse_call({**ANSWER, "resolved": "no"}, TZ).survey.reopens
    assert parse_call({**ANSWER, "satisfaction": "dissatisfied"}, TZ).survey.reopens


@pytest.mark.parametrize(
    ("form", "field", "code"),
    [
        ({}, "outcome", "required"),
        ({"outcome": "maybe"}, "outcome", "invalid_choice"),
        ({**ANSWER, "resolved": ""}, "resolved", "required"),
        ({**ANSWER, "satisfaction": "great"}, "satisfaction", "invalid_choice"),
        ({**ANSWER, "attitude": ""}, "attitude", "required"),
        ({**ANSWER, "score": "11"}, "score", "score_out_of_range"),
        ({**ANSWER, "score": "0"}, "score", "score_out_of_range"),
        ({**ANSWER, "score": "-3"}, "score", "score_out_of_range"),
        ({**ANSWER, "comment": "长" * 2001}, "comment", "too_long"),
        ({"outcome": "later", "call_again_at": "tomorrow"}, "call_again_at", "invalid_datetime"),
    ],
)
def test_bad_forms_name_their_field(form, field, code):
    with pytest.raises(SurveyInputError) as err:
        parse_call(form, TZ)
    assert err.value.errors[field] == code


def test_call_me_later_reads_local_time():
    result = parse_call({"outcome": "later", "call_again_at": "2026-11-24T15:30"}, TZ)
    assert result.call_again_at == datetime(2026, 11, 24, 15, 30, tzinfo=TZ)
    assert parse_call({"outcome": "not_reached"}, TZ).survey is None
