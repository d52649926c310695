"""Run tracking and locking for jobs, shared by the CLI, the scheduler and the Admin page.

A lock is a lease row in `job_locks`: taken when absent or expired, released at the end. Two
schedulers on one database therefore never run the same job at once. Timestamps are UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sigma.db.engine import session_scope, with_lock_retry
from sigma.db.models import BatchRun, JobLock, JobRequest, SchedulerHeartbeat


def utc_now() -> datetime:
    """The current UTC time (the default clock of the jobs layer)."""
    return datetime.now(UTC)


class JobBusy(Exception):
    """Another process holds the lock of this job."""


@dataclass(frozen=True)
class RunView:
    """A batch run as the Admin page shows it."""

    id: int
    job: str
    status: str
    trigger: str
    phase: str
    progress: float
    message: str
    started_at: datetime
    finished_at: datetime | None
    result: dict[str, Any]


@dataclass(frozen=True)
class RequestView:
    """A queued job request."""

    id: int
    job: str
    status: str
    requested_at: datetime


class RunTracker:
    """Writes batch_runs rows as a job advances; each update is its own short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def start(self, job: str, trigger: str = "manual") -> int:
        """Record a new running run and return its id."""

        def work() -> int:
            with session_scope(self._sessions) as s:
                run = BatchRun(job=job, status="running", trigger=trigger, started_at=self._clock(), result={})
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

    def finish(self, run_id: int, status: str, message: str = "", result: dict[str, Any] | None = None) -> None:
        """Close a run as succeeded, partial or failed."""

        def work() -> None:
            with session_scope(self._sessions) as s:
                s.execute(
                    update(BatchRun)
                    .where(BatchRun.id == run_id)
                    .values(
                        status=status,
                        message=message[:2000],
                        result=result or {},
                        finished_at=self._clock(),
                        progress=1.0 if status != "failed" else BatchRun.progress,
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
        r.status,
        r.trigger,
        r.phase,
        r.progress,
        r.message,
        r.started_at,
        r.finished_at,
        dict(r.result or {}),
    )


class JobLocks:
    """Lease locks in the database, safe across processes and schedulers."""

    def __init__(self, sessions: sessionmaker[Session], holder: str, clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._holder = holder
        self._clock = clock

    def acquire(self, name: str, ttl: timedelta = timedelta(hours=2)) -> bool:
        """Take the lock `name` if it is free or expired; True when taken."""
        now = self._clock()
        try:
            with session_scope(self._sessions) as s:
                s.execute(delete(JobLock).where(JobLock.name == name, JobLock.expires_at < now))
                s.add(JobLock(name=name, holder=self._holder, acquired_at=now, expires_at=now + ttl))
            return True
        except IntegrityError:
            return False

    def release(self, name: str) -> None:
        """Give the lock back (only if this holder has it)."""
        with session_scope(self._sessions) as s:
            s.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == self._holder))

    @contextmanager
    def held(self, name: str, ttl: timedelta = timedelta(hours=2)) -> Iterator[None]:
        """Hold the lock for a block; raise JobBusy if another holder has it."""
        if not self.acquire(name, ttl):
            raise JobBusy(f"{name} is already running in another process; wait for it to finish.")
        try:
            yield
        finally:
            self.release(name)


class JobQueue:
    """Job requests written by the Admin page and claimed by the jobs process."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def request(self, job: str, user_id: int | None) -> int:
        """Queue a run of `job`; returns the request id."""
        with session_scope(self._sessions) as s:
            req = JobRequest(job=job, requested_by=user_id, requested_at=self._clock(), status="queued")
            s.add(req)
            s.flush()
            return req.id

    def claim_next(self) -> tuple[int, str] | None:
        """Claim the oldest queued request (atomically); None when the queue is empty."""
        with session_scope(self._sessions) as s:
            req = s.scalars(select(JobRequest).where(JobRequest.status == "queued").order_by(JobRequest.id)).first()
            if req is None:
                return None
            claimed = s.execute(
                update(JobRequest)
                .where(JobRequest.id == req.id, JobRequest.status == "queued")
                .values(status="running", picked_at=self._clock())
            )
            return (req.id, req.job) if claimed.rowcount == 1 else None  # type: ignore[attr-defined]

    def complete(self, request_id: int, ok: bool, run_id: int | None) -> None:
        """Mark a claimed request done or failed, linking its run."""
        with session_scope(self._sessions) as s:
            s.execute(
                update(JobRequest)
                .where(JobRequest.id == request_id)
                .values(status="done" if ok else "failed", batch_run_id=run_id)
            )

    def pending(self) -> list[RequestView]:
        """Queued and running requests, oldest first."""
        with session_scope(self._sessions) as s:
            rows = s.scalars(
                select(JobRequest).where(JobRequest.status.in_(("queued", "running"))).order_by(JobRequest.id)
            )
            return [RequestView(r.id, r.job, r.status, r.requested_at) for r in rows]


class Heartbeat:
    """The scheduler's liveness row."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def beat(self, name: str, host: str, pid: int) -> None:
        """Write or refresh the heartbeat of scheduler `name`."""
        now = self._clock()

        def work() -> None:
            with session_scope(self._sessions) as s:
                row = s.get(SchedulerHeartbeat, name)
                if row is None or row.pid != pid or row.host != host:
                    s.merge(SchedulerHeartbeat(name=name, host=host, pid=pid, started_at=now, last_beat=now))
                else:
                    row.last_beat = now

        with_lock_retry(work)

    def last(self, name: str = "scheduler") -> SchedulerHeartbeat | None:
        """The last heartbeat row, if any."""
        with session_scope(self._sessions) as s:
            return s.get(SchedulerHeartbeat, name)
