"""The jobs process's schedules: which job runs on which cron (from Settings), and when next.

The scheduler (`jobs.scheduler`) builds its triggers from `SCHEDULES`; the console and
`python -m jobs status` show `next_runs`. The nightly batch runs after the market data, and a
scheduled batch runs every phase (the market-data phase then finds nothing missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apscheduler.triggers.cron import CronTrigger

from sigma.config import Settings


@dataclass(frozen=True)
class Schedule:
    """A scheduled job: its name, the Settings field holding its cron, the variable that sets it."""

    job: str
    setting: str
    variable: str


@dataclass(frozen=True)
class NextRun:
    """When a scheduled job runs next (UTC)."""

    job: str
    cron: str
    variable: str
    next_run: datetime | None


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("market_data", "schedule_market_data", "SIGMA_SCHEDULE_MARKET_DATA"),
    Schedule("batch", "schedule_batch", "SIGMA_SCHEDULE_BATCH"),
    Schedule("profiles", "schedule_profiles", "SIGMA_SCHEDULE_PROFILES"),
)


def trigger(settings: Settings, schedule: Schedule) -> CronTrigger:
    """The cron trigger of a schedule (UTC)."""
    return CronTrigger.from_crontab(str(getattr(settings, schedule.setting)), timezone="UTC")


def next_runs(settings: Settings, now: datetime) -> list[NextRun]:
    """Every scheduled job with its cron and its next fire time after `now`, soonest first."""
    out = [
        NextRun(
            s.job, str(getattr(settings, s.setting)), s.variable, trigger(settings, s).get_next_fire_time(None, now)
        )
        for s in SCHEDULES
    ]
    return sorted(out, key=lambda r: (r.next_run is None, r.next_run or now))
