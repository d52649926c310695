"""The PM's walk (issue 10): every page as each demo user, screenshotted top to bottom.

For alice, bob and carol: Portfolio (timing login submit → first chart), Risk down to the Stress
and Sectors sections, Correlations over the holdings and over the ~150-symbol universe; admin opens
Admin. Shots land in `screenshots/walk-<user>-<page>-<n>.png` for a person to look at (issue 10's
"Done when" asks for that); the test fails on any exception box or a raw `None`/`nan` in the text.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.support import (
    FIRST_RENDER_MS,
    NAVIGATION_MS,
    go_to,
    log_in,
    new_page,
    open_login,
    scroll_shots,
    settle,
)

pytestmark = pytest.mark.browser

CHART = '[data-testid="stPlotlyChart"] .main-svg'
RAW = re.compile(r"(?<![\w.])(None|nan|NaN|NaT)(?![\w])")


def _main_text(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator('[data-testid="stMain"]').inner_text())


def _no_raw_values(page, where: str) -> None:  # type: ignore[no-untyped-def]
    found = RAW.findall(_main_text(page))
    assert not found, f"{where}: raw {sorted(set(found))} on the page"


def _log_in_timed(page, url: str, username: str, password: str) -> float:  # type: ignore[no-untyped-def]
    """Log in and return the seconds from pressing "Log in" to the first chart on Portfolio."""
    open_login(page, url)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    started = time.monotonic()
    page.get_by_role("button", name="Log in").click()
    page.locator(CHART).first.wait_for(timeout=FIRST_RENDER_MS)
    elapsed = time.monotonic() - started
    settle(page, page.get_by_role("heading", name="Portfolio"), timeout=FIRST_RENDER_MS)
    return elapsed


@pytest.mark.parametrize("username", ["alice", "bob", "carol"])
def test_each_demo_user_walks_portfolio_risk_and_correlations(server: str, browser, username: str) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=1440, height=1100)
    seconds = _log_in_timed(page, server, username, "sigma-demo")
    print(f"\n{username}: login submit → first Portfolio chart {seconds:.2f} s")
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    scroll_shots(page, f"walk-{username}-portfolio")
    _no_raw_values(page, f"{username} Portfolio")

    go_to(page, "Risk")
    settle(page, page.get_by_role("heading", name="Sectors & concentration"), timeout=FIRST_RENDER_MS)
    assert "Stress tests" in _main_text(page)
    scroll_shots(page, f"walk-{username}-risk", limit=16)
    _no_raw_values(page, f"{username} Risk")

    go_to(page, "Correlations")
    page.locator(CHART).first.wait_for(timeout=FIRST_RENDER_MS)
    settle(page, page.get_by_role("heading", name="Pair"))
    scroll_shots(page, f"walk-{username}-correlations")
    _no_raw_values(page, f"{username} Correlations")
    if username == "alice":  # the universe matrix is the same for everyone: one look is enough
        page.get_by_text("Universe", exact=True).click()
        settle(page, page.get_by_role("heading", name="Pair"), timeout=FIRST_RENDER_MS)
        page.locator(CHART).first.wait_for()
        scroll_shots(page, "walk-universe-correlations")
        _no_raw_values(page, "universe Correlations")
    page.close()


def test_admin_walks_the_admin_page(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, width=1440, height=1100)
    log_in(page, server, "admin", "sigma-admin")  # admin owns no book: no chart to time
    go_to(page, "Admin")
    settle(page, page.get_by_text("Data quality").first, timeout=NAVIGATION_MS)
    page.wait_for_function(  # the users and data-quality tables drawn, not their grey loading boxes
        "() => document.querySelectorAll('[data-testid=\"stDataFrame\"] canvas').length >= 2", timeout=NAVIGATION_MS
    )
    scroll_shots(page, "walk-admin-admin")
    page.close()
