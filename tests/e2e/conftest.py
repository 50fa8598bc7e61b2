"""A live server on 127.0.0.1 and the Debian Chromium driven by Playwright."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def page():
    """A fresh Chromium page; every request it makes is recorded in page.requests_seen, every
    Content-Security-Policy violation Chromium reports on the console in page.csp_violations."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        tab = context.new_page()
        tab.requests_seen = []
        tab.on("request", lambda request: tab.requests_seen.append(request.url))
        tab.csp_violations = []
        tab.on("console", lambda message: _note_csp_violation(tab, message))
        yield tab
        context.close()
        browser.close()


def _note_csp_violation(tab, message) -> None:
    if "Content Security Policy" in message.text:
        tab.csp_violations.append(f"{tab.url}: {message.text}")
