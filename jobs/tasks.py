"""Job implementations: each takes the services and a progress callback and returns an `Outcome`.

They are module-level functions so APScheduler can store them by reference.
"""

from __future__ import annotations

from collections.abc import Callable

from sigma.batch.status import JobStatus, Outcome, Progress
from sigma.wiring import Services


def market_data(services: Services, progress: Progress) -> Outcome:
    """Fetch the missing daily prices of the universe (incremental, idempotent)."""
    report = services.market.refresh(progress=progress)
    services.admin.refresh_quality(only_if_missing=report.rows_written == 0)  # the Admin page reads it
    errors = dict(report.errors)
    status = JobStatus.FAILED if report.failed else (JobStatus.PARTIAL if errors else JobStatus.SUCCEEDED)
    details = {"rows_written": report.rows_written, "errors": errors, "source": str(report.source)}
    return Outcome(status, report.summary(), details)


def profiles(services: Services, progress: Progress) -> Outcome:
    """Sync the security profiles of the universe into the store."""
    written = services.market.sync_profiles()
    progress(1, 1, "profiles")
    return Outcome(JobStatus.SUCCEEDED, f"{written} profiles written", {})


def snapshots(services: Services, progress: Progress) -> Outcome:
    """Backfill portfolio and position snapshots up to the latest price date."""
    from sigma.batch.snapshots import backfill_all

    return backfill_all(services, progress)


TASKS: dict[str, Callable[[Services, Progress], Outcome]] = {
    "market_data": market_data,
    "profiles": profiles,
    "snapshots": snapshots,
}
