"""The orchestrator: run a plan of registered phases under the job's lease, recording every phase.

`run_batch` takes the job's lock (a lease its holder renews; a dead holder's lock is taken over
within a TTL and its run marked `died`), records the run in `batch_runs` (trigger, who asked, the
parameters), then runs the phases in dependency order. Each phase is isolated: an exception is
recorded as that phase's failure, and a phase whose dependency did not succeed is skipped with the
reason, while the others run. Per-phase records (start, end, status, rows, failures, coverage) are
written as each phase ends, so the console shows a live timeline. A stop (SIGTERM, Ctrl-C, the
job's deadline, a lost lease) ends the current unit of work and records the run `interrupted`.
A run ends succeeded, partial, failed or interrupted; a run that found its lock held is recorded
as `skipped`. The orchestrator never names a phase: capabilities register them (`phases.register`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from sigma.batch.executors import Executor, InlineExecutor, make_executor
from sigma.batch.locks import JobBusy
from sigma.batch.phases import AnyOf, Interrupted, Phase, PhaseResult, RunContext, StopSignal, plan
from sigma.batch.runs import PhaseRecord
from sigma.batch.status import JobStatus, Json, Outcome, Progress, Trigger, utc_now

if TYPE_CHECKING:
    from sigma.wiring import Services

log = logging.getLogger("sigma.jobs")
PROGRESS_WRITE_SECONDS = 0.5  # the run row's progress is written at most this often (and at phase ends)


@dataclass(frozen=True)
class BatchRequest:
    """What to run: a job (its phases), or the named phases; for some portfolios; from a date."""

    job: str = "batch"
    phases: tuple[str, ...] | None = None
    portfolios: tuple[int, ...] | None = None
    from_date: date | None = None
    trigger: Trigger = Trigger.MANUAL
    requested_by: int | None = None

    def params(self) -> Json:
        """The request's parameters as stored with the run and the queued request."""
        out: Json = {}
        if self.phases is not None:
            out["phases"] = list(self.phases)
        if self.portfolios is not None:
            out["portfolios"] = list(self.portfolios)
        if self.from_date is not None:
            out["from"] = self.from_date.isoformat()
        return out

    @classmethod
    def from_params(cls, job: str, params: Json, trigger: Trigger, requested_by: int | None) -> BatchRequest:
        """The request a queued row describes (`params` as `params()` writes them)."""
        phases, pids, start = params.get("phases"), params.get("portfolios"), params.get("from")
        return cls(
            job=job,
            phases=tuple(str(p) for p in phases) if isinstance(phases, list) else None,
            portfolios=tuple(int(str(p)) for p in pids) if isinstance(pids, list) else None,
            from_date=date.fromisoformat(str(start)) if start else None,
            trigger=trigger,
            requested_by=requested_by,
        )


@dataclass
class _Run:
    """The mutable state of one run while it executes."""

    run_id: int
    phases: tuple[Phase, ...]
    records: list[PhaseRecord] = field(default_factory=list)
    details: Json = field(default_factory=dict)
    last_write: float = 0.0


def run_batch(
    services: Services,
    request: BatchRequest,
    sink: Progress | None = None,
    stop: threading.Event | None = None,
    executor: Executor | None = None,
) -> tuple[int, Outcome]:
    """Run the request's phases under its job's lease; returns (batch run id, outcome)."""
    from sigma.batch.catalog import phases_of

    of_job = phases_of(request.job)  # registers the standard phases
    phases = plan(request.phases if request.phases is not None else of_job)
    own_stop = threading.Event()  # this run's: its deadline and a lost lease set it
    stopping = AnyOf(own_stop, stop) if stop is not None else own_stop
    try:
        with services.locks.held(request.job, on_lost=own_stop.set):
            died = services.runs.mark_died(request.job)
            if died:
                log.warning("%s: %d earlier run(s) had died; this run redoes their work", request.job, died)
            run_id = services.runs.start(
                request.job, request.trigger, request.requested_by, request.params(), services.locks.holder
            )
            run = _Run(run_id, phases)
            return run_id, _run_under_deadline(services, request, run, sink, (own_stop, stopping), executor)
    except JobBusy as busy:
        log.warning("%s", busy)
        run_id = services.runs.start(
            request.job, request.trigger, request.requested_by, request.params(), services.locks.holder
        )
        services.runs.finish(run_id, JobStatus.SKIPPED, str(busy), {})
        return run_id, Outcome(JobStatus.SKIPPED, str(busy), {})


def _run_under_deadline(
    services: Services,
    request: BatchRequest,
    run: _Run,
    sink: Progress | None,
    stops: tuple[threading.Event, StopSignal],
    executor: Executor | None,
) -> Outcome:
    own_stop, stop = stops
    deadline = services.settings.job_deadline_seconds
    timer = threading.Timer(deadline, own_stop.set)
    timer.daemon = True
    timer.start()
    started = time.monotonic()
    own = executor is None
    try:
        if executor is None:
            per_portfolio = any(p.per_portfolio for p in run.phases)
            executor = make_executor(services.settings) if per_portfolio else InlineExecutor()
        ctx = RunContext(
            services, executor, _progress(services, run, sink, stop), stop, request.portfolios, None, request.from_date
        )
        outcome = _execute(services, run, ctx)
    except Exception as exc:  # no executor (a Dask scheduler that cannot be reached): the run fails, said why
        log.exception("%s could not run", request.job)
        outcome = Outcome(JobStatus.FAILED, f"{type(exc).__name__}: {exc}", {})
    finally:
        timer.cancel()
        if own and executor is not None:
            executor.close()
    if outcome.status == JobStatus.INTERRUPTED and time.monotonic() - started >= deadline:
        outcome = outcome._replace(
            message=f"Stopped at the job's deadline ({deadline} s, SIGMA_JOB_DEADLINE_SECONDS): {outcome.message}"
        )
    services.runs.finish(run.run_id, outcome.status, outcome.message, outcome.details)
    log.info("%s finished: %s: %s", request.job, outcome.status, outcome.message)
    return outcome


