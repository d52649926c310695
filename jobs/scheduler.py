"""The scheduler process: APScheduler 3 with its job store in Sigma's database.

Schedules: market data after the close, then the snapshots; the security profiles daily (crons
from settings); a heartbeat row; and a poller that runs jobs queued from the Admin page.
SIGTERM and Ctrl-C stop it cleanly, waiting for a running job. STACK.md section 5 explains
the `_process_jobs` guard.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from types import FrameType

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import STATE_STOPPED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs.runner import run_job
from sigma.batch.status import Trigger
from sigma.wiring import Services

log = logging.getLogger("sigma.jobs")
SCHEDULER_NAME = "scheduler"
_services: Services | None = None  # set by serve(); scheduled functions run in this process only


class SafeBlockingScheduler(BlockingScheduler):  # type: ignore[misc]  # APScheduler 3 ships no types
    """Skips the extra `_process_jobs` that APScheduler 3.11 runs after shutdown."""

    def _process_jobs(self) -> float | None:
        return None if self.state == STATE_STOPPED else super()._process_jobs()


def _svc() -> Services:
    if _services is None:
        raise RuntimeError("the scheduler's services are not set; start it with python -m jobs serve")
    return _services


def scheduled_market_data() -> None:
    """The market-data job, as the scheduler runs it."""
    services = _svc()
    run_job(services, "market_data", Trigger.SCHEDULE)
    run_job(services, "snapshots", Trigger.SCHEDULE)


def scheduled_profiles() -> None:
    """The profiles job, as the scheduler runs it."""
    run_job(_svc(), "profiles", Trigger.SCHEDULE)


def beat() -> None:
    """Write the heartbeat row."""
    _svc().heartbeat.beat(SCHEDULER_NAME, socket.gethostname(), os.getpid())


def poll_requests() -> None:
    """Run every job queued from the Admin page, oldest first."""
    services = _svc()
    while (claimed := services.queue.claim_next()) is not None:
        request_id, name = claimed
        run_id, outcome = run_job(services, name, Trigger.REQUEST)
        services.queue.complete(request_id, outcome.status.ok, run_id)


def build_scheduler(services: Services) -> SafeBlockingScheduler:
    """A scheduler with Sigma's schedules, its job store in the app database."""
    sched = SafeBlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=services.engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC",
    )
    settings = services.settings
    market_cron = CronTrigger.from_crontab(settings.schedule_market_data, timezone="UTC")
    sched.add_job("jobs.scheduler:scheduled_market_data", market_cron, id="market_data", replace_existing=True)
    profiles_cron = CronTrigger.from_crontab(settings.schedule_profiles, timezone="UTC")
    sched.add_job("jobs.scheduler:scheduled_profiles", profiles_cron, id="profiles", replace_existing=True)
    sched.add_job(
        "jobs.scheduler:beat",
        IntervalTrigger(seconds=settings.heartbeat_seconds),
        id="heartbeat",
        replace_existing=True,
    )
    sched.add_job("jobs.scheduler:poll_requests", IntervalTrigger(seconds=3), id="requests", replace_existing=True)
    return sched


def serve(services: Services) -> int:
    """Run the scheduler until SIGTERM or Ctrl-C; returns 0 after a clean stop."""
    global _services
    _services = services
    sched = build_scheduler(services)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s: stopping after the running job", signum)
        if sched.running:
            sched.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    beat()
    settings = services.settings
    log.info(
        "scheduler started (market data: %s UTC; profiles: %s UTC)",
        settings.schedule_market_data,
        settings.schedule_profiles,
    )
    sched.start()
    log.info("scheduler stopped")
    _services = None
    return 0
