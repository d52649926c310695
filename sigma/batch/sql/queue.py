"""Job requests: written by the Admin page (`job_requests`), claimed and completed by the jobs process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.queue import ClaimedRequest, RequestView
from sigma.batch.status import Json, RequestStatus, utc_now
from sigma.db.engine import session_scope
from sigma.db.models import JobRequest


class JobQueue:
    """Job requests written by the Admin page and claimed by the jobs process."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def request(self, job: str, user_id: int | None, params: Json | None = None) -> int:
        """Queue a run of `job` (with `params`: phases, portfolios, from-date); returns the request id."""
        with session_scope(self._sessions) as s:
            return self.add(s, job, user_id, params)

    def add(self, s: Session, job: str, user_id: int | None, params: Json | None = None) -> int:
        """Queue a run of `job` inside the caller's transaction (the console's audited request); returns its id."""
        req = JobRequest(
            job=job, requested_by=user_id, requested_at=self._clock(), status=RequestStatus.QUEUED.value, params=params
        )
        s.add(req)
        s.flush()
        return req.id

    def claim_next(self) -> ClaimedRequest | None:
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
            if claimed.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
                return None
            return ClaimedRequest(req.id, req.job, req.requested_by, dict(req.params or {}))

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
            return [
                RequestView(r.id, r.job, RequestStatus(r.status), r.requested_at, dict(r.params or {})) for r in rows
            ]
