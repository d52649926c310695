"""Run one job: take its lock, track it in batch_runs, report progress, record the outcome.

A failing job is recorded as failed with its message and does not take the process down.
"""

from __future__ import annotations

import logging

from jobs.tasks import TASKS
from sigma.batch.catalog import job_spec
from sigma.batch.locks import JobBusy
from sigma.batch.status import JobStatus, Outcome, Progress, Trigger
from sigma.errors import SigmaError
from sigma.wiring import Services

log = logging.getLogger("sigma.jobs")


def run_job(
    services: Services, name: str, trigger: Trigger = Trigger.MANUAL, sink: Progress | None = None
) -> tuple[int | None, Outcome]:
    """Run job `name` once under its lock; returns (batch run id, outcome)."""
    job_spec(name)  # raises ValueError with the list of known jobs
    try:
        with services.locks.held(name):
            run_id = services.runs.start(name, trigger)
            return run_id, _tracked(services, name, run_id, sink)
    except JobBusy as busy:
        log.warning("%s", busy)
        return None, Outcome(JobStatus.SKIPPED, str(busy), {})


def _tracked(services: Services, name: str, run_id: int, sink: Progress | None) -> Outcome:
    def progress(done: int, total: int, phase: str) -> None:
        services.runs.progress(run_id, phase, done / total if total else 1.0, f"{done}/{total}")
        if sink is not None:
            sink(done, total, phase)

    try:
        outcome = TASKS[name](services, progress)
    except SigmaError as err:
        outcome = Outcome(JobStatus.FAILED, str(err), {})
    except Exception as exc:  # a bug or a systemic fault: record it, keep the process alive
        log.exception("job %s crashed", name)
        outcome = Outcome(JobStatus.FAILED, f"{type(exc).__name__}: {exc}", {})
    services.runs.finish(run_id, outcome.status, outcome.message, outcome.details)
    log.info("job %s finished: %s: %s", name, outcome.status, outcome.message)
    return outcome
