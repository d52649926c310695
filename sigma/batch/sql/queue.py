"""Job requests: written by the Admin page (`job_requests`), claimed and completed by the jobs process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.queue import RequestView
from sigma.batch.status import RequestStatus, utc_now
from sigma.db.engine import session_scope
from sigma.db.models import JobRequest


class JobQueue:
    """Job requests written by the Admin page and claimed by the jobs process."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def request(self, job: str, user_id: int | None) -> int:
        """Queue a run of `job`; returns the request id."""
        with session_scope(self._sessions) as s:
            req = JobRequest(
                job=job, requested_by=user_id, requested_at=self._clock(), status=RequestStatus.QUEUED.value
            )
            s.add(req)
            s.flush()
            return req.id

    def claim_next(self) -> tuple[int, str] | None:
        """Claim the oldest queued request (atomically); None when the queue is empty."""
        with session_scope(self._sessions) as s:
            req = s.scalars(
                select(JobRequest).where(JobRequest.status == RequestStatus.QUEUED).order_by(JobRequest.id)
            ).first()
            if req is None:
                return None
            claimed = s.execute(
                update(JobRequest)
                .where(JobRequest.id == req.id, JobRequest.status == RequestStatus.QUEUED)
                .values(status=RequestStatus.RUNNING.value, picked_at=self._clock())
            )
            return (req.id, req.job) if claimed.rowcount == 1 else None  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult

    def complete(self, request_id: int, ok: bool, run_id: int | None) -> None:
        """Mark a claimed request done or failed, linking its run."""
        with session_scope(self._sessions) as s:
            s.execute(
                update(JobRequest)
                .where(JobRequest.id == request_id)
                .values(status=(RequestStatus.DONE if ok else RequestStatus.FAILED).value, batch_run_id=run_id)
            )

    def pending(self) -> list[RequestView]:
        """Queued and running requests, oldest first."""
        with session_scope(self._sessions) as s:
            rows = s.scalars(
                select(JobRequest)
                .where(JobRequest.status.in_((RequestStatus.QUEUED, RequestStatus.RUNNING)))
                .order_by(JobRequest.id)
            )
            return [RequestView(r.id, r.job, RequestStatus(r.status), r.requested_at) for r in rows]
