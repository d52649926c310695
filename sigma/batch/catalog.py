"""The catalogue of jobs: names, what they do, their schedules (the jobs process runs them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    """A job the jobs process knows how to run."""

    name: str
    description: str
    schedule: str  # human-readable; the cron itself comes from Settings


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "market_data",
        "Fetch missing daily prices for the universe into the store (incremental)",
        "weekdays after the close (SIGMA_SCHEDULE_MARKET_DATA)",
    ),
    JobSpec("snapshots", "Backfill portfolio and position snapshots up to the latest price date", "after market_data"),
    JobSpec(
        "profiles",
        "Sync security profiles (name, sector, market cap, dividend yield)",
        "daily (SIGMA_SCHEDULE_PROFILES)",
    ),
)

JOB_NAMES: tuple[str, ...] = tuple(j.name for j in JOBS)


def job_spec(name: str) -> JobSpec:
    """The spec of job `name`; ValueError listing the known jobs otherwise."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise ValueError(f"Unknown job {name!r}. Known jobs: {', '.join(JOB_NAMES)} (python -m jobs list).")
