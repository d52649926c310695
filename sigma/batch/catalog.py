"""The catalogue of jobs: names, what they do, their schedules, and the phases each one runs.

Every job is a plan of registered phases (`sigma.batch.phases`) run by the orchestrator: `batch`
runs them all (the nightly batch), the others one each, so an operator can refresh prices or
profiles alone. The schedules themselves are crons from Settings.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class JobSpec:
    """A job the jobs process knows how to run."""

    name: str
    description: str
    schedule: str  # human-readable; the cron itself comes from Settings
    phases: tuple[str, ...] | None = None  # None: every registered phase


JOBS: tuple[JobSpec, ...] = (
    JobSpec(
        "batch",
        "The nightly batch: market data, profiles and sector tags, snapshots, risk results, insight cards",
        "weekdays after the market data (SIGMA_SCHEDULE_BATCH)",
    ),
    JobSpec(
        "market_data",
        "Fetch missing daily prices for the universe into the store (incremental)",
        "weekdays after the close (SIGMA_SCHEDULE_MARKET_DATA)",
        ("market_data",),
    ),
    JobSpec(
        "snapshots",
        "Backfill every portfolio's daily snapshots up to the latest price date",
        "in the nightly batch",
        ("snapshots",),
    ),
    JobSpec(
        "profiles",
        "Sync security profiles (name, sector, market cap, dividend yield) and the automatic sector tags",
        "daily (SIGMA_SCHEDULE_PROFILES)",
        ("profiles",),
    ),
)

JOB_NAMES: tuple[str, ...] = tuple(j.name for j in JOBS)


def job_spec(name: str) -> JobSpec:
    """The spec of job `name`; ValueError listing the known jobs otherwise."""
    for spec in JOBS:
        if spec.name == name:
            return spec
    raise ValueError(f"Unknown job {name!r}. Known jobs: {', '.join(JOB_NAMES)} (python -m jobs list).")


def phases_of(job: str) -> tuple[str, ...] | None:
    """The phases job `job` runs (None: all); registers the standard phases first."""
    import sigma.batch.nightly  # noqa: F401  # registers the phases

    return job_spec(job).phases
