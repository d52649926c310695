"""Many users at once: concurrent headless Chromium sessions through Portfolio, Risk and Correlations.

Seeds a data dir the way `make run` does (`bench.pages.seed`, without the big book), starts one
`streamlit run app.py` on a free 127.0.0.1 port, then opens `--sessions` Playwright browser
contexts at once (the three demo users round-robin). Each logs in and waits for the Portfolio
page to settle, then clicks Risk and Correlations in the sidebar and waits for each to settle
(the heading visible, the script idle, nothing greyed out: the waits of tests/browser/support.py).
Prints P50/P95 of the time to a settled page per page and overall, the errors (a timeout or a
Streamlit exception box), and the server's peak RSS (VmHWM of the streamlit process, Linux).
One warm-up session runs first, alone, and is reported apart: a fresh server's first render
imports the pages and builds the services once, which is start-up, not load.

Goal: P95 < 3 s on an idle 2-core machine, no error.

Run: .venv/bin/python -m bench.load [--sessions 20] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.pages import USERS, seed

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("Portfolio", "Risk", "Correlations")
TIMEOUT_MS = 180_000
IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
NOT_STALE = "() => !document.querySelector('[data-stale=\"true\"]')"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions"]
GOAL_P95_S = 3.0


@dataclass
class Tally:
    """Seconds to a settled page, per page name, and the errors seen."""

    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PAGES})
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, log: Path) -> subprocess.Popen[bytes]:
    """`streamlit run app.py` on 127.0.0.1:port (environment from `seed`); waits until healthy."""
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port"]
    cmd += [str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    cmd += ["--server.fileWatcherType", "none"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as r:
                if r.read() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise TimeoutError("streamlit did not become healthy within 180 s")


def peak_rss_mb(pid: int) -> float:
    """The peak resident set size of process `pid` in MB (VmHWM), NaN where /proc is missing."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


async def settle(page: Any, marker: Any) -> None:
    """Wait for what the user waits for: `marker` visible, the script idle, nothing greyed out."""
    await marker.wait_for(timeout=TIMEOUT_MS)
    await page.wait_for_selector(IDLE, timeout=TIMEOUT_MS)
    await page.wait_for_function(NOT_STALE, timeout=TIMEOUT_MS)


async def _check(page: Any, who: str, name: str, tally: Tally) -> None:
    boxes = page.locator('[data-testid="stException"]')
    if await boxes.count():
        tally.errors.append(f"{who} {name}: exception box: {(await boxes.first.inner_text())[:200]}")


async def one_user(browser: Any, url: str, index: int, tally: Tally) -> None:
    """Log in as a demo user (round-robin), then Portfolio, Risk, Correlations; record each settle time."""
    username, password = USERS[index % len(USERS)]
    who = f"#{index} {username}"
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)  # fills and clicks wait as long as the settles
    page = await context.new_page()
    step = "login form"
    try:
        await page.goto(url, timeout=TIMEOUT_MS)
        await settle(page, page.get_by_role("button", name="Log in"))
        await page.get_by_label("Username").fill(username)
        await page.get_by_label("Password", exact=True).fill(password)
        start, step = time.perf_counter(), "Portfolio"
        await page.get_by_role("button", name="Log in").click()
        await settle(page, page.get_by_role("heading", name="Portfolio"))
        tally.times["Portfolio"].append(time.perf_counter() - start)
        await _check(page, who, "Portfolio", tally)
        for name in PAGES[1:]:
            start, step = time.perf_counter(), name
            await page.locator('[data-testid="stSidebarNav"] a', has_text=name).first.click()
            await settle(page, page.get_by_role("heading", name=name).first)
            tally.times[name].append(time.perf_counter() - start)
            await _check(page, who, name, tally)
    except Exception as exc:  # a timeout or a crash is an error of the run, not a stop
        tally.errors.append(f"{who} at {step}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await context.close()


async def drive(url: str, sessions: int) -> tuple[Tally, Tally]:
    """One warm-up session (the server's first render: imports, services), then all sessions at once."""
    from playwright.async_api import async_playwright

    warmup, tally = Tally(), Tally()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), headless=True, args=ARGS)
        try:
            await one_user(browser, url, 0, warmup)
            await asyncio.gather(*(one_user(browser, url, i, tally) for i in range(sessions)))
        finally:
            await browser.close()
    return warmup, tally


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def report(tally: Tally, sessions: int, wall: float, rss: float) -> None:
    """Print P50/P95 per page and overall, the errors and the peak RSS."""
    print(f"{sessions} concurrent sessions, {wall:.1f}s wall, server peak RSS {rss:,.0f} MB")
    every = [t for times in tally.times.values() for t in times]
    for name, times in [*tally.times.items(), ("all pages", every)]:
        p95 = _pct(times, 0.95)
        ok = "ok" if p95 < GOAL_P95_S else "MISSED"
        print(f"  {name:<13} n={len(times):3d}  P50 {_pct(times, 0.50):6.2f}s  P95 {p95:6.2f}s  (goal P95 < 3 s) {ok}")
    print(f"  errors: {len(tally.errors)}")
    for line in tally.errors[:20]:
        print(f"    {line}")


def main() -> None:
    """Seed (or reuse --data-dir), serve, drive the sessions, print the figures, stop the server."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--data-dir", type=Path, help="reuse a data dir seeded by an earlier run")
    args = parser.parse_args()
    if shutil.which("chromium") is None:
        raise SystemExit("chromium is not installed (apt-get install chromium): bench.load needs a browser")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        seed(data_dir, args.years, 0)
        port = free_port()
        proc = start_server(port, data_dir / "load-streamlit.log")
        try:
            start = time.perf_counter()
            warmup, tally = asyncio.run(drive(f"http://127.0.0.1:{port}", args.sessions))
            wall = time.perf_counter() - start
            first = ", ".join(f"{name} {times[0]:.1f}s" for name, times in warmup.times.items() if times)
            print(f"warm-up session (a fresh server's first renders): {first or 'failed'} {warmup.errors}")
            report(tally, args.sessions, wall, peak_rss_mb(proc.pid))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()
