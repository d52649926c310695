"""The orchestrator: phase order and isolation, skips with reasons, run records, leases and stops.

Phases here are small fakes registered in a private registry, so the rules are tested without the
cost of the real phases (tests/batch/test_nightly.py runs those).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import date, timedelta

import pytest

import sigma.batch.phases as phases_module
from sigma.batch.executors import InlineExecutor
from sigma.batch.orchestrator import BatchRequest, run_batch
from sigma.batch.phases import Phase, PhaseResult, RunContext, plan, register
from sigma.batch.status import JobStatus, Trigger
from sigma.wiring import Services, build
from tests.fakes import FakeProvider, synthetic_bars


@pytest.fixture
def services(db_settings):
    provider = FakeProvider(synthetic_bars(["SPY"], date(2026, 11, 2), date(2026, 11, 20)))
    svc = build(replace(db_settings, lock_ttl_seconds=1), provider=provider)
    yield svc
    svc.close()


@pytest.fixture
def registry(monkeypatch):
    """A private phase registry, and the job "t" that runs all of it."""
    monkeypatch.setattr(phases_module, "_REGISTRY", {})
    monkeypatch.setattr("sigma.batch.catalog.phases_of", lambda job: None)
    monkeypatch.setattr("jobs.runner.job_spec", lambda name: None, raising=False)
    return phases_module._REGISTRY


def _ok(rows: int):
    def run(ctx: RunContext) -> PhaseResult:
        ctx.progress(1, 1, "done")
        return PhaseResult(rows=rows, items=1)

    return run


def _boom(ctx: RunContext) -> PhaseResult:
    raise RuntimeError("disk on fire")


def _one_bad_item(ctx: RunContext) -> PhaseResult:
    return PhaseResult(rows=2, items=3, failures={"portfolio 7": "ValueError: no prices"})


def test_a_failing_phase_skips_its_dependents_with_the_reason_and_the_others_run(services: Services, registry) -> None:
    register(Phase("a", _ok(5)))
    register(Phase("b", _boom, ("a",)))
    register(Phase("c", _ok(1), ("b",)))
    register(Phase("d", _ok(3), ("a",)))
    run_id, outcome = run_batch(services, BatchRequest("t"), executor=InlineExecutor())
    run = services.runs.recent(limit=1)[0]
    assert run.id == run_id and outcome.status == JobStatus.PARTIAL == run.status
    got = {p.name: (p.status, p.rows) for p in run.phases}
    assert got == {
        "a": (JobStatus.SUCCEEDED, 5),
        "b": (JobStatus.FAILED, 0),
        "c": (JobStatus.SKIPPED, 0),
        "d": (JobStatus.SUCCEEDED, 3),
    }
    by_name = {p.name: p for p in run.phases}
    assert by_name["b"].message == "RuntimeError: disk on fire"
    assert by_name["c"].message == "skipped: it needs b failed"
    assert [p.name for p in run.phases] == ["a", "b", "c", "d"]
    assert all(p.started_at is not None and p.finished_at is not None for p in run.phases)


def test_one_failed_item_makes_the_phase_and_the_run_partial_with_its_coverage(services: Services, registry) -> None:
    register(Phase("a", _one_bad_item))
    register(Phase("b", _ok(1), ("a",)))  # a partial phase does not block its dependents
    _, outcome = run_batch(services, BatchRequest("t"), executor=InlineExecutor())
    run = services.runs.recent(limit=1)[0]
    a, b = run.phases
    assert (outcome.status, a.status, b.status) == (JobStatus.PARTIAL, JobStatus.PARTIAL, JobStatus.SUCCEEDED)
    assert a.failures == {"portfolio 7": "ValueError: no prices"} and a.coverage == pytest.approx(2 / 3)


def test_every_phase_failing_fails_the_run_and_all_succeeding_succeeds(services: Services, registry) -> None:
    register(Phase("a", _boom))
    assert run_batch(services, BatchRequest("t"), executor=InlineExecutor())[1].status == JobStatus.FAILED
    registry.clear()
    register(Phase("a", _ok(1)))
    _, outcome = run_batch(services, BatchRequest("t", requested_by=None, trigger=Trigger.SCHEDULE))
    run = services.runs.recent(limit=1)[0]
    assert (outcome.status, run.trigger) == (JobStatus.SUCCEEDED, Trigger.SCHEDULE)


def test_named_phases_run_alone_and_the_request_is_recorded_with_the_run(services: Services, registry) -> None:
    seen: list[tuple[int, ...] | None] = []

    def scoped(ctx: RunContext) -> PhaseResult:
        seen.append(ctx.portfolios)
        return PhaseResult()

    register(Phase("a", _boom))
    register(Phase("b", scoped, per_portfolio=True))
    request = BatchRequest("t", ("b",), (3, 4), date(2026, 11, 2))
    _, outcome = run_batch(services, request, executor=InlineExecutor())
    run = services.runs.recent(limit=1)[0]
    assert outcome.status == JobStatus.SUCCEEDED and [p.name for p in run.phases] == ["b"] and seen == [(3, 4)]
    assert run.params == {"phases": ["b"], "portfolios": [3, 4], "from": "2026-11-02"}
    assert BatchRequest.from_params("t", run.params, Trigger.MANUAL, None) == request
    with pytest.raises(ValueError, match="Known phases: a, b"):
        plan(("nope",))


def test_a_held_lock_makes_the_run_a_recorded_skip(services: Services, registry) -> None:
    register(Phase("a", _ok(1)))
    other = type(services.locks)(services.sessions, "other-host:1", ttl=timedelta(minutes=5))
    assert other.acquire("t")
    run_id, outcome = run_batch(services, BatchRequest("t"))
    run = services.runs.recent(limit=1)[0]
    assert (run.id, run.status, outcome.status) == (run_id, JobStatus.SKIPPED, JobStatus.SKIPPED)
    assert "already running" in run.message


def test_a_run_left_running_by_a_dead_holder_is_marked_died_when_its_lease_expires(
    services: Services, registry
) -> None:
    register(Phase("a", _ok(1)))
    dead = type(services.locks)(services.sessions, "dead-host:9", ttl=timedelta(seconds=-1))  # expired at once
    assert dead.acquire("t")
    orphan = services.runs.start("t", Trigger.SCHEDULE, holder="dead-host:9")
    _, outcome = run_batch(services, BatchRequest("t"))
    runs = {r.id: r for r in services.runs.recent(limit=5)}
    assert runs[orphan].status == JobStatus.DIED and runs[orphan].finished_at is not None
    assert outcome.status == JobStatus.SUCCEEDED


def test_the_lease_is_renewed_while_a_long_phase_runs_so_nobody_takes_it_over(services: Services, registry) -> None:
    taken: list[bool] = []

    def slow(ctx: RunContext) -> PhaseResult:  # three TTLs long (lock_ttl_seconds=1)
        other = type(services.locks)(services.sessions, "other-host:2")
        for _ in range(6):
            time.sleep(0.5)
            taken.append(other.acquire("t"))
        return PhaseResult(rows=1, items=1)

    register(Phase("a", slow))
    _, outcome = run_batch(services, BatchRequest("t"))
    assert outcome.status == JobStatus.SUCCEEDED and taken == [False] * 6


def test_a_stop_ends_the_phase_at_its_next_unit_and_records_the_run_interrupted(services: Services, registry) -> None:
    stop = threading.Event()
    units: list[int] = []

    def long(ctx: RunContext) -> PhaseResult:
        for i in range(100):
            ctx.progress(i, 100, f"unit {i}")
            units.append(i)
            if i == 4:
                stop.set()  # as SIGTERM does
        return PhaseResult(rows=100, items=100)

    register(Phase("a", long))
    register(Phase("b", _ok(1)))
    _, outcome = run_batch(services, BatchRequest("t"), stop=stop, executor=InlineExecutor())
    run = services.runs.recent(limit=1)[0]
    assert units == [0, 1, 2, 3, 4] and outcome.status == JobStatus.INTERRUPTED == run.status
    assert [(p.name, p.status) for p in run.phases] == [("a", JobStatus.INTERRUPTED), ("b", JobStatus.SKIPPED)]
    assert run.phases[1].message == "not started: the run was stopped"
    assert services.locks.acquire("t")  # the lock was released


def test_the_job_deadline_stops_a_run_and_says_so(services: Services, registry) -> None:
    services = replace(services, settings=replace(services.settings, job_deadline_seconds=1))

    def endless(ctx: RunContext) -> PhaseResult:
        for i in range(10_000):
            time.sleep(0.05)
            ctx.progress(i, 10_000, "")
        return PhaseResult()

    register(Phase("a", endless))
    started, process_stop = time.monotonic(), threading.Event()
    _, outcome = run_batch(services, BatchRequest("t"), stop=process_stop, executor=InlineExecutor())
    assert time.monotonic() - started < 10 and not process_stop.is_set()  # the next scheduled run is not stopped
    assert outcome.status == JobStatus.INTERRUPTED and "deadline (1 s, SIGMA_JOB_DEADLINE_SECONDS)" in outcome.message


def test_an_unreachable_dask_scheduler_fails_the_run_with_advice_instead_of_leaving_it_running(
    services: Services, registry
) -> None:
    services = replace(
        services, settings=replace(services.settings, batch_executor="dask", dask_scheduler="tcp://127.0.0.1:1")
    )
    register(Phase("a", _ok(1), per_portfolio=True))
    _, outcome = run_batch(services, BatchRequest("t"))
    run = services.runs.recent(limit=1)[0]
    assert outcome.status == JobStatus.FAILED == run.status and run.finished_at is not None
    assert "Could not reach the Dask scheduler at tcp://127.0.0.1:1" in run.message
    assert "unset SIGMA_BATCH_EXECUTOR to run locally" in run.message
