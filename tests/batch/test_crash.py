"""Faults across processes, on SQLite and PostgreSQL: a runner killed with SIGKILL mid-phase, one
stopped with SIGTERM, and two runs of one job at once. After each, the next run completes and the
tables equal those of a clean run, row for row: nothing duplicated, nothing lost.

The database starts seeded with prices to 2026-11-13 and the demo book; the runs then go to
2026-11-20 (a week of catch-up: prices and snapshots). Every wait is bounded.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from jobs.runner import run_job
from sigma.batch.orchestrator import BatchRequest
from sigma.batch.status import JobStatus
from sigma.config import from_env
from sigma.wiring import Services, build
from tests.conftest import Database
from tests.jobs.processes import ROOT, cli_env, run_cli
from tests.seeded import seeded_environment

PHASES = ("market_data", "snapshots")
TTL_S = 5  # the lease: renewed every third of it, so a loaded machine does not lose it by accident
WAIT_S = 120
TABLES = {
    "prices": "SELECT symbol, date, close, adj_close, volume FROM prices ORDER BY symbol, date",
    "portfolio_snapshots": "SELECT * FROM portfolio_snapshots ORDER BY portfolio_id, date",
}


@pytest.fixture
def seeded(db: Database, tmp_path: Path) -> dict[str, str]:
    """The SIGMA_* variables of the test database, seeded a week behind, with a 2 s lock lease."""
    url = db.url if db.backend == "postgresql" else None  # SQLite: a fresh file in the data dir
    env = seeded_environment(tmp_path / "data", database_url=url, market_end="2026-11-13")
    return {
        **env,
        "SIGMA_MARKET_END": "2026-11-20",
        "SIGMA_LOCK_TTL_SECONDS": str(TTL_S),
        "SIGMA_BATCH_EXECUTOR": "inline",
    }


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """The tables after one clean run of the same catch-up (SQLite, in process)."""
    data = tmp_path_factory.mktemp("clean")
    env = seeded_environment(data, market_end="2026-11-13")
    services = build(from_env({**env, "SIGMA_MARKET_END": "2026-11-20", "SIGMA_BATCH_EXECUTOR": "inline"}))
    try:
        _, outcome = run_job(services, "batch", request=BatchRequest("batch", PHASES))
        assert outcome.status == JobStatus.SUCCEEDED, outcome.message
        return _tables(services)
    finally:
        services.close()


def _tables(services: Services) -> dict[str, pd.DataFrame]:
    with services.engine.connect() as conn:
        out = {name: pd.DataFrame(conn.execute(text(sql)).mappings().all()) for name, sql in TABLES.items()}
    for frame in out.values():
        for column in ("date",):
            if column in frame:
                frame[column] = pd.to_datetime(frame[column]).dt.date
    return out


def _assert_equal_to_clean(services: Services, clean: dict[str, pd.DataFrame]) -> None:
    got = _tables(services)
    for name, expected in clean.items():
        frame = got[name]
        assert len(frame) == len(expected), name
        pd.testing.assert_frame_equal(
            frame.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False, rtol=1e-12
        )


def _spawn(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "tests.batch.killable", "batch", *PHASES]
    with log.open("wb") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=cli_env(**env), stdout=out, stderr=subprocess.STDOUT)


def _wait(what: str, check: Callable[[], bool], proc: subprocess.Popen[bytes] | None, log: Path) -> None:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if check():
            return
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the runner exited ({proc.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"no {what} within {WAIT_S} s:\n{log.read_text()[-3000:]}")


def _mid_phase(services: Services, phase: str) -> Callable[[], bool]:
    def check() -> bool:
        runs = services.runs.recent(limit=1)
        if not runs or runs[0].status != JobStatus.RUNNING or runs[0].phase != phase:
            return False
        return runs[0].message.startswith(f"{phase}: ")  # a unit of the phase has reported

    return check


@pytest.fixture
def services(seeded: dict[str, str]):
    svc = build(from_env(seeded))
    yield svc
    svc.close()


@pytest.mark.parametrize("phase", ["market_data", "snapshots"])
def test_a_runner_killed_mid_phase_is_recovered_by_the_next_run_with_nothing_lost_or_doubled(
    seeded: dict[str, str], services: Services, clean: dict[str, pd.DataFrame], tmp_path: Path, phase: str
) -> None:
    log = tmp_path / "killed.log"
    proc = _spawn(seeded, log)
    _wait(f"{phase} under way", _mid_phase(services, phase), proc, log)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=WAIT_S)
    killed = services.runs.recent(limit=1)[0]
    assert killed.status == JobStatus.RUNNING  # nobody could record its end
    soon = run_job(services, "batch", request=BatchRequest("batch", PHASES))[1]
    assert soon.status == JobStatus.SKIPPED  # the dead holder's lease still holds, for at most one TTL
    time.sleep(TTL_S + 0.5)
    again = run_cli("run", "batch", "--phase", "market_data", "--phase", "snapshots", env=cli_env(**seeded))
    assert again.returncode == 0, again.stdout + again.stderr
    runs = {r.id: r for r in services.runs.recent(limit=5)}
    assert runs[killed.id].status == JobStatus.DIED
    assert [r.status for r in services.runs.recent(limit=3)] == [JobStatus.SUCCEEDED, JobStatus.SKIPPED, JobStatus.DIED]
    _assert_equal_to_clean(services, clean)


def test_sigterm_finishes_the_unit_records_the_run_interrupted_and_the_next_run_completes(
    seeded: dict[str, str], services: Services, clean: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    log = tmp_path / "stopped.log"
    proc = _spawn(seeded, log)
    _wait("snapshots under way", _mid_phase(services, "snapshots"), proc, log)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=WAIT_S) == 0
    stopped = services.runs.recent(limit=1)[0]
    assert stopped.status == JobStatus.INTERRUPTED and "outcome interrupted" in log.read_text()
    assert [(p.name, p.status) for p in stopped.phases] == [
        ("market_data", JobStatus.SUCCEEDED),
        ("snapshots", JobStatus.INTERRUPTED),
    ]
    again = run_cli("run", "batch", "--phase", "market_data", "--phase", "snapshots", env=cli_env(**seeded))
    assert again.returncode == 0, again.stdout + again.stderr
    _assert_equal_to_clean(services, clean)


def test_two_runs_of_one_job_at_once_one_runs_and_the_other_is_a_recorded_skip(
    seeded: dict[str, str], services: Services, clean: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    log = tmp_path / "first.log"
    proc = _spawn(seeded, log)
    _wait("the first run under way", _mid_phase(services, "market_data"), proc, log)
    second = run_cli("run", "batch", "--phase", "market_data", "--phase", "snapshots", env=cli_env(**seeded))
    assert proc.wait(timeout=WAIT_S) == 0 and "outcome succeeded" in log.read_text()
    assert second.returncode == 1 and "already running" in second.stdout + second.stderr
    statuses = sorted(r.status for r in services.runs.recent(limit=2))
    assert statuses == [JobStatus.SKIPPED, JobStatus.SUCCEEDED]
    _assert_equal_to_clean(services, clean)