def _progress(services: Services, run: _Run, sink: Progress | None, stop: StopSignal) -> Progress:
    """A phase's progress callback: a unit boundary (a stop raises here), the run row, the terminal bar."""

    def report(done: int, total: int, what: str) -> None:
        if stop.is_set():
            raise Interrupted("stopped on request")
        current = run.records[-1].name if run.records else what
        now = time.monotonic()
        if now - run.last_write >= PROGRESS_WRITE_SECONDS or done >= total:
            run.last_write = now
            share = (len(run.records) - 1 + (done / total if total else 1.0)) / max(len(run.phases), 1)
            services.runs.progress(run.run_id, current, share, f"{current}: {done}/{total} {what}".strip())
        if sink is not None:
            sink(done, total, f"{current}: {what}" if what != current else current)

    return report


def _execute(services: Services, run: _Run, ctx: RunContext) -> Outcome:
    """Run every phase of the plan in order, isolated; returns the run's outcome."""
    planned = {p.name for p in run.phases}
    status_of: dict[str, JobStatus] = {}
    for phase in run.phases:
        blocked = [d for d in phase.depends_on if d in planned and not status_of.get(d, JobStatus.FAILED).ok]
        if ctx.stop.is_set():
            record = _skipped(phase, "not started: the run was stopped")
        elif blocked:
            reason = ", ".join(f"{d} {status_of.get(d, 'not run')}" for d in blocked)
            record = _skipped(phase, f"skipped: it needs {reason}")
        else:
            record = _run_phase(services, run, phase, ctx)
        status_of[phase.name] = record.status
        _replace_last(run, record)
        services.runs.record_phases(run.run_id, run.records)
    return _outcome(run)


def _skipped(phase: Phase, reason: str) -> PhaseRecord:
    now = utc_now()
    return PhaseRecord(phase.name, JobStatus.SKIPPED, now, now, 0, 0, {}, 0.0, reason)


def _replace_last(run: _Run, record: PhaseRecord) -> None:
    if run.records and run.records[-1].name == record.name and run.records[-1].status == JobStatus.RUNNING:
        run.records[-1] = record
    else:
        run.records.append(record)


def _run_phase(services: Services, run: _Run, phase: Phase, ctx: RunContext) -> PhaseRecord:
    """One phase, isolated: its exception becomes its failure; a stop becomes `interrupted`."""
    started = utc_now()
    run.records.append(PhaseRecord(phase.name, JobStatus.RUNNING, started, None, 0, 0, {}, 0.0, "running"))
    services.runs.record_phases(run.run_id, run.records)
    services.runs.progress(run.run_id, phase.name, (len(run.records) - 1) / max(len(run.phases), 1), phase.name)
    scoped = ctx if phase.per_portfolio else replace(ctx, portfolios=None)
    try:
        result = phase.run(scoped)
    except Interrupted as stop:
        return replace(_record(phase, started, PhaseResult(message=str(stop))), status=JobStatus.INTERRUPTED)
    except Exception as exc:  # isolation: one phase's fault is recorded; the phases that do not need it run
        log.exception("phase %s failed", phase.name)
        failed = PhaseResult(message=f"{type(exc).__name__}: {exc}")
        return replace(_record(phase, started, failed), status=JobStatus.FAILED)
    run.details.update(result.details)
    return _record(phase, started, result)


def _record(phase: Phase, started: datetime, result: PhaseResult) -> PhaseRecord:
    if not result.failures:
        status = JobStatus.SUCCEEDED
    elif result.items > len(result.failures):
        status = JobStatus.PARTIAL
    else:
        status = JobStatus.FAILED
    failed = f", {len(result.failures)} failed" if result.failures else ""
    message = result.message or f"{result.rows} row(s) written{failed}"
    return PhaseRecord(
        phase.name,
        status,
        started,
        utc_now(),
        result.rows,
        result.items,
        {str(k): str(v)[:500] for k, v in list(result.failures.items())[:200]},
        result.coverage,
        message[:2000],
    )


def _outcome(run: _Run) -> Outcome:
    """The run's status from its phases: interrupted, succeeded, failed (nothing done) or partial."""
    statuses = [r.status for r in run.records]
    if JobStatus.INTERRUPTED in statuses:
        status = JobStatus.INTERRUPTED
    elif all(s == JobStatus.SUCCEEDED for s in statuses):
        status = JobStatus.SUCCEEDED
    elif not any(s.ok for s in statuses):
        status = JobStatus.FAILED
    else:
        status = JobStatus.PARTIAL
    if len(run.records) == 1:
        summary = run.records[0].message
    else:
        summary = "; ".join(f"{r.name} {r.status}: {r.message}" for r in run.records)
    details: Json = {**run.details, "phases": [r.to_json() for r in run.records]}
    return Outcome(status, summary, details)
