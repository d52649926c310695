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


def seeded_environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """Create and seed a Sigma data dir; returns the environment variables that point at it."""
    env = {
        "SIGMA_ENV": "test",
        "SIGMA_DATA_DIR": str(data_dir),
        "SIGMA_MARKET_END": MARKET_END,
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
    finally:
        services.close()
    return env
