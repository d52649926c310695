"""A job request queued from the Admin page (the `job_requests` rows are kept by `sql.queue`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sigma.batch.status import Json, RequestStatus


@dataclass(frozen=True)
class RequestView:
    """A queued job request."""

    id: int
    job: str
    status: RequestStatus
    requested_at: datetime
    params: Json = field(default_factory=dict)


@dataclass(frozen=True)
class ClaimedRequest:
    """A request the jobs process has just claimed: what to run, for whom, with which parameters."""

    id: int
    job: str
    requested_by: int | None
    params: Json
