"""A live server on 127.0.0.1 and the Debian Chromium driven by Playwright."""

from pathlib import Path

import pytest

from tests.e2e import bundle_job

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


# --- the offline-install test: its three minutes overlap the rest of the suite ------------


def pytest_collection_modifyitems(config, items):
    """The offline-install test last, so that its background job has the session to run."""
    items.sort(key=lambda item: item.get_closest_marker("bundle") is not None)


def pytest_collection_finish(session):
    """Start the bundle's build and install in the background when its test is selected and
    can run (tests/e2e/bundle_job.py)."""
    if session.config.option.collectonly or not bundle_job.can_run():
        return
    if any(item.get_closest_marker("bundle") for item in session.items):
        bundle_job.start(session.config)


def pytest_sessionfinish(session):
    """A job still running (the session was cut short) is stopped, its folder removed."""
    bundle_job.stop(session.config)
