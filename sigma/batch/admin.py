"""The Admin page's service, the operations console: every page call requires the admin role.

The console shows the scheduler (heartbeat age, next run times), recent runs with their phases,
queued requests, the data-quality report with the provider that served each symbol, users and
the audit log. Queuing a run is an admin action: the request and its audit row are written in one
transaction (`AuthService.audited`).

The data-quality report is computed by the jobs (`refresh_quality`, after `jobs init` and every
market-data run) and stored; the page reads the stored one and says when it was computed. Only
when none is stored yet (a database the jobs have not run on) does the page compute it, with a note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from sigma.auth.service import AuditAction, AuditRecord
from sigma.batch.catalog import JOBS, JobSpec, job_spec, phases_of
from sigma.batch.orchestrator import BatchRequest
from sigma.batch.phases import phase_names
from sigma.batch.queue import RequestView
from sigma.batch.runs import RunView
from sigma.batch.schedule import NextRun, next_runs
from sigma.batch.sql.heartbeat import Heartbeat
from sigma.batch.sql.quality import QualityReports
from sigma.batch.sql.queue import JobQueue
from sigma.batch.sql.runs import RunTracker
from sigma.batch.status import Json, Trigger, utc_now
from sigma.conventions import Role
from sigma.errors import PermissionDenied, ValidationError

if TYPE_CHECKING:
    from sigma.auth.model import AuthUser
    from sigma.auth.service import AuthService
    from sigma.market.service import MarketService

START_HINT = "start it with python -m jobs serve"
RECENT_RUNS = 20
AUDIT_LINES = 50


@dataclass(frozen=True)
class SchedulerStatus:
    """Is the jobs process alive? `age` is the time since its last heartbeat (None: it never beat)."""

    alive: bool
    last_beat: datetime | None
    host: str | None
    message: str
    age: timedelta | None = None


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
    next_runs: list[NextRun] = field(default_factory=list)
    phases: tuple[str, ...] = ()
    audit: list[AuditRecord] = field(default_factory=list)


def _registered_phases() -> tuple[str, ...]:
    """The names of the batch's phases (importing the standard ones first)."""
    phases_of("batch")  # imports the standard phases, so the registry is filled
    return phase_names()


class AdminService:
    """Admin-only reads, the job queue and the console's view of the schedules."""

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
        phases: Callable[[], tuple[str, ...]] = _registered_phases,
    ) -> None:
        self._auth, self._market, self._runs, self._queue = auth, market, runs, queue
        self._heartbeat, self._beat_seconds, self._clock = heartbeat, heartbeat_seconds, clock
        self._reports, self._phases = reports, phases

    def _require_admin(self, acting: AuthUser) -> None:
        role = self._auth.current_role(acting.id)  # re-read: a demoted admin loses rights at once
        if role != Role.ADMIN:
            raise PermissionDenied("Only administrators can open the Admin page.")

    def view(self, acting: AuthUser) -> AdminView:
        """Users, data quality, runs, queued requests, schedules, phases, the audit log and the scheduler."""
        self._require_admin(acting)
        users = pd.DataFrame([u.__dict__ for u in self._auth.list_users(acting)])
        quality, computed_at, note = self._quality()
        return AdminView(
            users=users,
            quality=quality,
            runs=self._runs.recent(limit=RECENT_RUNS),
            pending=self._queue.pending(),
            jobs=JOBS,
            scheduler=self.scheduler_status(),
            quality_computed_at=computed_at,
            quality_note=note,
            next_runs=next_runs(self._market.settings, self._clock()),
            phases=self._phases(),
            audit=self._auth.audit_log(acting, AUDIT_LINES),
        )

    def _quality(self) -> tuple[pd.DataFrame, datetime | None, str]:
        """The stored report (else one computed now, with a note), with the provider of each symbol."""
        stored = self._reports.latest() if self._reports is not None else None
        if stored is None:
            quality, computed_at = self._market.quality(self._today()), None
            note = "No stored data-quality report yet (computed now): run python -m jobs run market_data"
        else:
            quality, computed_at = stored.report, stored.computed_at
            note = f"Computed by the jobs process at {computed_at:%Y-%m-%d %H:%M} UTC, as of {stored.as_of:%Y-%m-%d}"
        return with_providers(quality, self._market.store.coverage()), computed_at, note

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
        """Recent runs and queued requests only (the console polls this every few seconds)."""
        self._require_admin(acting)
        return self._runs.recent(limit=RECENT_RUNS), self._queue.pending()

    def request_job(self, acting: AuthUser, name: str, params: Json | None = None) -> int:
        """Queue job `name` for the jobs process, with `params` (phases, portfolios, from-date, as
        `BatchRequest.params` writes them); the request and its audit row commit together.
        Returns the request id; `ValidationError` for an unknown job, phase or a bad parameter."""
        self._require_admin(acting)
        clean = self._checked(name, params or {})
        return self._auth.audited(
            acting, AuditAction.QUEUE_RUN, name, clean, lambda s: self._queue.add(s, name, acting.id, clean or None)
        )

    def _checked(self, name: str, params: Json) -> Json:
        """`params` as the jobs process reads them back; `ValidationError` naming what is wrong."""
        try:
            spec = job_spec(name)
            request = BatchRequest.from_params(name, params, Trigger.REQUEST, None)
        except ValueError as exc:
            raise ValidationError(f"Cannot queue {name!r}: {exc}") from exc
        if request.phases is not None:
            if spec.phases is not None:
                raise ValidationError(f"{name} runs its own phase; queue the batch to pick phases.")
            unknown = [p for p in request.phases if p not in self._phases()]
            if unknown or not request.phases:
                known = ", ".join(self._phases())
                raise ValidationError(f"Unknown phase(s): {', '.join(unknown) or '(none)'}. Known phases: {known}.")
        bad = [p for p in request.portfolios or () if p <= 0]
        if bad:
            raise ValidationError(f"Portfolio ids are positive integers; got {', '.join(map(str, bad))}.")
        if request.from_date is not None and request.from_date > self._today():
            raise ValidationError(f"The from-date {request.from_date} is in the future: pick a past date.")
        return request.params()

    def scheduler_status(self) -> SchedulerStatus:
        """Alive when the last heartbeat is younger than three heartbeat intervals."""
        row = self._heartbeat.last()
        if row is None:
            return SchedulerStatus(False, None, None, f"The jobs process has never run: {START_HINT}")
        last = row.last_beat if row.last_beat.tzinfo else row.last_beat.replace(tzinfo=UTC)
        age = self._clock() - last
        alive = age < timedelta(seconds=3 * self._beat_seconds)
        msg = f"jobs process on {row.host} (pid {row.pid})" + ("" if alive else f" is not answering: {START_HINT}")
        return SchedulerStatus(alive, last, row.host, msg, age)


def with_providers(quality: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """The quality report with a `provider` column: the source of each symbol's stored prices
    ("mixed" when several served it; empty for a symbol with no stored price)."""
    if quality.empty or "symbol" not in quality.columns:
        return quality.assign(provider=pd.Series(dtype=object))
    sources = dict(zip(coverage.get("symbol", []), coverage.get("source", []), strict=True))
    return quality.assign(provider=quality["symbol"].map(sources).fillna(""))
