"""One Streamlit server and one headless Chromium per test run, shared by every browser test module.

The server is `streamlit run app.py` on a free 127.0.0.1 port against a data dir seeded once;
its output goes to a log file (a pipe nobody reads would block it once full) whose tail is shown
when it fails to start. With CI=true a missing browser fails the run instead of skipping.
Tests that need servers of their own (two replicas on one database) start them with the
`streamlit_server` fixture, the same way.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from tests.browser.support import ARGS, ROOT, STARTUP_S, chromium, free_port
from tests.seeded import seeded_environment

ServerStarter = Callable[[Mapping[str, str], Path], AbstractContextManager[str]]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test under tests/browser carries the `browser` marker (`make test` runs them apart)."""
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@contextmanager
def _serving(env: Mapping[str, str], log: Path) -> Iterator[str]:
    """`streamlit run app.py` with `env` on a free port: its URL once healthy; stopped on exit."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def streamlit_server() -> ServerStarter:
    """`streamlit_server(env, log)`: a context manager serving app.py with `env` (the full
    environment), output to `log`; it yields the URL once the server is healthy and stops it after."""
    return _serving


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a seeded Sigma served by `streamlit run` (one per session)."""
    chromium()
    data = tmp_path_factory.mktemp("sigma-browser")
    env = {**os.environ, **seeded_environment(data, batch=True)}
    with _serving(env, data / "streamlit.log") as url:
        yield url


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not become healthy within {STARTUP_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless Chromium (Debian's package) for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), headless=True, args=ARGS)
        yield b
        b.close()
