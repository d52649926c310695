"""A job request queued from the Admin page (the `job_requests` rows are kept by `sql.queue`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sigma.batch.status import RequestStatus


@dataclass(frozen=True)
class RequestView:
    """A queued job request."""

    id: int
    job: str
    status: RequestStatus
    requested_at: datetime
