"""Run one job: its plan of phases through the orchestrator, under its lease, tracked in batch_runs.

A failing job is recorded as failed with its message and does not take the process down.
SIGTERM and Ctrl-C set `STOP`: the running phase ends after its current unit of work and the run
is recorded `interrupted`.
"""

from __future__ import annotations

import threading

from sigma.batch.catalog import job_spec
from sigma.batch.orchestrator import BatchRequest, run_batch
from sigma.batch.status import Outcome, Progress, Trigger
from sigma.wiring import Services

STOP = threading.Event()  # set by the CLI's and the scheduler's signal handlers


def run_job(
    services: Services,
    name: str,
    trigger: Trigger = Trigger.MANUAL,
    sink: Progress | None = None,
    request: BatchRequest | None = None,
) -> tuple[int, Outcome]:
    """Run job `name` (or `request`) once under its lock; returns (batch run id, outcome)."""
    job_spec(name)  # raises ValueError with the list of known jobs
    request = request or BatchRequest(job=name, trigger=trigger)
    return run_batch(services, request, sink, STOP)
