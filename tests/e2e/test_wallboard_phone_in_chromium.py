"""The wallboard with the phone line on, in a real browser: today's answer figures, the
calls waiting and the agents by state fit the 1920x1080 screen without scrolling or
clipping."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from hotline.core.telephony.figures import CallRow
from hotline.database import utcnow, write_transaction
from hotline.models import Agent
from hotline.plugins import db
from hotline.services.accounts import wallboard_token
from hotline.services.reports import wallboard
from hotline.services.telephony import credentials
from tests import factories
from tests.integration.test_call_figures import store

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
STATES = ("ready", "ringing", "talking", "after_call", "busy", "break", "ready")


def _line_today(now) -> None:
    """Two answered calls (after 14 s and 16 s), one waiting for 65 s; seven agents."""
    ids = {}
    for n, state in enumerate(STATES, start=1):
        user = factories.user(Role.OPERATOR, username=f"agent-with-a-long-name-{n}")
        credentials.issue_phone(db.session, user.id, realm="hotline", now=now)
        with write_transaction(db.session):
            agent = db.session.get(Agent, user.id)
            agent.state, agent.state_since = state, now
            if state == "after_call":  # else it reads as ready
                agent.after_call_until = now + timedelta(minutes=5)
        ids[n] = user.id
    start = now - timedelta(seconds=90)
    for key, wait in (("a", 14), ("b", 16)):
        answered = start + timedelta(seconds=wait)
        row = CallRow(start, answered, answered + timedelta(seconds=30), "answered", 1, "12345")
        store(row, key, ids)
    store(CallRow(now - timedelta(seconds=65), None, None, None, None, "12345"), "w", ids)
    db.session.commit()


def test_the_phone_panel_fits(app, live_server, page):
    wallboard.forget()
    app.config["TELEPHONY_SECRET"] = "line-secret"
    with app.app_context():
        _line_today(utcnow())
        token = wallboard_token.issue(db.session, now=utcnow(), days=1)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server}/wallboard?token={token}")
    expect(page.locator("#wb-telephony")).to_be_visible(timeout=10_000)
    expect(page.locator("#wb-telephony-off")).to_be_hidden()
    expect(page.locator("[data-figure='telephony.answer_rate']")).to_have_text("100.0%")
    expect(page.locator("[data-figure='telephony.service_level']")).to_have_text("50.0%")
    expect(page.locator("[data-figure='telephony.waiting']")).to_have_text("1")
    assert re.fullmatch(
        r"1:0\d", page.locator("[data-figure='telephony.longest_wait']").inner_text()
    )
    expect(page.locator("#wb-agents li")).to_have_count(6)  # every state, zeros too
    expect(page.locator("#wb-agents li").first).to_contain_text("2")  # two ready
    assert page.evaluate("document.scrollingElement.scrollHeight") <= 1080
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1920
    # Nothing of the panel is clipped: its last bar and last figure end inside it.
    clipped = page.evaluate(
        """() => {
          const panel = document.querySelector('.wb-phone-panel').getBoundingClientRect();
          const last = [...document.querySelectorAll('#wb-agents li, .wb-phone-figures dd')];
          return last.filter(n => n.getBoundingClientRect().bottom > panel.bottom
                               || n.getBoundingClientRect().right > panel.right).length;
        }"""
    )
    assert clipped == 0
    assert page.csp_violations == []
    wallboard.forget()
