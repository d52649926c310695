"""Arrow reads through ADBC: the engine's database, its busy timeout, pooled connections, in-memory fallback."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from adbc_driver_manager.dbapi import Error as AdbcError
from sqlalchemy import create_engine

from sigma.conventions import Source
from sigma.db import make_engine, session_factory, upgrade_to_head
from sigma.db.arrow import ArrowReader, adbc_uri
from sigma.market.store.prices import PriceStore
from tests.fakes import synthetic_bars


def test_the_adbc_uri_is_the_engines_database_without_the_driver_part(tmp_path):
    pg = create_engine("postgresql+psycopg://sigma:secret@db.example:5433/prices")
    assert adbc_uri(pg) == "postgresql://sigma:secret@db.example:5433/prices"
    assert adbc_uri(create_engine(f"sqlite:///{tmp_path / 'a.db'}")) == str(tmp_path / "a.db")
    assert adbc_uri(create_engine("sqlite://")) is None  # in memory: nothing a second driver could open


def test_sqlite_connections_get_the_engines_busy_timeout_and_wal_and_are_reused(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}", busy_timeout_ms=1234)
    reader = ArrowReader(engine)
    try:
        assert reader.table("PRAGMA busy_timeout").column(0).to_pylist() == [1234]
        assert reader.table("PRAGMA journal_mode").column(0).to_pylist() == ["wal"]
        assert len(reader._idle) == 1  # one connection, back in the pool after each read
    finally:
        reader.close()
        engine.dispose()


def test_a_failing_read_does_not_return_its_connection_to_the_pool(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    reader = ArrowReader(engine)
    try:
        reader.table("SELECT 1")
        with pytest.raises(AdbcError):
            reader.table("SELECT * FROM no_such_table")
        assert len(reader._idle) == 0
    finally:
        reader.close()
        engine.dispose()


def test_a_pooled_connection_that_died_is_replaced_and_the_read_succeeds(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    reader = ArrowReader(engine)
    try:
        reader.table("SELECT 1")
        reader._idle[0].close()  # as if the server had dropped it
        assert reader.table("SELECT 2 AS two").column("two").to_pylist() == [2]
        assert len(reader._idle) == 1
    finally:
        reader.close()
        engine.dispose()


def test_an_in_memory_database_is_read_through_the_engine_with_the_same_result():
    engine = make_engine("sqlite://")
    upgrade_to_head(engine)
    store = PriceStore(session_factory(engine))
    start = date(2026, 1, 1)
    bars = synthetic_bars(["AAA", "BBB"], start, start + timedelta(days=30), seed=5)
    try:
        assert store.upsert_bars(bars, Source.SIMULATED) == len(bars)
        assert store.upsert_bars(bars, Source.SIMULATED) == 0
        wide = store.close_frame(["BBB", "AAA"])
        expected = bars.pivot(index="date", columns="symbol", values="adj_close")[["BBB", "AAA"]]
        np.testing.assert_allclose(wide.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-12)
        assert list(store.history("AAA")["date"]) == list(pd.to_datetime(bars[bars["symbol"] == "AAA"]["date"]).dt.date)
    finally:
        store.close()
        engine.dispose()
