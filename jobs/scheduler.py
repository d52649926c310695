"""The scheduler process: APScheduler 3 with its job store in Sigma's database.

Schedules (`sigma.batch.schedule`, crons from settings): market data after the close, the nightly
batch after it, the security profiles daily; a heartbeat row; and a poller that runs jobs queued
from the Admin page. Each has `coalesce`, `max_instances=1` and a misfire grace, and the job's
lease lock keeps one run at a time even with two `serve` processes on one database. SIGTERM and
Ctrl-C stop it cleanly: the running phase ends after its current unit of work, the run is recorded
`interrupted`, and the process exits. STACK.md section 5 explains the `_process_jobs` guard.
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
from apscheduler.triggers.interval import IntervalTrigger

from jobs.runner import STOP, run_job
from sigma.batch.orchestrator import BatchRequest
from sigma.batch.schedule import SCHEDULES, trigger
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


def scheduled(job: str) -> None:
    """Run `job` as the scheduler does (its lock makes a second scheduler's attempt a recorded skip)."""
    run_job(_svc(), job, Trigger.SCHEDULE)


def beat() -> None:
    """Write the heartbeat row."""
    _svc().heartbeat.beat(SCHEDULER_NAME, socket.gethostname(), os.getpid())


def poll_requests() -> None:
    """Run every job queued from the Admin page, oldest first."""
    services = _svc()
    while not STOP.is_set() and (claimed := services.queue.claim_next()) is not None:
        try:
            request = BatchRequest.from_params(claimed.job, claimed.params, Trigger.REQUEST, claimed.requested_by)
            run_id, outcome = run_job(services, claimed.job, Trigger.REQUEST, request=request)
        except ValueError as exc:  # an unknown job or phase in the row: the request fails, the poller goes on
            log.error("request %s refused: %s", claimed.id, exc)
            services.queue.complete(claimed.id, False, None)
            continue
        services.queue.complete(claimed.id, outcome.status.ok, run_id)


def build_scheduler(services: Services) -> SafeBlockingScheduler:
    """A scheduler with Sigma's schedules, its job store in the app database."""
    sched = SafeBlockingScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=services.engine)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone="UTC",
    )
    settings = services.settings
    for schedule in SCHEDULES:
        cron = trigger(settings, schedule)
        sched.add_job("jobs.scheduler:scheduled", cron, args=[schedule.job], id=schedule.job, replace_existing=True)
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
    STOP.clear()
    sched = build_scheduler(services)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s: stopping after the running unit of work", signum)
        STOP.set()
        if sched.running:
            sched.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    beat()
    settings = services.settings
    log.info(
        "scheduler started (market data: %s, batch: %s, profiles: %s; UTC)",
        settings.schedule_market_data,
        settings.schedule_batch,
        settings.schedule_profiles,
    )
    sched.start()
    log.info("scheduler stopped")
    _services = None
    return 0
