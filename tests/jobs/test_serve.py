"""`python -m jobs serve` end to end in a subprocess against a temporary SQLite data dir: it starts,
beats, runs a job queued from the Admin page, and stops cleanly on SIGTERM. Every wait is bounded."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sigma.batch.status import JobStatus, RequestStatus, Trigger
from sigma.config import from_env
from sigma.db.models import JobRequest
from sigma.market.universe import universe_symbols
from sigma.wiring import Services, build
from tests.jobs.processes import ROOT, cli_env

WAIT_S = 120  # a loaded 2-core machine: the child imports pandas, numpy, SQLAlchemy and APScheduler


@pytest.fixture
def data_env(tmp_path: Path) -> dict[str, str]:
    """The SIGMA_* variables of a fresh data dir (simulated market, a 1 s heartbeat)."""
    return {
        "SIGMA_ENV": "test",
        "SIGMA_DATA_DIR": str(tmp_path),
        "SIGMA_MARKET_END": "2026-11-20",
        "SIGMA_MARKET_YEARS": "1",
        "SIGMA_HEARTBEAT_SECONDS": "1",
        "SIGMA_COOKIE_KEY": "serve-test-cookie-key-" + "s" * 32,
    }


@pytest.fixture
def services(data_env: dict[str, str]) -> Iterator[Services]:
    """The test's own view of the data dir the jobs process serves (migrated here first)."""
    svc = build(from_env(data_env))
    yield svc
    svc.close()


def _wait_for(what: str, check: Callable[[], bool], proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return
        if proc.poll() is not None:
            pytest.fail(f"jobs serve exited ({proc.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.25)
    pytest.fail(f"no {what} within {WAIT_S} s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        return None


def test_jobs_serve_starts_runs_a_queued_job_and_stops_cleanly_on_sigterm(
    services: Services, data_env: dict[str, str], tmp_path: Path
) -> None:
    request_id = services.queue.request("profiles", None)
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        cmd = [sys.executable, "-m", "jobs", "serve"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=cli_env(**data_env), stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for("heartbeat", lambda: services.admin.scheduler_status().alive, proc, log)
        _wait_for("finished request", lambda: not services.queue.pending(), proc, log)
        code = _stop(proc)
    finally:
        _stop(proc)
    run = services.runs.recent(limit=1)[0]
    assert (run.job, run.trigger, run.status) == ("profiles", Trigger.REQUEST, JobStatus.SUCCEEDED)
    assert run.message == f"{len(universe_symbols())} profiles written; 0 positions sector-tagged"
    with services.sessions() as session:
        request = session.get(JobRequest, request_id)
        assert request is not None and (request.status, request.batch_run_id) == (RequestStatus.DONE, run.id)
    assert services.admin.scheduler_status().host is not None
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "scheduler started" in text and "received signal 15" in text and "scheduler stopped" in text
