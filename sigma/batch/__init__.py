"""Job runs: tracking (batch_runs), cross-process locks (job_locks), requests from the Admin page,
and the scheduler heartbeat. The nightly orchestrator's phases live here as later issues add them."""
