"""The phone line's figures on the KPI page (those who read the call records only) and on
the wallboard's JSON, from the hand-worked day of tests/unit/test_call_figures.py."""

import re
from datetime import timedelta
from unittest import mock

import pytest

from hotline.core.accounts.roles import Role
from hotline.core.telephony.agents import AgentState
from hotline.core.telephony.figures import CallFigure
from hotline.database import write_transaction
from hotline.models import Agent
from hotline.plugins import db
from hotline.services.reports import wallboard
from hotline.services.telephony import credentials
from tests import factories
from tests.integration.test_call_figures import seed
from tests.unit.test_call_figures import NINE

DAY = "from=2026-11-20&to=2026-11-20"


def _cells(html: str, table: str) -> list[list[str]]:
    body = html.split(f'id="{table}"')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells if row]


def test_the_supervisor_sees_the_calls_section(app, login, make):
    with app.app_context():
        seed()
    page = login(make(factories.user, Role.SUPERVISOR)).get(f"/kpi?{DAY}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # Rows in CallFigure's order (the labels read in the user's language).
    figures = dict(zip(CallFigure, (row[1:] for row in _cells(html, "call-figures")), strict=True))
    # Worked by hand: offered 7 (1 the day before, 2 a year before), answered 4 of 7.
    assert figures[CallFigure.OFFERED] == ["7", "+6 (+600.0%)", "+5 (+250.0%)"]
    assert figures[CallFigure.ANSWER_RATE] == ["57.1%", "-42.9", "-42.9"]
    assert figures[CallFigure.SERVICE_LEVEL][0] == "42.9%"
    assert figures[CallFigure.ABANDON_RATE][0] == "28.6%"
    assert figures[CallFigure.SPEED_OF_ANSWER] == ["12.5", "-1.5", "-1.5"]
    assert figures[CallFigure.AFTER_CALL][0] == "30.0"
    queues = {row[0].split()[0]: row for row in _cells(html, "call-queues")}
    # 12345: offered 5, answered 3, abandoned 1, 60.0%, 40.0%, 20.0%, 15.0 s; its 接通率
    # against one answered call the day before and a year before: -40 points.
    assert queues["12345"][1:8] == ["5", "3", "1", "60.0%", "40.0%", "20.0%", "15.0"]
    assert queues["12345"][-2:] == ["-40.0", "-40.0"]
    assert queues["120"][4:7] == ["50.0%", "50.0%", "50.0%"]
    agents = _cells(html, "call-agents")
    assert [row[1:3] for row in agents] == [["2", "100.0%"], ["1", "0.0%"], ["1", "100.0%"]]
    hours = _cells(html, "call-hours")
    assert [row[:5] for row in hours] == [
        ["09:00", "4", "3", "1", "75.0%"],
        ["10:00", "3", "1", "1", "33.3%"],
    ]


@pytest.mark.parametrize(
    ("role", "sees"), [(Role.OFFICIAL, True), (Role.DESK, True), (Role.DEPARTMENT, False)]
)
def test_the_centres_kpi_readers_see_them_a_unit_does_not(app, login, make, role, sees):
    with app.app_context():
        seed()
    department = "东城区城市管理委员会" if role is Role.DEPARTMENT else None
    page = login(make(factories.user, role, department)).get(f"/kpi?{DAY}")
    assert page.status_code == 200
    assert ('id="call-figures"' in page.get_data(as_text=True)) is sees


def test_the_wallboard_shows_the_line_today(app, login, make):
    with app.app_context():
        agents = seed()
        states = ("talking", "ready", "break")
        for user_id, state in zip(agents.values(), states, strict=True):
            credentials.issue_phone(db.session, user_id, realm="hotline", now=NINE)
            with write_transaction(db.session):
                agent = db.session.get(Agent, user_id)
                agent.state, agent.state_since = AgentState(state).value, NINE
    browser = login(make(factories.user, Role.SUPERVISOR))
    wallboard.forget()
    off = browser.get("/wallboard/data").get_json()
    assert off["telephony"] == {"enabled": False}  # the line is off: said so, nothing made up
    wallboard.forget()
    app.config["TELEPHONY_SECRET"] = "line-secret"
    eleven = NINE + timedelta(hours=2)  # 11:00 in Beijing
    with mock.patch("hotline.web.reports.wallboard.utcnow", return_value=eleven):
        data = browser.get("/wallboard/data").get_json()
    wallboard.forget()
    phone = data["telephony"]
    # Today so far, worked by hand: 4 answered of 7 offered, 3 within 15 s.
    assert (phone["offered"], phone["answered"]) == (7, 4)
    assert (phone["answer_rate"], phone["service_level"]) == ("57.1%", "42.9%")
    # H has waited since 10:20 (Kamailio has not given up on it): 40 minutes at 11:00.
    assert (phone["waiting"], phone["longest_wait"]) == (1, "40:00")
    by_state = {row["state"]: row["count"] for row in phone["agents"]}
    assert by_state == {
        "ready": 1,
        "ringing": 0,
        "talking": 1,
        "after_call": 0,
        "busy": 0,
        "break": 1,
    }
    assert all(row["label"] for row in phone["agents"]) and phone["signed_in"] == 3
