"""The operations console's service (AdminService) on SQLite and PostgreSQL, and its Gantt.

Queued runs carry their parameters and an audit row written with them; bad parameters are refused
before anything is written; the scheduler's state says how old its heartbeat is and how to start
it; next run times follow the crons; the quality report names each symbol's provider.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from sigma.batch.admin import AdminService, with_providers
from sigma.batch.runs import PhaseRecord, RunView
from sigma.batch.sql.heartbeat import Heartbeat
from sigma.batch.status import JobStatus, Trigger
from sigma.charts.batch import STATUS_COLORS, phase_timeline
from sigma.errors import PermissionDenied, ValidationError
from sigma.ui.admin.timeline import phase_frame
from sigma.wiring import build
from tests.fakes import FakeProvider, synthetic_bars

NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # a Friday, 23:00 UTC
PHASES = ("market_data", "profiles", "snapshots", "risk", "insights")
ADMIN_PW = "copper-violin-harbor-73"
ALICE_PW = "quartz-lantern-meadow-41"


class Clock:
    """A settable UTC clock."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def world(db_settings):
    provider = FakeProvider(synthetic_bars(["SPY", "AAPL"], date(2026, 11, 2), date(2026, 11, 20)))
    svc = build(replace(db_settings, market_end=date(2026, 11, 20)), provider=provider)
    clock = Clock()
    admin = AdminService(
        svc.auth, svc.market, svc.runs, svc.queue, Heartbeat(svc.sessions, clock), 30, clock, phases=lambda: PHASES
    )
    root = svc.auth.ensure_user("root", "Root", ADMIN_PW, "admin")
    alice = svc.auth.create_user(root, "alice", "Alice", ALICE_PW, "analyst")
    yield svc, admin, root, alice, clock
    svc.close()


def test_a_queued_batch_run_carries_its_parameters_and_its_audit_row(world):
    svc, admin, root, _alice, _clock = world
    params = {"phases": ["risk"], "portfolios": [3], "from": "2026-11-02"}
    request_id = admin.request_job(root, "batch", params)
    _runs, pending = admin.runs(root)
    assert [(r.id, r.job, r.status, r.params) for r in pending] == [(request_id, "batch", "queued", params)]
    entry = svc.auth.audit_log(root, limit=1)[0]
    assert (entry.actor, entry.action, entry.target, dict(entry.details)) == ("root", "queue_run", "batch", params)
    claimed = svc.queue.claim_next()
    assert claimed is not None and (claimed.requested_by, claimed.params) == (root.id, params)


def test_a_run_of_everything_is_queued_without_parameters(world):
    _svc, admin, root, _alice, _clock = world
    admin.request_job(root, "batch")
    admin.request_job(root, "market_data", {})
    assert [(r.job, r.params) for r in admin.runs(root)[1]] == [("batch", {}), ("market_data", {})]


@pytest.mark.parametrize(
    ("job", "params", "message"),
    [
        ("nightly", {}, "Unknown job 'nightly'"),
        ("batch", {"phases": ["risk", "magic"]}, r"Unknown phase\(s\): magic. Known phases: market_data, profiles"),
        ("batch", {"phases": []}, r"Unknown phase\(s\): \(none\)"),
        ("market_data", {"phases": ["risk"]}, "market_data runs its own phase"),
        ("batch", {"portfolios": [0]}, "Portfolio ids are positive integers; got 0."),
        ("batch", {"portfolios": ["x"]}, "Cannot queue 'batch'"),
        ("batch", {"from": "2026-13-01"}, "Cannot queue 'batch'"),
        ("batch", {"from": "2026-11-21"}, "2026-11-21 is in the future"),
    ],
)
def test_bad_parameters_are_refused_and_nothing_is_queued_or_audited(world, job, params, message):
    svc, admin, root, _alice, _clock = world
    before = svc.auth.audit_log(root)
    with pytest.raises(ValidationError, match=message):
        admin.request_job(root, job, params)
    assert admin.runs(root)[1] == []
    assert svc.auth.audit_log(root) == before


def test_an_analyst_cannot_queue_a_run_and_nothing_is_written(world):
    svc, admin, root, alice, _clock = world
    with pytest.raises(PermissionDenied, match="Only administrators"):
        admin.request_job(replace(alice, role="admin"), "batch")
    assert admin.runs(root)[1] == []
    assert [e.action for e in svc.auth.audit_log(root)] == ["create_user"]


def test_the_scheduler_is_down_with_advice_then_alive_with_its_heartbeat_age(world):
    svc, admin, _root, _alice, clock = world
    never = admin.scheduler_status()
    assert (never.alive, never.age) == (False, None)
    assert never.message == "The jobs process has never run: start it with python -m jobs serve"
    Heartbeat(svc.sessions, lambda: NOW - timedelta(seconds=40)).beat("scheduler", "box", 7)
    alive = admin.scheduler_status()
    assert (alive.alive, alive.age, alive.message) == (True, timedelta(seconds=40), "jobs process on box (pid 7)")
    clock.now = NOW + timedelta(seconds=60)  # 100 s since the beat, over 3 x 30 s
    down = admin.scheduler_status()
    assert (down.alive, down.age) == (False, timedelta(seconds=100))
    assert down.message == "jobs process on box (pid 7) is not answering: start it with python -m jobs serve"


