"""`python -m jobs status`: the scheduler's state, next run times and the last runs with their phases."""

from __future__ import annotations

from sigma.batch.schedule import next_runs
from sigma.batch.status import utc_now
from sigma.wiring import Services


def print_status(services: Services, runs: int) -> int:
    """Print the status; returns 0 when the scheduler is alive, 1 when it is not running."""
    now = utc_now()
    scheduler = services.admin.scheduler_status()
    if scheduler.alive and scheduler.last_beat is not None:
        age = (now - scheduler.last_beat).total_seconds()
        print(f"scheduler: running ({scheduler.message}; last heartbeat {age:.0f} s ago)")
    else:
        print(f"scheduler: not running: {scheduler.message}")
    print("next runs (UTC):")
    for nxt in next_runs(services.settings, now):
        when = f"{nxt.next_run:%Y-%m-%d %H:%M}" if nxt.next_run else "never"
        print(f"  {nxt.job:<12} {when}  cron '{nxt.cron}' ({nxt.variable})")
    print("last runs:")
    for run in services.runs.recent(limit=runs):
        ended = f"{run.finished_at:%H:%M:%S}" if run.finished_at else "…"
        print(
            f"  #{run.id} {run.job:<12} {run.status:<12} {run.trigger:<9} {run.started_at:%Y-%m-%d %H:%M:%S} → {ended}"
        )
        for phase in run.phases:
            took = (
                f"{(phase.finished_at - phase.started_at).total_seconds():6.1f} s"
                if phase.started_at and phase.finished_at
                else "      …"
            )
            print(f"      {phase.name:<12} {phase.status:<12} {took}  {phase.message[:100]}")
    return 0 if scheduler.alive else 1
