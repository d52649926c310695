"""A seeded Sigma installation for AppTest and browser tests: a small simulated market and the demo book.

Built once per test session in a temporary data folder; tests point `SIGMA_*` variables at it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sigma.batch.demo import seed_demo
from sigma.config import Settings, from_env
from sigma.wiring import build

MARKET_END = "2026-11-20"


def seeded_environment(
    data_dir: Path, database_url: str | None = None, market_end: str = MARKET_END, batch: bool = False
) -> dict[str, str]:
    """Create and seed a Sigma data dir; returns the environment variables that point at it.

    With `batch`, the nightly batch's snapshots, risk and insights phases run too, as `make run`
    does: the pages then draw stored views and the Admin page has a run to show.
    """
    env = {
        "SIGMA_ENV": "test",
        "SIGMA_DATA_DIR": str(data_dir),
        "SIGMA_MARKET_END": market_end,
        "SIGMA_MARKET_YEARS": "3",
        "SIGMA_BCRYPT_ROUNDS": "4",
        "SIGMA_COOKIE_KEY": "browser-test-cookie-key-" + "k" * 32,
    }
    if database_url:
        env["SIGMA_DATABASE_URL"] = database_url
    settings: Settings = from_env(env)
    services = build(replace(settings))
    try:
        services.market.refresh()
        seed_demo(services)
        if batch:
            from jobs.runner import run_job
            from sigma.batch.orchestrator import BatchRequest
            from sigma.batch.status import Trigger

            request = BatchRequest("batch", ("snapshots", "risk", "insights"), trigger=Trigger.INIT)
            run_job(services, "batch", Trigger.INIT, request=request)
    finally:
        services.close()
    return env