def test_next_run_times_follow_the_crons_soonest_first(world):
    _svc, admin, root, _alice, _clock = world
    view = admin.view(root)
    # Friday 23:00: profiles "30 23 * * *" runs tonight at 23:30; market data "15 22 * * mon-fri"
    # and the batch "45 22 * * mon-fri" next run on Monday the 23rd.
    assert [(n.job, n.next_run) for n in view.next_runs] == [
        ("profiles", datetime(2026, 11, 20, 23, 30, tzinfo=UTC)),
        ("market_data", datetime(2026, 11, 23, 22, 15, tzinfo=UTC)),
        ("batch", datetime(2026, 11, 23, 22, 45, tzinfo=UTC)),
    ]
    assert view.phases == PHASES
    assert [e.action for e in view.audit] == ["create_user"]


def test_the_quality_report_names_the_provider_of_each_symbol(world):
    svc, admin, root, _alice, _clock = world
    svc.market.refresh(symbols=["SPY", "AAPL"])
    quality = admin.view(root).quality
    assert dict(zip(quality["symbol"], quality["provider"], strict=True)) == {"AAPL": "simulated", "SPY": "simulated"}


def test_a_symbol_served_by_two_providers_reads_mixed_and_one_without_prices_blank():
    quality = pd.DataFrame({"symbol": ["A", "B", "C"], "status": ["ok", "warning", "error"]})
    coverage = pd.DataFrame({"symbol": ["A", "B"], "source": ["live", "mixed"]})
    assert with_providers(quality, coverage)["provider"].tolist() == ["live", "mixed", ""]
    assert "provider" in with_providers(pd.DataFrame(), coverage).columns


def _phase(name: str, status: JobStatus, start: int, end: int | None, failures: int = 0) -> PhaseRecord:
    t0 = datetime(2026, 11, 20, 22, 45, tzinfo=UTC)
    return PhaseRecord(
        name,
        status,
        t0 + timedelta(seconds=start),
        t0 + timedelta(seconds=end) if end is not None else None,
        rows=1,
        items=4,
        failures={f"portfolio {i}": "boom" for i in range(failures)},
        coverage=1.0 - failures / 4,
        message="",
    )


def _run(run_id: int, status: JobStatus, phases: list[PhaseRecord]) -> RunView:
    started = phases[0].started_at or NOW
    raw = {"phases": [p.to_json() for p in phases]}
    return RunView(run_id, "batch", status, Trigger.SCHEDULE, "", 0.5, "", started, None, raw)


def test_the_gantt_draws_each_phase_from_its_start_for_its_duration_coloured_by_status_failures_crossed():
    runs = [
        _run(
            2,
            JobStatus.RUNNING,
            [_phase("market_data", JobStatus.SUCCEEDED, 0, 90), _phase("risk", "running", 90, None)],
        ),
        _run(
            1,
            JobStatus.PARTIAL,
            [_phase("snapshots", JobStatus.PARTIAL, 0, 30, failures=1), _phase("risk", "failed", 30, 32)],
        ),
    ]
    now = datetime(2026, 11, 20, 22, 47, tzinfo=UTC)  # the running phase has run 120 - 90 = 30 s so far
    frame = phase_frame(runs, now)
    assert frame[["run", "phase", "status", "failures"]].values.tolist() == [
        ["#2 batch", "market_data", "succeeded", 0],
        ["#2 batch", "risk", "running", 0],
        ["#1 batch", "snapshots", "partial", 1],
        ["#1 batch", "risk", "failed", 0],
    ]
    fig = phase_timeline(frame)
    bars = {b.name: b for b in fig.data if b.type == "bar"}
    assert list(bars) == ["succeeded", "running", "partial", "failed"]
    assert list(bars["succeeded"].x) == [90_000.0] and list(bars["running"].x) == [30_000.0]
    assert list(bars["failed"].x) == [2_000.0]
    # plotly keeps datetimes as naive numpy values, in UTC here
    assert pd.Timestamp(bars["failed"].base[0]) == pd.Timestamp("2026-11-20 22:45:30")
    assert {name: b.marker.color for name, b in bars.items()} == {n: STATUS_COLORS[n] for n in bars}
    crosses = next(t for t in fig.data if t.type == "scatter")
    assert list(crosses.y) == ["#1 batch", "#1 batch"]  # the partial phase (one failed item) and the failed one
    assert [pd.Timestamp(x) for x in crosses.x] == [
        pd.Timestamp("2026-11-20 22:45:30"),
        pd.Timestamp("2026-11-20 22:45:32"),
    ]
    assert list(fig.layout.yaxis.categoryarray) == ["#1 batch", "#2 batch"]  # the newest run on top


def test_a_run_without_phases_draws_an_empty_timeline():
    frame = phase_frame(
        [RunView(1, "market_data", JobStatus.SUCCEEDED, Trigger.MANUAL, "", 1.0, "", NOW, NOW, {})], NOW
    )
    assert frame.empty
    assert phase_timeline(frame).data == ()
