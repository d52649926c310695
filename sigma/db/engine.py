"""Engine and session scope: SQLite (WAL, busy timeout) by default, PostgreSQL via psycopg 3.

`make_engine` checks the connection once so a server that is down gives a clear message at
start-up instead of a traceback on the first page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sigma.errors import ConfigError, DatabaseUnavailable
from sigma.settings import redact_url

T = TypeVar("T")

LOCK_RETRIES = 5


def make_engine(url: str, busy_timeout_ms: int = 5000, check: bool = True) -> Engine:
    """Create the engine for `url`; raise `DatabaseUnavailable` if it cannot connect and
    `ConfigError` for a URL SQLAlchemy cannot use. Messages name the URL without its password."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = _sqlite_engine(url, parsed.database, busy_timeout_ms)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        # `from None`: SQLAlchemy's own message may quote the whole URL, password included.
        raise ConfigError(
            f"SIGMA_DATABASE_URL={redact_url(url)!r} cannot be used ({type(exc).__name__}): "
            "give a sqlite:/// or postgresql+psycopg:// URL, or unset it to use the embedded SQLite file."
        ) from None
    if check:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except OperationalError as exc:
            engine.dispose()
            safe = redact_url(url)
            raise DatabaseUnavailable(
                f"Cannot connect to the database at {safe}. Is the server running and the URL right? "
                "Check SIGMA_DATABASE_URL, or unset it to use the embedded SQLite file."
            ) from exc
    return engine


def _sqlite_engine(url: str, database: str | None, busy_timeout_ms: int) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """A sessionmaker bound to `engine` (objects stay readable after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_locked_error(exc: BaseException) -> bool:
    """True for SQLite's 'database is locked' (another process holds the write lock)."""
    return isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()


def with_lock_retry(work: Callable[[], T], retries: int = LOCK_RETRIES, delay: float = 0.2) -> T:
    """Run `work`, retrying while the database is locked; then raise `DatabaseUnavailable`."""
    for attempt in range(retries + 1):
        try:
            return work()
        except OperationalError as exc:
            if not is_locked_error(exc):
                raise
            if attempt == retries:
                raise DatabaseUnavailable(
                    "The database is busy: another process (the jobs process?) holds a write lock. "
                    "Try again in a minute; if it persists, stop the other process."
                ) from exc
            time.sleep(delay * (2**attempt))
    raise AssertionError("unreachable")


def write_transaction(
    factory: sessionmaker[Session], work: Callable[[Session], T], retries: int = LOCK_RETRIES, delay: float = 0.2
) -> T:
    """Run `work` in one transaction, retried while another process holds the write lock."""

    def run() -> T:
        with session_scope(factory) as session:
            return work(session)

    return with_lock_retry(run, retries, delay)


def read_session(factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` on one session that commits nothing, closed afterwards."""
    with factory() as session:
        return work(session)
