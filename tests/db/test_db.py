"""The data layer: migrations to head, bulk upserts, and clear errors for a database that is down or locked."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import func, inspect, select

from sigma.db import make_engine, session_scope, upgrade_to_head, upsert, with_lock_retry
from sigma.db.models import Base, Price
from sigma.errors import DatabaseUnavailable


def test_the_schema_reaches_head_with_every_table_and_upgrading_again_changes_nothing(db):
    upgrade_to_head(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def _bar(symbol: str, day: int, close: float) -> dict:
    return {
        "symbol": symbol,
        "date": date(2026, 11, day),
        "open": close,
        "high": close,
        "low": close,
        "close": close,
        "adj_close": close,
        "volume": 100,
        "source": "simulated",
    }


def test_upsert_inserts_then_updates_on_the_key_without_duplicates(db):
    rows = [_bar("SPY", d, 100.0 + d) for d in range(2, 7)]
    with session_scope(db.sessions) as s:
        upsert(s, Price.__table__, rows, key=("symbol", "date"))
    with session_scope(db.sessions) as s:
        upsert(s, Price.__table__, [_bar("SPY", 6, 999.0), _bar("QQQ", 6, 50.0)], key=("symbol", "date"))
    with session_scope(db.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Price)) == 6
        assert s.scalar(select(Price.close).where(Price.symbol == "SPY", Price.date == date(2026, 11, 6))) == 999.0


def test_upsert_of_many_rows_is_chunked_under_the_driver_limits(db):
    rows = [_bar(f"S{i:04d}", 2 + i % 5, 10.0) for i in range(9000)]
    with session_scope(db.sessions) as s:
        assert upsert(s, Price.__table__, rows, key=("symbol", "date")) == 9000
    with session_scope(db.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Price)) == 9000


def test_a_failed_transaction_leaves_nothing_behind(db):
    with pytest.raises(RuntimeError), session_scope(db.sessions) as s:
        upsert(s, Price.__table__, [_bar("SPY", 2, 1.0)], key=("symbol", "date"))
        raise RuntimeError("boom")
    with session_scope(db.sessions) as s:
        assert s.scalar(select(func.count()).select_from(Price)) == 0


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", busy_timeout_ms=1234)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    engine.dispose()


def test_a_database_locked_by_another_process_is_retried_then_explained(tmp_path):
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=50)
    upgrade_to_head(engine)
    holder = sqlite3.connect(path, timeout=0.05)
    holder.execute("BEGIN IMMEDIATE")  # the other process holds the write lock
    attempts = []

    def write() -> None:
        attempts.append(1)
        with session_scope(_sessions(engine)) as s:
            upsert(s, Price.__table__, [_bar("SPY", 2, 1.0)], key=("symbol", "date"))

    with pytest.raises(DatabaseUnavailable, match="busy"):
        with_lock_retry(write, retries=2, delay=0.01)
    assert len(attempts) == 3
    holder.rollback()
    with_lock_retry(write, retries=2, delay=0.01)  # once released, the write goes through
    holder.close()
    engine.dispose()


def _sessions(engine):
    from sigma.db import session_factory

    return session_factory(engine)


def test_a_server_that_is_down_gives_a_clear_message_not_a_traceback():
    url = "postgresql+psycopg://postgres:secret@127.0.0.1:1/sigma"
    with pytest.raises(DatabaseUnavailable) as err:
        make_engine(url)
    message = str(err.value)
    assert "SIGMA_DATABASE_URL" in message and "127.0.0.1:1" in message and "secret" not in message
