"""Shared fixtures: settings, databases (SQLite and PostgreSQL), a small simulated market.

Service tests take the `db` fixture, parametrised over SQLite and PostgreSQL. PostgreSQL runs
when SIGMA_TEST_DATABASE_URL points at a server (each test session creates and drops a
throwaway database there). With CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from sigma.config import Settings, from_env
from sigma.db import Base, make_engine, session_factory, upgrade_to_head

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("SIGMA_TEST_DATABASE_URL", "")
MARKET_END = date(2026, 11, 20)
TEST_COOKIE_KEY = "test-cookie-key-" + "x" * 40


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In CI, a PostgreSQL test may not be skipped for want of a server."""
    if IN_CI and not PG_URL:
        raise pytest.UsageError("CI=true but SIGMA_TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI.")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Test settings: a temporary data dir, fast bcrypt, a fixed cookie key."""
    return from_env(
        {
            "SIGMA_ENV": "test",
            "SIGMA_DATA_DIR": str(tmp_path),
            "SIGMA_COOKIE_KEY": TEST_COOKIE_KEY,
            "SIGMA_BCRYPT_ROUNDS": "4",
            "SIGMA_MARKET_END": MARKET_END.isoformat(),
            "SIGMA_MARKET_YEARS": "3",
        }
    )


@dataclass
class Database:
    """A migrated database for one test: its URL, engine and session factory."""

    backend: str
    url: str
    engine: Engine
    sessions: sessionmaker[Session]


def _postgres_database() -> Iterator[str]:
    server = make_url(PG_URL)
    name = f"sigma_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _pg_url() -> Iterator[str]:
    if not PG_URL:
        if IN_CI:
            pytest.fail("SIGMA_TEST_DATABASE_URL is not set, and CI=true: PostgreSQL tests must run.")
        pytest.skip("PostgreSQL tests need SIGMA_TEST_DATABASE_URL (not set; outside CI this skips)")
    yield from _postgres_database()


@pytest.fixture(scope="session")
def _pg_engine(_pg_url: str) -> Iterator[Engine]:
    engine = make_engine(_pg_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for t in tables:
                conn.execute(text(f'DELETE FROM "{t}"'))


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated empty SQLite file, copied by each test (migrating per test costs ~0.7 s)."""
    path = tmp_path_factory.mktemp("template") / "sigma.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_to_head(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "sigma.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        yield Database("sqlite", url, engine, session_factory(engine))
        engine.dispose()
    else:
        engine = request.getfixturevalue("_pg_engine")
        _truncate(engine)
        url = engine.url.render_as_string(hide_password=False)
        yield Database("postgresql", url, engine, session_factory(engine))
        _truncate(engine)


@pytest.fixture
def db_settings(settings: Settings, db: Database) -> Settings:
    """Test settings pointing at the parametrised database."""
    return replace(settings, database_url=db.url)


@pytest.fixture(scope="session")
def small_market():  # type: ignore[no-untyped-def]
    """Three years of the simulated market ending 2026-11-20 (seed 1); shared, read-only."""
    from sigma.market import simulated_market

    return simulated_market(end=MARKET_END, years=3, seed=1)
