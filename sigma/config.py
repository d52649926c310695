"""Settings: every knob of Sigma, read once from the environment.

This is the only module that reads `os.environ`. `from_env(environ)` takes a mapping so tests
pass a dict; a bad value raises `ConfigError` naming the variable. Secrets (cookie key,
Anthropic key, database password inside the URL) come only from here and are never logged.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TypedDict, TypeVar

from sigma.errors import ConfigError
from sigma.settings import (
    DEFAULT_BATCH_CRON,
    DEFAULT_MARKET_DATA_CRON,
    DEFAULT_PROFILES_CRON,
    VARIABLES,
    BatchExecutorKind,
    Environment,
    HealthThresholds,
    MarketDataMode,
    Settings,
    Var,
    readme_table,
    redact_url,
    setting_names,
)

__all__ = [
    "VARIABLES",
    "BatchExecutorKind",
    "Environment",
    "HealthThresholds",
    "MarketDataMode",
    "Settings",
    "Var",
    "ensure_cookie_key",
    "from_env",
    "readme_table",
    "redact_url",
    "setting_names",
]

T = TypeVar("T")
N = TypeVar("N", int, float)
E = TypeVar("E", bound=StrEnum)

MIN_COOKIE_KEY_BYTES = 32


def _parse(
    environ: Mapping[str, str],
    name: str,
    default: T,
    cast: Callable[[str], T],
    what: str,
    show: Callable[[str], str] = repr,
) -> T:
    """`name` from `environ` through `cast`; a bad value raises `ConfigError` showing it with `show`."""
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return cast(raw.strip())
    except (ValueError, TypeError):
        # `from None`: the cast's own error may hold the raw value (a database URL's password).
        raise ConfigError(f"{name}={show(raw)} is not valid: expected {what}. Fix or unset {name}.") from None


def _positive(cast: Callable[[str], N]) -> Callable[[str], N]:
    def parse(raw: str) -> N:
        value = cast(raw)
        if value <= 0:
            raise ValueError("must be positive")
        return value

    return parse


_POS_INT, _POS_FLOAT = _positive(int), _positive(float)


def _choice(options: type[E]) -> Callable[[str], E]:
    def parse(raw: str) -> E:
        return options(raw.lower())  # ValueError for anything else

    return parse


def _one_of(options: type[StrEnum]) -> str:
    return "one of " + ", ".join(o.value for o in options)


def _database_url(raw: str) -> str:
    if not (raw.startswith("sqlite") or raw.startswith("postgresql")):
        raise ValueError("unsupported database URL scheme")  # never the URL: it may hold a password
    return raw


def _shown_url(raw: str) -> str:
    return repr(redact_url(raw.strip()))


def _cron(raw: str) -> str:
    if len(raw.split()) != 5:
        raise ValueError(raw)
    return raw


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    stage = _parse(env, "SIGMA_ENV", Environment.DEVELOPMENT, _choice(Environment), _one_of(Environment))
    data_dir = _parse(env, "SIGMA_DATA_DIR", Path("data"), Path, "a folder path")
    return Settings(
        env=stage,
        data_dir=data_dir,
        cookie_key=_cookie_key(env, stage),
        **_storage(env, data_dir),
        **_market(env, data_dir),
        **_login(env),
        **_schedules(env),
        **_risk(env),
        **_batch(env),
    )


def _cookie_key(env: Mapping[str, str], stage: Environment) -> str:
    cookie_key = env.get("SIGMA_COOKIE_KEY", "").strip()
    if cookie_key and len(cookie_key.encode()) < MIN_COOKIE_KEY_BYTES:
        raise ConfigError(f"SIGMA_COOKIE_KEY is too short: use at least {MIN_COOKIE_KEY_BYTES} random bytes.")
    if stage == Environment.PRODUCTION and not cookie_key:
        raise ConfigError(
            "SIGMA_COOKIE_KEY is not set: production refuses to start without a cookie key. "
            "Set SIGMA_COOKIE_KEY to 32+ random bytes, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    return cookie_key


class _Storage(TypedDict):
    database_url: str
    db_busy_timeout_ms: int


def _storage(env: Mapping[str, str], data_dir: Path) -> _Storage:
    return _Storage(
        database_url=_parse(
            env,
            "SIGMA_DATABASE_URL",
            f"sqlite:///{data_dir / 'sigma.db'}",
            _database_url,
            "a sqlite:/// or postgresql+psycopg:// URL",
            show=_shown_url,
        ),
        db_busy_timeout_ms=_parse(env, "SIGMA_DB_BUSY_TIMEOUT_MS", 5000, _POS_INT, "a positive integer"),
    )


class _Market(TypedDict):
    market_data: MarketDataMode
    csv_dir: Path
    market_seed: int
    market_years: int
    market_end: date | None
    provider_timeout: float
    auto_timeout: float
    provider_retries: int
    stale_after_days: int


def _market(env: Mapping[str, str], data_dir: Path) -> _Market:
    mode = _choice(MarketDataMode)
    return _Market(
        market_data=_parse(env, "SIGMA_MARKET_DATA", MarketDataMode.SIMULATED, mode, _one_of(MarketDataMode)),
        csv_dir=_parse(env, "SIGMA_CSV_DIR", data_dir / "prices", Path, "a folder path"),
        market_seed=_parse(env, "SIGMA_MARKET_SEED", 1, int, "an integer"),
        market_years=_parse(env, "SIGMA_MARKET_YEARS", 10, _POS_INT, "a positive integer"),
        market_end=_parse(env, "SIGMA_MARKET_END", None, date.fromisoformat, "a date YYYY-MM-DD"),
        provider_timeout=_parse(env, "SIGMA_PROVIDER_TIMEOUT", 10.0, _POS_FLOAT, "seconds > 0"),
        auto_timeout=_parse(env, "SIGMA_AUTO_TIMEOUT", 3.0, _POS_FLOAT, "seconds > 0"),
        provider_retries=_parse(env, "SIGMA_PROVIDER_RETRIES", 3, int, "an integer"),
        stale_after_days=_parse(env, "SIGMA_STALE_AFTER_DAYS", 4, _POS_INT, "a positive integer"),
    )


class _Login(TypedDict):
    cookie_expiry_days: float
    session_hours: float
    login_max_failures: int
    login_window_minutes: int
    lockout_minutes: int
    bcrypt_rounds: int


def _login(env: Mapping[str, str]) -> _Login:
    return _Login(
        cookie_expiry_days=_parse(env, "SIGMA_COOKIE_EXPIRY_DAYS", 1.0, _POS_FLOAT, "days > 0"),
        session_hours=_parse(env, "SIGMA_SESSION_HOURS", 12.0, _POS_FLOAT, "hours > 0"),
        login_max_failures=_parse(env, "SIGMA_LOGIN_MAX_FAILURES", 5, _POS_INT, "a positive integer"),
        login_window_minutes=_parse(env, "SIGMA_LOGIN_WINDOW_MINUTES", 15, _POS_INT, "a positive integer"),
        lockout_minutes=_parse(env, "SIGMA_LOCKOUT_MINUTES", 15, _POS_INT, "a positive integer"),
        bcrypt_rounds=_parse(env, "SIGMA_BCRYPT_ROUNDS", 12, _POS_INT, "an integer 4..31"),
    )


class _Schedules(TypedDict):
    schedule_market_data: str
    schedule_profiles: str
    heartbeat_seconds: int


def _schedules(env: Mapping[str, str]) -> _Schedules:
    cron = "a five-field cron expression"
    return _Schedules(
        schedule_market_data=_parse(env, "SIGMA_SCHEDULE_MARKET_DATA", DEFAULT_MARKET_DATA_CRON, _cron, cron),
        schedule_profiles=_parse(env, "SIGMA_SCHEDULE_PROFILES", DEFAULT_PROFILES_CRON, _cron, cron),
        heartbeat_seconds=_parse(env, "SIGMA_HEARTBEAT_SECONDS", 30, _POS_INT, "a positive integer"),
    )


class _Batch(TypedDict):
    schedule_batch: str
    lock_ttl_seconds: int
    job_deadline_seconds: int
    provider_breaker: int
    batch_executor: BatchExecutorKind
    batch_workers: int
    dask_scheduler: str


def _batch(env: Mapping[str, str]) -> _Batch:
    kind = _choice(BatchExecutorKind)
    return _Batch(
        schedule_batch=_parse(env, "SIGMA_SCHEDULE_BATCH", DEFAULT_BATCH_CRON, _cron, "a five-field cron expression"),
        lock_ttl_seconds=_parse(env, "SIGMA_LOCK_TTL_SECONDS", 60, _POS_INT, "a positive integer"),
        job_deadline_seconds=_parse(env, "SIGMA_JOB_DEADLINE_SECONDS", 1800, _POS_INT, "a positive integer"),
        provider_breaker=_parse(env, "SIGMA_PROVIDER_BREAKER", 3, _POS_INT, "a positive integer"),
        batch_executor=_parse(env, "SIGMA_BATCH_EXECUTOR", BatchExecutorKind.LOCAL, kind, _one_of(BatchExecutorKind)),
        batch_workers=_parse(env, "SIGMA_BATCH_WORKERS", 0, int, "an integer (0: the CPU count)"),
        dask_scheduler=_parse(env, "SIGMA_DASK_SCHEDULER", "", str, "an address such as tcp://host:8786"),
    )


class _Risk(TypedDict):
    ridge_alpha: float
    risk_free: float
    mc_paths: int
    mc_seed: int


def _risk(env: Mapping[str, str]) -> _Risk:
    return _Risk(
        ridge_alpha=_parse(env, "SIGMA_RIDGE_ALPHA", 1.0, _POS_FLOAT, "a number > 0"),
        risk_free=_parse(env, "SIGMA_RISK_FREE", 0.0, float, "a fraction such as 0.04"),
        mc_paths=_parse(env, "SIGMA_MC_PATHS", 10_000, _POS_INT, "a positive integer"),
        mc_seed=_parse(env, "SIGMA_MC_SEED", 7, int, "an integer"),
    )


def ensure_cookie_key(settings: Settings) -> Settings:
    """Return settings with a cookie key: the configured one, or (outside production) a random
    key generated once into `<data dir>/cookie_key`, a file git ignores."""
    if settings.cookie_key:
        return settings
    if settings.is_production:
        raise ConfigError("SIGMA_COOKIE_KEY is not set: production refuses to start without a cookie key.")
    path = settings.data_dir / "cookie_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # never readable by others
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
    from dataclasses import replace

    return replace(settings, cookie_key=path.read_text().strip())


if __name__ == "__main__":
    print(readme_table())
