"""An operator takes a call in a real browser: map click, routing preview, save."""

import pytest
from playwright.sync_api import expect

from hotline.core.accounts.roles import Role
from tests import factories

pytestmark = [
    pytest.mark.e2e,
    # Werkzeug's development server drops (unclosed) the file of a static response that
    # ends as 304 Not Modified; Chromium revalidates cached CSS and JS, so the warning comes
    # from the test server, not from the application. Production serves static files itself.
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def log_in(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")


def test_operator_records_a_call_on_the_offline_map(live_server, page, make):
    operator = make(factories.user, Role.OPERATOR)
    earlier = make(factories.order, caller_phone="13912345678")
    log_in(page, live_server, operator.username)
    page.goto(f"{live_server}/intake")
    page.fill("#caller_phone", "13912345678")
    page.dispatch_event("#caller_phone", "change")
    page.wait_for_selector(f"#history-list a:text('{earlier.number}')")

    page.select_option("#category_code", "0401")
    page.fill("#category_filter", "噪音")
    assert page.is_hidden("option[value='0301']")
    # Click inside the district layer near the middle of the map.
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.55)
    expect(page.locator("#lon")).not_to_have_value("")
    expect(page.locator("#route-preview")).to_contain_text("区")
    preview = page.inner_text("#route-preview")
    assert "委员会" in preview or "由派单台人工分派" in preview

    page.fill("textarea[name=description]", "楼下工地夜间施工，噪音扰民")
    page.click("button.primary")
    page.wait_for_selector("text=已创建")
    assert "/orders/" in page.url
    assert "楼下工地夜间施工" in page.content()

    outside = [
        u for u in page.requests_seen if not u.startswith(live_server) and not u.startswith("data:")
    ]
    assert outside == []
    assert page.csp_violations == []
