"""The citizens' mailbox in a real browser, under the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]
HOLD_THE_LETTER = """() => document.querySelector("form[data-submit-once]")
  .addEventListener("submit", (event) => event.preventDefault())"""


def test_the_mailbox_sends_a_letter_once(live_server, page):
    page.goto(f"{live_server}/public/mailbox")
    page.fill("input[name=caller_phone]", "13912345678")
    page.fill("textarea[name=description]", "小区路灯不亮")
    page.evaluate(HOLD_THE_LETTER)  # stay on the page to see the button
    page.click("main button[type=submit]")
    expect(page.locator("main button[type=submit]")).to_be_disabled()
    assert page.csp_violations == []
