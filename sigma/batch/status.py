"""What a job run is and reports: its status, its trigger, its progress callback and its outcome.

Timestamps of the jobs layer are timezone-aware UTC (`utc_now` is the default clock).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple

Json = dict[str, object]
"""A run's result details as stored in `batch_runs.result` (JSON)."""


class JobStatus(StrEnum):
    """The state of a batch run."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # some items failed, the rest was done
    FAILED = "failed"
    SKIPPED = "skipped"  # another process held the job's lock (or, for a phase, a phase it needs failed)
    INTERRUPTED = "interrupted"  # SIGTERM or Ctrl-C: the current unit of work finished, the rest was not done
    DIED = "died"  # its process vanished (SIGKILL, power loss); found by the next run that took the lock

    @property
    def ok(self) -> bool:
        """True when the run did its work (fully or partly)."""
        return self in (JobStatus.SUCCEEDED, JobStatus.PARTIAL)


class RequestStatus(StrEnum):
    """The state of a job request queued from the Admin page."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Trigger(StrEnum):
    """What started a run."""

    MANUAL = "manual"  # the CLI (`python -m jobs run`)
    SCHEDULE = "schedule"
    REQUEST = "request"  # queued by an admin from the Admin page's console
    INIT = "init"


Progress = Callable[[int, int, str], None]
"""A progress callback: (items done, items in all, what is being done now)."""


class Outcome(NamedTuple):
    """What a job did: a status, a one-line message, and details stored with the run."""

    status: JobStatus
    message: str
    details: Json


def utc_now() -> datetime:
    """The current UTC time (the default clock of the jobs layer)."""
    return datetime.now(UTC)
