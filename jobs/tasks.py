"""Job implementations: each takes the services and a progress callback and returns a summary.

They are module-level functions so APScheduler can store them by reference.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sigma.wiring import Services

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Outcome:
    """What a job did: a status (succeeded / partial / failed), a one-line message, details."""

    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


def market_data(services: Services, progress: Progress) -> Outcome:
    """Fetch the missing daily prices of the universe (incremental, idempotent)."""
    report = services.market.refresh(progress=progress)
    errors = dict(report.errors)
    status = "failed" if report.failed else ("partial" if errors else "succeeded")
    return Outcome(
        status, report.summary(), {"rows_written": report.rows_written, "errors": errors, "source": str(report.source)}
    )


def profiles(services: Services, progress: Progress) -> Outcome:
    """Sync the security profiles of the universe into the store."""
    written = services.market.sync_profiles()
    progress(1, 1, "profiles")
    return Outcome("succeeded", f"{written} profiles written")


def snapshots(services: Services, progress: Progress) -> Outcome:
    """Backfill portfolio and position snapshots up to the latest price date."""
    from sigma.batch.snapshots import backfill_all

    return Outcome(*backfill_all(services, progress))


TASKS: dict[str, Callable[[Services, Progress], Outcome]] = {
    "market_data": market_data,
    "profiles": profiles,
    "snapshots": snapshots,
}
