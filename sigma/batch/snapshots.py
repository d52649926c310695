"""The "snapshots" job: backfill every active portfolio's daily snapshots up to the latest price date.

Failure is a value: a portfolio that cannot be backfilled is recorded in the details and the run
goes on (status "partial"); only a database that cannot be reached aborts the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sigma.batch.status import JobStatus, Outcome, Progress
from sigma.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from sigma.wiring import Services


def backfill_all(services: Services, progress: Progress) -> Outcome:
    """The outcome (status, message, details) of backfilling every non-archived portfolio."""
    ids = services.portfolios.active_portfolio_ids()
    written: dict[str, int] = {}
    errors: dict[str, str] = {}
    for done, pid in enumerate(ids):  # one portfolio at a time; each backfill is vectorised inside
        progress(done, len(ids), f"portfolio {pid}")
        try:
            result = services.portfolios.backfill_any(pid)
        except DatabaseUnavailable:
            raise
        except Exception as exc:  # one bad book is recorded, the run goes on
            errors[str(pid)] = f"{type(exc).__name__}: {exc}"
            continue
        written[str(pid)] = result.days_written
    progress(len(ids), len(ids), "done")
    days = sum(written.values())
    message = f"{days} snapshot day(s) written for {len(ids)} portfolio(s)"
    if errors:
        message += f"; {len(errors)} failed: {', '.join(sorted(errors))}"
    status = JobStatus.SUCCEEDED if not errors else (JobStatus.PARTIAL if written else JobStatus.FAILED)
    return Outcome(status, message, {"days_written": written, "errors": errors})
