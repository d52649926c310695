"""Settings: every knob of Sigma, read once from the environment.

This is the only module that reads `os.environ`. `from_env(environ)` takes a mapping so tests
pass a dict; a bad value raises `ConfigError` naming the variable. Secrets (cookie key,
Anthropic key, database password inside the URL) come only from here and are never logged.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import TypeVar

from sigma.errors import ConfigError

T = TypeVar("T")

ENVIRONMENTS = ("development", "test", "production")
MARKET_SOURCES = ("simulated", "yfinance", "csv", "auto")
MIN_COOKIE_KEY_BYTES = 32


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
        "development, test or production; production refuses demo seeding and needs a cookie key",
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
    Var("SIGMA_SCHEDULE_MARKET_DATA", "15 22 * * mon-fri", "cron (UTC) of the market-data job"),
    Var("SIGMA_HEARTBEAT_SECONDS", "30", "how often the jobs process writes its heartbeat"),
    Var("SIGMA_RIDGE_ALPHA", "1.0", "ridge penalty for factor exposures on standardized factors"),
    Var("SIGMA_RISK_FREE", "0.0", "annual risk-free rate used by Sharpe ratios (fraction)"),
    Var("SIGMA_MC_PATHS", "10000", "Monte Carlo VaR paths"),
    Var("SIGMA_MC_SEED", "7", "Monte Carlo VaR seed"),
)


@dataclass(frozen=True)
class HealthThresholds:
    """Health-score breakpoints (DOMAIN.md, "Health score"); linear in between."""

    beta_zero_at: float = 1.0  # |beta - 1| at which the beta score reaches 0
    vol_full: float = 0.10
    vol_zero: float = 0.40
    hhi_full: float = 0.05
    hhi_zero: float = 0.30
    dr_zero: float = 1.0
    dr_full: float = 2.0


@dataclass(frozen=True)
class Settings:
    """Every knob of Sigma. Build with `from_env`; never mutate."""

    env: str = "development"
    data_dir: Path = Path("data")
    database_url: str = "sqlite:///data/sigma.db"
    db_busy_timeout_ms: int = 5000
    market_data: str = "simulated"
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
    schedule_market_data: str = "15 22 * * mon-fri"
    heartbeat_seconds: int = 30
    ridge_alpha: float = 1.0
    risk_free: float = 0.0
    mc_paths: int = 10_000
    mc_seed: int = 7
    health: HealthThresholds = field(default_factory=HealthThresholds)

    @property
    def is_production(self) -> bool:
        """True when SIGMA_ENV=production."""
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        """True when the database is a SQLite file."""
        return self.database_url.startswith("sqlite")

    def redacted_database_url(self) -> str:
        """The database URL with any password replaced, safe to print."""
        from sqlalchemy.engine import make_url

        return make_url(self.database_url).render_as_string(hide_password=True)


def _parse(environ: Mapping[str, str], name: str, default: T, cast: Callable[[str], T], what: str) -> T:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return cast(raw.strip())
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name}={raw!r} is not valid: expected {what}. Fix or unset {name}.") from exc


def _positive(cast: Callable[[str], T]) -> Callable[[str], T]:
    def parse(raw: str) -> T:
        value = cast(raw)
        if value <= 0:  # type: ignore[operator]
            raise ValueError("must be positive")
        return value

    return parse


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.lower()
        if value not in options:
            raise ValueError(value)
        return value

    return parse


def _database_url(raw: str) -> str:
    if not (raw.startswith("sqlite") or raw.startswith("postgresql")):
        raise ValueError(raw)
    return raw


def _cron(raw: str) -> str:
    if len(raw.split()) != 5:
        raise ValueError(raw)
    return raw


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from `environ` (default: the process environment)."""
    env = os.environ if environ is None else environ
    stage = _parse(env, "SIGMA_ENV", "development", _choice(ENVIRONMENTS), "one of " + ", ".join(ENVIRONMENTS))
    data_dir = _parse(env, "SIGMA_DATA_DIR", Path("data"), Path, "a folder path")
    cookie_key = env.get("SIGMA_COOKIE_KEY", "").strip()
    if cookie_key and len(cookie_key.encode()) < MIN_COOKIE_KEY_BYTES:
        raise ConfigError(f"SIGMA_COOKIE_KEY is too short: use at least {MIN_COOKIE_KEY_BYTES} random bytes.")
    if stage == "production" and not cookie_key:
        raise ConfigError(
            "SIGMA_COOKIE_KEY is not set: production refuses to start without a cookie key. "
            "Set SIGMA_COOKIE_KEY to 32+ random bytes, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'."
        )
    pos_int, pos_float = _positive(int), _positive(float)
    return Settings(
        env=stage,
        data_dir=data_dir,
        database_url=_parse(
            env,
            "SIGMA_DATABASE_URL",
            f"sqlite:///{data_dir / 'sigma.db'}",
            _database_url,
            "a sqlite:/// or postgresql+psycopg:// URL",
        ),
        db_busy_timeout_ms=_parse(env, "SIGMA_DB_BUSY_TIMEOUT_MS", 5000, pos_int, "a positive integer"),
        market_data=_parse(
            env, "SIGMA_MARKET_DATA", "simulated", _choice(MARKET_SOURCES), "one of " + ", ".join(MARKET_SOURCES)
        ),
        csv_dir=_parse(env, "SIGMA_CSV_DIR", data_dir / "prices", Path, "a folder path"),
        market_seed=_parse(env, "SIGMA_MARKET_SEED", 1, int, "an integer"),
        market_years=_parse(env, "SIGMA_MARKET_YEARS", 10, pos_int, "a positive integer"),
        market_end=_parse(env, "SIGMA_MARKET_END", None, date.fromisoformat, "a date YYYY-MM-DD"),
        provider_timeout=_parse(env, "SIGMA_PROVIDER_TIMEOUT", 10.0, pos_float, "seconds > 0"),
        auto_timeout=_parse(env, "SIGMA_AUTO_TIMEOUT", 3.0, pos_float, "seconds > 0"),
        provider_retries=_parse(env, "SIGMA_PROVIDER_RETRIES", 3, int, "an integer"),
        stale_after_days=_parse(env, "SIGMA_STALE_AFTER_DAYS", 4, pos_int, "a positive integer"),
        cookie_key=cookie_key,
        cookie_expiry_days=_parse(env, "SIGMA_COOKIE_EXPIRY_DAYS", 1.0, pos_float, "days > 0"),
        session_hours=_parse(env, "SIGMA_SESSION_HOURS", 12.0, pos_float, "hours > 0"),
        login_max_failures=_parse(env, "SIGMA_LOGIN_MAX_FAILURES", 5, pos_int, "a positive integer"),
        login_window_minutes=_parse(env, "SIGMA_LOGIN_WINDOW_MINUTES", 15, pos_int, "a positive integer"),
        lockout_minutes=_parse(env, "SIGMA_LOCKOUT_MINUTES", 15, pos_int, "a positive integer"),
        bcrypt_rounds=_parse(env, "SIGMA_BCRYPT_ROUNDS", 12, pos_int, "an integer 4..31"),
        schedule_market_data=_parse(
            env, "SIGMA_SCHEDULE_MARKET_DATA", "15 22 * * mon-fri", _cron, "a five-field cron expression"
        ),
        heartbeat_seconds=_parse(env, "SIGMA_HEARTBEAT_SECONDS", 30, pos_int, "a positive integer"),
        ridge_alpha=_parse(env, "SIGMA_RIDGE_ALPHA", 1.0, pos_float, "a number > 0"),
        risk_free=_parse(env, "SIGMA_RISK_FREE", 0.0, float, "a fraction such as 0.04"),
        mc_paths=_parse(env, "SIGMA_MC_PATHS", 10_000, pos_int, "a positive integer"),
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


def readme_table() -> str:
    """The Markdown table of every variable, for the README."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| `{v.name}` | `{v.default}` | {v.help} |" for v in VARIABLES]
    return "\n".join(rows)


def setting_names() -> list[str]:
    """Names of the Settings fields (for tests)."""
    return [f.name for f in fields(Settings)]


if __name__ == "__main__":
    print(readme_table())
