"""End to end in a real headless Chromium (Debian's package) driven by Playwright.

Against the session's one Streamlit server (tests/browser/conftest.py): logs in, opens every page,
fails on any Streamlit exception box, and saves screenshots under `screenshots/` (git-ignored).
Runs in its own pytest invocation after the parallel suite (`make test`), never beside it.
"""

from __future__ import annotations

import pytest

from tests.browser.support import (
    FIRST_RENDER_MS,
    NAVIGATION_MS,
    ROOT,
    go_to,
    log_in,
    new_page,
    no_error_box,
    open_login,
    settle,
)

pytestmark = pytest.mark.browser


def test_a_demo_user_logs_in_and_sees_the_portfolio_page_with_real_numbers(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=1500, height=2600)
    log_in(page, server, "carol", "sigma-demo")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=NAVIGATION_MS)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=NAVIGATION_MS)
    no_error_box(page, "01-portfolio")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "NAV" in body and "$" in body and "Simulated prices as of 2026-11-20" in body
    assert "Long/Short Equity Fund" in body
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Carol Singh" in sidebar and "Simulated market" in sidebar
    page.close()


def test_every_page_opens_without_an_error_box(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=1500, height=2600)
    log_in(page, server, "admin", "sigma-admin")
    links = page.locator('[data-testid="stSidebarNav"] a')
    names = [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]
    assert "Admin" in names
    for i, name in enumerate(names):
        go_to(page, name)
        no_error_box(page, f"{10 + i:02d}-{name.lower().replace(' ', '-')}")
    page.close()


def test_logout_revokes_the_session_and_a_replayed_cookie_is_refused(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = new_page(context)
    log_in(page, server, "alice", "sigma-demo")
    cookies = context.cookies()
    assert cookies, "no login cookie was set"
    page.reload()
    settle(page, page.get_by_role("heading", name="Portfolio"))  # the cookie keeps the user logged in
    page.get_by_role("button", name="Log out").click()
    settle(page, page.get_by_role("button", name="Log in"))
    context.add_cookies(cookies)  # replay the old cookies
    open_login(page, server)
    no_error_box(page, "90-after-logout-replay")
    context.close()


def test_a_forged_cookie_is_treated_as_logged_out(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiZXhwX2RhdGUiOjk5OTk5OTk5OTl9."
    host = server.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "sigma_auth", "value": forged, "domain": host, "path": "/"}])
    page = new_page(context)
    open_login(page, server)
    no_error_box(page, "91-forged-cookie")
    context.close()


def test_a_pm_walks_risk_and_correlations_and_imports_a_messy_broker_csv(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=1500, height=3400)
    log_in(page, server, "bob", "sigma-demo")
    for name in ("Risk", "Correlations"):
        go_to(page, name)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=FIRST_RENDER_MS)
        settle(page, page.get_by_role("heading", name=name).first)
        no_error_box(page, f"20-bob-{name.lower()}")
        assert "as of 2026-11-20" in page.locator('[data-testid="stMain"]').inner_text()
    go_to(page, "Portfolio")
    page.get_by_role("tab", name="Import / export").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(ROOT / "tests" / "data" / "positions_messy_broker.csv")
    )
    settle(page, page.get_by_text("Preview:"))
    preview = page.locator('[data-testid="stMain"]').inner_text()
    assert "errors" in preview and "warnings" in preview
    no_error_box(page, "30-bob-import-preview")
    page.close()
