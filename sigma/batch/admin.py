"""The Admin page's service: users, data quality, jobs — every page call requires the admin role.

The data-quality report is computed by the jobs (`refresh_quality`, after `jobs init` and every
market-data run) and stored; the page reads the stored one and says when it was computed. Only
when none is stored yet (a database the jobs have not run on) does the page compute it, with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from sigma.batch.catalog import JOBS, JobSpec, job_spec
from sigma.batch.queue import RequestView
from sigma.batch.runs import RunView
from sigma.batch.sql.heartbeat import Heartbeat
from sigma.batch.sql.quality import QualityReports
from sigma.batch.sql.queue import JobQueue
from sigma.batch.sql.runs import RunTracker
from sigma.batch.status import utc_now
from sigma.conventions import Role
from sigma.errors import PermissionDenied

if TYPE_CHECKING:
    from sigma.auth.model import AuthUser
    from sigma.auth.service import AuthService
    from sigma.market.service import MarketService


@dataclass(frozen=True)
class SchedulerStatus:
    """Is the jobs process alive?"""

    alive: bool
    last_beat: datetime | None
    host: str | None
    message: str


@dataclass(frozen=True)
class AdminView:
    """Everything the Admin page shows."""

    users: pd.DataFrame
    quality: pd.DataFrame
    runs: list[RunView]
    pending: list[RequestView]
    jobs: tuple[JobSpec, ...]
    scheduler: SchedulerStatus
    quality_computed_at: datetime | None = None  # None: computed for this render (no stored report)
    quality_note: str = ""


class AdminService:
    """Admin-only reads and the job queue."""

    def __init__(
        self,
        auth: AuthService,
        market: MarketService,
        runs: RunTracker,
        queue: JobQueue,
        heartbeat: Heartbeat,
        heartbeat_seconds: int,
        clock: Callable[[], datetime] = utc_now,
        reports: QualityReports | None = None,
    ) -> None:
        self._auth, self._market, self._runs, self._queue = auth, market, runs, queue
        self._heartbeat, self._beat_seconds, self._clock = heartbeat, heartbeat_seconds, clock
        self._reports = reports

    def _require_admin(self, acting: AuthUser) -> None:
        role = self._auth.current_role(acting.id)  # re-read: a demoted admin loses rights at once
        if role != Role.ADMIN:
            raise PermissionDenied("Only administrators can open the Admin page.")

    def view(self, acting: AuthUser) -> AdminView:
        """Users, data quality, recent runs, queued requests and the scheduler's liveness."""
        self._require_admin(acting)
        users = pd.DataFrame([u.__dict__ for u in self._auth.list_users(acting)])
        stored = self._reports.latest() if self._reports is not None else None
        if stored is None:
            quality, computed_at = self._market.quality(self._today()), None
            note = "No stored data-quality report yet (computed now): run python -m jobs run market_data"
        else:
            quality, computed_at = stored.report, stored.computed_at
            note = f"Computed by the jobs process at {computed_at:%Y-%m-%d %H:%M} UTC, as of {stored.as_of:%Y-%m-%d}"
        return AdminView(
            users=users,
            quality=quality,
            runs=self._runs.recent(limit=20),
            pending=self._queue.pending(),
            jobs=JOBS,
            scheduler=self.scheduler_status(),
            quality_computed_at=computed_at,
            quality_note=note,
        )

    def _today(self) -> date:
        return self._clock().date()

    def refresh_quality(self, only_if_missing: bool = False) -> int:
        """Compute and store the data-quality report (jobs process only: no acting user); returns its symbols.

        With `only_if_missing` (no price was written), a stored report is kept and 0 returned.
        """
        if self._reports is None or (only_if_missing and self._reports.latest() is not None):
            return 0
        today = self._today()
        report = self._market.quality(today)
        self._reports.store(report, self._market.settings.market_end or today)
        return len(report)

    def runs(self, acting: AuthUser) -> tuple[list[RunView], list[RequestView]]:
        """Recent runs and queued requests only (the Admin page polls this every few seconds)."""
        self._require_admin(acting)
        return self._runs.recent(limit=20), self._queue.pending()

    def request_job(self, acting: AuthUser, name: str) -> int:
        """Queue job `name` for the jobs process; returns the request id."""
        self._require_admin(acting)
        job_spec(name)
        return self._queue.request(name, acting.id)

    def scheduler_status(self) -> SchedulerStatus:
        """Alive when the last heartbeat is younger than three heartbeat intervals."""
        row = self._heartbeat.last()
        if row is None:
            return SchedulerStatus(
                False, None, None, "The jobs process has never run: start it with python -m jobs serve"
            )
        last = row.last_beat if row.last_beat.tzinfo else row.last_beat.replace(tzinfo=UTC)
        alive = self._clock() - last < timedelta(seconds=3 * self._beat_seconds)
        msg = f"jobs process on {row.host} (pid {row.pid})" + ("" if alive else " is not answering")
        return SchedulerStatus(alive, last, row.host, msg)
