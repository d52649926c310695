"""What the browser tests share: Chromium's flags, the waits a user makes, screenshots, logging in.

Timeouts are sized for a loaded 2-core machine running the suite: the first render of a page
compiles the app's imports (up to FIRST_RENDER_MS), later navigations reuse them (NAVIGATION_MS).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
STARTUP_S = 120
FIRST_RENDER_MS = 120_000
NAVIGATION_MS = 90_000
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
NOT_STALE = "() => !document.querySelector('[data-stale=\"true\"]')"


def chromium() -> str:
    """The chromium executable; a failure in CI, a skip elsewhere, when it is missing."""
    path = shutil.which("chromium")
    if path is None:
        if IN_CI:
            pytest.fail("chromium is not installed, and CI=true: the browser test must run (apt-get install chromium)")
        pytest.skip("chromium not installed (outside CI this skips)")
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def new_page(owner: Any, **viewport: int) -> Any:
    """A page of `owner` (a browser or a context) whose waits hold on a loaded machine."""
    page = owner.new_page(viewport=viewport) if viewport else owner.new_page()
    page.set_default_timeout(NAVIGATION_MS)
    page.set_default_navigation_timeout(FIRST_RENDER_MS)
    return page


def settle(page: Any, marker: Any, timeout: int = NAVIGATION_MS) -> None:
    """Wait for what the user waits for: `marker` visible, the script idle, nothing greyed out."""
    marker.wait_for(timeout=timeout)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_function(NOT_STALE, timeout=timeout)


def no_error_box(page: Any, name: str) -> None:
    """Save a screenshot `name` and fail on any Streamlit exception box."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{name}: exception box: {boxes.first.inner_text()[:500]}"


def open_login(page: Any, url: str) -> None:
    """Open the app and wait for the login form (the first render may compile the app: long timeout)."""
    page.goto(url)
    settle(page, page.get_by_role("button", name="Log in"), timeout=FIRST_RENDER_MS)


def log_in(page: Any, url: str, username: str, password: str) -> None:
    """Log in through the form and wait for the Portfolio page."""
    open_login(page, url)
    no_error_box(page, "00-login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    settle(page, page.get_by_role("heading", name="Portfolio"), timeout=FIRST_RENDER_MS)


def go_to(page: Any, name: str) -> None:
    """Click page `name` in the sidebar and wait for its heading."""
    page.locator('[data-testid="stSidebarNav"] a', has_text=name).first.click()
    settle(page, page.get_by_role("heading", name=name).first)


SCROLLER = """() => {
  const all = [document.querySelector('[data-testid="stMain"]'),
               document.querySelector('[data-testid="stAppViewContainer"]'),
               document.scrollingElement];
  const el = all.find(e => e && e.scrollHeight > e.clientHeight + 2) || document.scrollingElement;
  return el;
}"""


def scroll_shots(page: Any, name: str, limit: int = 12) -> int:
    """Screenshot the main area top to bottom, one viewport at a time (`name`-1.png, -2, …).

    Streamlit scrolls its main container, not the document, so a full-page screenshot would show
    only the first screen: this scrolls that container instead. Returns the number of shots.
    """
    no_error_box(page, f"{name}-1")
    height = page.evaluate(f"() => ({SCROLLER})().scrollHeight")
    step = page.evaluate(f"() => ({SCROLLER})().clientHeight") - 80  # a little overlap
    shots = 1
    for top in range(step, max(height - 80, step), step):
        if shots >= limit:
            break
        page.evaluate(f"() => ({SCROLLER})().scrollTo(0, {top})")
        page.wait_for_timeout(300)  # let plotly draw what scrolled into view
        shots += 1
        page.screenshot(path=str(SHOTS / f"{name}-{shots}.png"))
    page.evaluate(f"() => ({SCROLLER})().scrollTo(0, 0)")
    return shots
