"""Run tracking for jobs (the `batch_runs` table), shared by the CLI, the scheduler and the Admin page.

Each update is its own short transaction, retried when the database is briefly locked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.runs import PhaseRecord, RunView
from sigma.batch.status import JobStatus, Json, Trigger, utc_now
from sigma.db.engine import session_scope, with_lock_retry
from sigma.db.models import BatchRun


class RunTracker:
    """Writes batch_runs rows as a job advances; each update is its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def start(
        self,
        job: str,
        trigger: Trigger = Trigger.MANUAL,
        requested_by: int | None = None,
        params: Json | None = None,
        holder: str = "",
        status: JobStatus = JobStatus.RUNNING,
    ) -> int:
        """Record a new run (running, unless `status` says otherwise) and return its id."""

        def work() -> int:
            with session_scope(self._sessions) as s:
                run = BatchRun(
                    job=job,
                    status=status.value,
                    trigger=str(trigger),
                    started_at=self._clock(),
                    result={},
                    requested_by=requested_by,
                    params=params,
                    holder=holder[:128],
                )
                s.add(run)
                s.flush()
                return run.id

        return with_lock_retry(work)

    def progress(self, run_id: int, phase: str, fraction: float, message: str = "") -> None:
        """Update the phase and progress (0..1) of a run."""

        def work() -> None:
            with session_scope(self._sessions) as s:
                s.execute(
                    update(BatchRun)
                    .where(BatchRun.id == run_id)
                    .values(phase=phase, progress=max(0.0, min(1.0, fraction)), message=message[:2000])
                )

        with_lock_retry(work)

    def record_phases(self, run_id: int, phases: list[PhaseRecord]) -> None:
        """Store the per-phase records so far (`result["phases"]`), for the console's live timeline."""

        def work() -> None:
            with session_scope(self._sessions) as s:
                s.execute(
                    update(BatchRun)
                    .where(BatchRun.id == run_id)
                    .values(result={"phases": [p.to_json() for p in phases]})
                )

        with_lock_retry(work)

    def mark_died(self, job: str) -> int:
        """Close every run of `job` still marked running as `died` (call holding the job's lock: their
        process is gone, or it would still hold it); returns how many were closed."""

        def work() -> int:
            with session_scope(self._sessions) as s:
                done = s.execute(
                    update(BatchRun)
                    .where(BatchRun.job == job, BatchRun.status == JobStatus.RUNNING.value)
                    .values(
                        status=JobStatus.DIED.value,
                        finished_at=self._clock(),
                        message="Its process died (killed or lost) before the run ended; the next run redid the work.",
                    )
                )
                return int(done.rowcount)  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult

        return with_lock_retry(work)

    def finish(self, run_id: int, status: JobStatus, message: str = "", result: Json | None = None) -> None:
        """Close a run as succeeded, partial or failed."""

        def work() -> None:
            with session_scope(self._sessions) as s:
                s.execute(
                    update(BatchRun)
                    .where(BatchRun.id == run_id)
                    .values(
                        status=str(status),
                        message=message[:2000],
                        **({} if result is None else {"result": result}),
                        finished_at=self._clock(),
                        progress=1.0 if status != JobStatus.FAILED else BatchRun.progress,
                    )
                )

        with_lock_retry(work)

    def recent(self, limit: int = 20, job: str | None = None) -> list[RunView]:
        """The newest runs, newest first."""
        with session_scope(self._sessions) as s:
            q = select(BatchRun).order_by(BatchRun.id.desc()).limit(limit)
            if job:
                q = q.where(BatchRun.job == job)
            return [_run_view(r) for r in s.scalars(q)]


def _run_view(r: BatchRun) -> RunView:
    return RunView(
        r.id,
        r.job,
        JobStatus(r.status),
        Trigger(r.trigger),
        r.phase,
        r.progress,
        r.message,
        r.started_at,
        r.finished_at,
        dict(r.result or {}),
        r.requested_by,
        dict(r.params) if r.params else None,
    )
