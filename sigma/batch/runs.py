"""A batch run as the Admin page shows it (the `batch_runs` rows are written by `sql.runs`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sigma.batch.status import JobStatus, Json, Trigger


@dataclass(frozen=True)
class RunView:
    """A batch run as the Admin page shows it."""

    id: int
    job: str
    status: JobStatus
    trigger: Trigger
    phase: str
    progress: float
    message: str
    started_at: datetime
    finished_at: datetime | None
    result: Json
