"""End to end in a real headless Chromium (Debian's package) driven by Playwright.

Starts `streamlit run app.py` on 127.0.0.1 against a seeded data dir, logs in, opens every page,
fails on any Streamlit exception box, and saves screenshots under `screenshots/` (git-ignored).
With CI=true a missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.seeded import seeded_environment

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
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


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        if IN_CI:
            pytest.fail("chromium is not installed, and CI=true: the browser test must run (apt-get install chromium)")
        pytest.skip("chromium not installed (outside CI this skips)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded Sigma served by `streamlit run` on a free local port."""
    _chromium()
    env = {**os.environ, **seeded_environment(tmp_path_factory.mktemp("sigma-browser"))}
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_healthy(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"streamlit exited early:\n{out[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not become healthy within 60 s")


def settle(page, marker) -> None:  # type: ignore[no-untyped-def]
    marker.wait_for(timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=60_000)


def no_error_box(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    boxes = page.locator('[data-testid="stException"]')
    assert boxes.count() == 0, f"{name}: exception box: {boxes.first.inner_text()[:500]}"


def log_in(page, url: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    settle(page, page.get_by_role("button", name="Log in"))
    no_error_box(page, "00-login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), headless=True, args=ARGS)
        yield b
        b.close()


def test_a_demo_user_logs_in_and_sees_the_portfolio_page_with_real_numbers(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1500, "height": 2600})
    log_in(page, server, "carol", "sigma-demo")
    settle(page, page.get_by_role("heading", name="Portfolio"))
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
    page.wait_for_selector('[data-testid="stDataFrame"]', timeout=60_000)
    no_error_box(page, "01-portfolio")
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "NAV" in body and "$" in body and "Simulated prices as of 2026-11-20" in body
    assert "Long/Short Equity Fund" in body
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Carol Singh" in sidebar and "Simulated market" in sidebar
    page.close()


def test_every_page_opens_without_an_error_box(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1500, "height": 2600})
    log_in(page, server, "admin", "sigma-admin")
    settle(page, page.get_by_role("heading", name="Portfolio"))
    links = page.locator('[data-testid="stSidebarNav"] a')
    names = [links.nth(i).inner_text().strip().split("\n")[-1] for i in range(links.count())]
    assert "Admin" in names
    for i, name in enumerate(names):
        page.locator('[data-testid="stSidebarNav"] a', has_text=name).first.click()
        settle(page, page.get_by_role("heading", name=name).first)
        no_error_box(page, f"{10 + i:02d}-{name.lower().replace(' ', '-')}")
    page.close()


def test_logout_revokes_the_session_and_a_replayed_cookie_is_refused(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    log_in(page, server, "alice", "sigma-demo")
    settle(page, page.get_by_role("heading", name="Portfolio"))
    cookies = context.cookies()
    assert cookies, "no login cookie was set"
    page.reload()
    settle(page, page.get_by_role("heading", name="Portfolio"))  # the cookie keeps the user logged in
    page.get_by_role("button", name="Log out").click()
    settle(page, page.get_by_role("button", name="Log in"))
    context.add_cookies(cookies)  # replay the old cookies
    page.goto(server)
    settle(page, page.get_by_role("button", name="Log in"))
    no_error_box(page, "90-after-logout-replay")
    context.close()


def test_a_forged_cookie_is_treated_as_logged_out(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    forged = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ1c2VybmFtZSI6ImFsaWNlIiwiZXhwX2RhdGUiOjk5OTk5OTk5OTl9."
    host = server.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "sigma_auth", "value": forged, "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto(server)
    settle(page, page.get_by_role("button", name="Log in"))
    no_error_box(page, "91-forged-cookie")
    context.close()


def test_a_pm_walks_risk_and_correlations_and_imports_a_messy_broker_csv(server: str, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1500, "height": 3400})
    log_in(page, server, "bob", "sigma-demo")
    settle(page, page.get_by_role("heading", name="Portfolio"))
    for name in ("Risk", "Correlations"):
        page.locator('[data-testid="stSidebarNav"] a', has_text=name).first.click()
        settle(page, page.get_by_role("heading", name=name).first)
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=90_000)
        settle(page, page.get_by_role("heading", name=name).first)
        no_error_box(page, f"20-bob-{name.lower()}")
        assert "as of 2026-11-20" in page.locator('[data-testid="stMain"]').inner_text()
    page.locator('[data-testid="stSidebarNav"] a', has_text="Portfolio").first.click()
    settle(page, page.get_by_role("heading", name="Portfolio"))
    page.get_by_role("tab", name="Import / export").click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        str(ROOT / "tests" / "data" / "positions_messy_broker.csv")
    )
    settle(page, page.get_by_text("Preview:"))
    preview = page.locator('[data-testid="stMain"]').inner_text()
    assert "errors" in preview and "warnings" in preview
    no_error_box(page, "30-bob-import-preview")
    page.close()
