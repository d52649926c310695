"""A batch runner to kill: `python -m tests.batch.killable JOB [PHASE ...]` runs the job as the CLI does,
but sleeps at every unit of work (the progress callback) so a test can SIGKILL or SIGTERM it mid-phase.

It prints "started" once its run row exists; SIGTERM sets the runner's stop flag like the CLI's handler.
"""

from __future__ import annotations

import signal
import sys
import time

from jobs.runner import STOP, run_job
from sigma.batch.orchestrator import BatchRequest
from sigma.batch.status import Trigger
from sigma.config import from_env
from sigma.wiring import build

UNIT_SECONDS = 1.0


def main(argv: list[str]) -> int:
    job, phases = argv[0], tuple(argv[1:]) or None
    services = build(from_env())
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())

    def slow(done: int, total: int, what: str) -> None:
        time.sleep(UNIT_SECONDS)

    print("started", flush=True)
    _run_id, outcome = run_job(services, job, Trigger.MANUAL, slow, BatchRequest(job, phases))
    print(f"outcome {outcome.status}", flush=True)
    services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
