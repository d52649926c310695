"""Run tracking for jobs (the `batch_runs` table), shared by the CLI, the scheduler and the Admin page.

Each update is its own short transaction, retried when the database is briefly locked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.runs import RunView
from sigma.batch.status import JobStatus, Json, Trigger, utc_now
from sigma.db.engine import session_scope, with_lock_retry
from sigma.db.models import BatchRun


class RunTracker:
    """Writes batch_runs rows as a job advances; each update is its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def start(self, job: str, trigger: Trigger = Trigger.MANUAL) -> int:
        """Record a new running run and return its id."""

        def work() -> int:
            with session_scope(self._sessions) as s:
                run = BatchRun(
                    job=job, status=JobStatus.RUNNING.value, trigger=str(trigger), started_at=self._clock(), result={}
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
                        result=result or {},
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
    )
