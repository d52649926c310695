"""Settings: every knob of Sigma, as one frozen object (`sigma.config.from_env` builds it),
and the documented environment variable behind each one (rendered into the README table).

The closed choices are enums: `Environment` (SIGMA_ENV) and `MarketDataMode` (SIGMA_MARKET_DATA).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum
from pathlib import Path

DEFAULT_MARKET_DATA_CRON = "15 22 * * mon-fri"
DEFAULT_PROFILES_CRON = "30 23 * * *"
DEFAULT_BATCH_CRON = "45 22 * * mon-fri"  # after the market-data job (22:15 UTC, after the US close)


class BatchExecutorKind(StrEnum):
    """Where the batch's per-portfolio work runs (SIGMA_BATCH_EXECUTOR)."""

    INLINE = "inline"
    LOCAL = "local"
    DASK = "dask"


class Environment(StrEnum):
    """Where Sigma runs (SIGMA_ENV)."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class MarketDataMode(StrEnum):
    """Which price provider feeds the store (SIGMA_MARKET_DATA)."""

    SIMULATED = "simulated"
    YFINANCE = "yfinance"
    CSV = "csv"
    AUTO = "auto"


@dataclass(frozen=True)
class Var:
    """One documented environment variable (rendered into the README table)."""

    name: str
    default: str
    help: str


# Every variable Sigma reads, with its default and meaning. The README table is generated from
# this list (python -m sigma.config), and a test checks that they agree.
VARIABLES: tuple[Var, ...] = (
    Var(
        "SIGMA_ENV",
        "development",
        "development, test or production; production refuses demo seeding and demo logins, and needs a cookie key",
    ),
    Var("SIGMA_DATA_DIR", "data", "folder for the SQLite file, the local cookie key and cached price copies"),
    Var(
        "SIGMA_DATABASE_URL",
        "sqlite:///<data dir>/sigma.db",
        "SQLAlchemy URL; postgresql+psycopg://user@host:5432/db for PostgreSQL",
    ),
    Var("SIGMA_DB_BUSY_TIMEOUT_MS", "5000", "SQLite busy timeout, so the app and the jobs process share the file"),
    Var(
        "SIGMA_MARKET_DATA",
        "simulated",
        "simulated, yfinance (live), csv, or auto (live with a short timeout, else simulated)",
    ),
    Var("SIGMA_CSV_DIR", "<data dir>/prices", "folder of per-symbol CSV price files for SIGMA_MARKET_DATA=csv"),
    Var("SIGMA_MARKET_SEED", "1", "seed of the simulated market"),
    Var("SIGMA_MARKET_YEARS", "10", "years of history to load"),
    Var("SIGMA_MARKET_END", "(last business day)", "end date of the simulated market, YYYY-MM-DD"),
    Var("SIGMA_PROVIDER_TIMEOUT", "10", "seconds per live request"),
    Var("SIGMA_AUTO_TIMEOUT", "3", "seconds the auto mode gives the live provider before falling back"),
    Var("SIGMA_PROVIDER_RETRIES", "3", "bounded retries (with backoff) per live request"),
    Var("SIGMA_STALE_AFTER_DAYS", "4", "calendar days after which the latest price is called stale"),
    Var(
        "SIGMA_COOKIE_KEY",
        "(generated into <data dir>/cookie_key outside production)",
        "secret that signs the login cookie, 32+ bytes",
    ),
    Var("SIGMA_COOKIE_EXPIRY_DAYS", "1", "lifetime of the login cookie"),
    Var("SIGMA_SESSION_HOURS", "12", "lifetime of a server-side login session"),
    Var("SIGMA_LOGIN_MAX_FAILURES", "5", "failed logins per account within the window before a lockout"),
    Var("SIGMA_LOGIN_WINDOW_MINUTES", "15", "window in which failures are counted"),
    Var("SIGMA_LOCKOUT_MINUTES", "15", "how long an account stays locked"),
    Var("SIGMA_BCRYPT_ROUNDS", "12", "bcrypt cost for password hashes"),
    Var("SIGMA_SCHEDULE_MARKET_DATA", DEFAULT_MARKET_DATA_CRON, "cron (UTC) of the market-data job"),
    Var("SIGMA_SCHEDULE_PROFILES", DEFAULT_PROFILES_CRON, "cron (UTC) of the profiles job (security profiles)"),
    Var("SIGMA_SCHEDULE_BATCH", DEFAULT_BATCH_CRON, "cron (UTC) of the nightly batch (after the market data)"),
    Var("SIGMA_HEARTBEAT_SECONDS", "30", "how often the jobs process writes its heartbeat"),
    Var(
        "SIGMA_LOCK_TTL_SECONDS", "60", "lease of a job lock; the holder renews it, a dead holder's lock is taken over"
    ),
    Var("SIGMA_JOB_DEADLINE_SECONDS", "1800", "a job's overall deadline; past it, it stops and says so"),
    Var("SIGMA_PROVIDER_BREAKER", "3", "consecutive systemic provider failures after which it is called down"),
    Var("SIGMA_BATCH_EXECUTOR", "local", "inline, local (a process pool) or dask (a distributed cluster)"),
    Var("SIGMA_BATCH_WORKERS", "(CPU count)", "processes of the local executor"),
    Var("SIGMA_DASK_SCHEDULER", "(none)", "address of the Dask scheduler for SIGMA_BATCH_EXECUTOR=dask"),
    Var("SIGMA_RIDGE_ALPHA", "1.0", "ridge penalty for factor exposures on standardized factors"),
    Var("SIGMA_RISK_FREE", "0.0", "annual risk-free rate used by Sharpe ratios (fraction)"),
    Var("SIGMA_MC_PATHS", "10000", "Monte Carlo VaR paths"),
    Var("SIGMA_MC_SEED", "7", "Monte Carlo VaR seed"),
)


@dataclass(frozen=True)
class HealthThresholds:
    """Health-score breakpoints and weights (DOMAIN.md, "Health score"); linear in between.

    Volatility is the book's / its benchmark's (a ratio); HHI and the largest position use
    |net exposure by symbol| / NAV; leverage is gross / NAV. Weights are fractions summing to 1.
    """

    beta_zero_at: float = 1.0  # |beta - 1| at which the beta score reaches 0
    vol_ratio_full: float = 1.0  # book vol / benchmark vol
    vol_ratio_zero: float = 2.5
    hhi_full: float = 0.05
    hhi_zero: float = 0.30
    largest_full: float = 0.05  # largest position / NAV
    largest_zero: float = 0.30
    dr_zero: float = 1.0
    dr_full: float = 2.0
    leverage_full: float = 1.0  # gross / NAV
    leverage_zero: float = 3.0
    weight_beta: float = 0.20
    weight_volatility: float = 0.20
    weight_concentration: float = 0.25
    weight_diversification: float = 0.20
    weight_leverage: float = 0.15


@dataclass(frozen=True)
class VolSurfaceParams:
    """The option volatility surface (docs/CONVENTIONS.md, "Option volatility surface"; formula in
    `sigma.instruments.surface`). Vols and index levels are annual; index levels in points (VIX 17 = 17 %)."""

    beta_min: float = 0.5  # clip of the underlying's volatility beta (σᵢ / σ_SPY) when it scales the VIX
    beta_max: float = 3.0
    beta_window: int = 252  # trading days of the volatility beta
    beta_min_obs: int = 60  # fewer daily returns: beta 1
    long_run_index: float = 20.0  # long-run VIX level (points) the ATM variance reverts to
    mean_reversion: float = 2.0  # kappa per year of the ATM variance term structure
    rho: float = -0.7  # SSVI skew correlation (< 0: puts richer)
    eta: float = 1.0  # SSVI curvature level; eta * (1 + |rho|) <= 2 keeps the surface free of butterflies
    gamma: float = 0.5  # SSVI power-law exponent in (0, 0.5]
    vol_floor: float = 0.05  # clip of the ATM levels (not of the smile, which a clip would make arbitrageable)
    vol_cap: float = 3.0
    min_years: float = 1.0 / 365.0  # shortest maturity the surface is read at
    implied_vol_indices: tuple[tuple[str, str], ...] = (("SPY", "^VIX"),)  # underlying -> its own vol index


@dataclass(frozen=True)
class Settings:
    """Every knob of Sigma. Build with `from_env`; never mutate."""

    env: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("data")
    database_url: str = "sqlite:///data/sigma.db"
    db_busy_timeout_ms: int = 5000
    market_data: MarketDataMode = MarketDataMode.SIMULATED
    csv_dir: Path = Path("data/prices")
    market_seed: int = 1
    market_years: int = 10
    market_end: date | None = None
    provider_timeout: float = 10.0
    auto_timeout: float = 3.0
    provider_retries: int = 3
    stale_after_days: int = 4
    cookie_key: str = field(default="", repr=False)
    cookie_expiry_days: float = 1.0
    session_hours: float = 12.0
    login_max_failures: int = 5
    login_window_minutes: int = 15
    lockout_minutes: int = 15
    bcrypt_rounds: int = 12
    schedule_market_data: str = DEFAULT_MARKET_DATA_CRON
    schedule_profiles: str = DEFAULT_PROFILES_CRON
    heartbeat_seconds: int = 30
    schedule_batch: str = DEFAULT_BATCH_CRON
    lock_ttl_seconds: int = 60
    job_deadline_seconds: int = 1800
    provider_breaker: int = 3
    batch_executor: BatchExecutorKind = BatchExecutorKind.LOCAL
    batch_workers: int = 0  # 0: the CPU count
    dask_scheduler: str = ""
    ridge_alpha: float = 1.0
    risk_free: float = 0.0
    mc_paths: int = 10_000
    mc_seed: int = 7
    health: HealthThresholds = field(default_factory=HealthThresholds)
    vol_surface: VolSurfaceParams = field(default_factory=VolSurfaceParams)

    @property
    def is_production(self) -> bool:
        """True when SIGMA_ENV=production."""
        return self.env == Environment.PRODUCTION

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file."""
        return self.database_url.startswith("sqlite")

    def redacted_database_url(self) -> str:
        """The database URL with any password replaced, safe to print."""
        return redact_url(self.database_url)


# user:password@ in anything URL-like: the password runs to the last "@" (it may hold "@" or "/").
_CREDENTIALS = re.compile(r"^(?P<scheme>[^:/@]*://)?(?P<user>[^:/@]*):.*@", re.DOTALL)


def redact_url(url: str) -> str:
    """`url` safe to print: SQLAlchemy's rendering with the password as `***`; for a string it
    cannot parse, or one with several `@`, everything from the user name's `:` to the last `@`."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if url.count("@") <= 1:  # with an unencoded "@" in the password, SQLAlchemy would show its tail
        try:
            return make_url(url).render_as_string(hide_password=True)
        except (ArgumentError, ValueError, TypeError):
            pass
    return _CREDENTIALS.sub(r"\g<scheme>\g<user>:***@", url, count=1)


def setting_names() -> list[str]:
    """Names of the Settings fields (for tests)."""
    return [f.name for f in fields(Settings)]


def readme_table() -> str:
    """The Markdown table of every variable, for the README."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{v.name}` | `{v.default}` | {v.help} |" for v in VARIABLES]
    return "\n".join(rows)
