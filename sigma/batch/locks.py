"""What a job meets when another process holds its lease (the `job_locks` rows are kept by `sql.locks`)."""

from __future__ import annotations


class JobBusy(Exception):
    """Another process holds the lock of this job."""
