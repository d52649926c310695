"""The price store on SQLite and PostgreSQL: idempotent writes, incremental refresh, fast reads."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from sigma.conventions import Source
from sigma.db import make_engine, session_factory, with_lock_retry
from sigma.errors import DatabaseUnavailable, ProviderUnavailable, UnknownSymbol, ValidationError
from sigma.market.store.frames import Columns, asof_values
from sigma.market.store.prices import PriceStore
from tests.fakes import FakeProvider, synthetic_bars

SYMBOLS = ["AAA", "BBB", "CCC"]
START, END = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture
def store(db):
    s = PriceStore(db.sessions)
    yield s
    s.close()


def _table(db) -> pd.DataFrame:
    with db.engine.connect() as conn:
        return pd.read_sql(text("SELECT * FROM prices ORDER BY symbol, date"), conn)


def test_upserting_the_same_bars_twice_writes_nothing_the_second_time(db, store):
    bars = synthetic_bars(SYMBOLS, START, END)
    assert store.upsert_bars(bars, Source.SIMULATED) == len(bars)
    before = _table(db)
    assert store.upsert_bars(bars, Source.SIMULATED) == 0
    pd.testing.assert_frame_equal(_table(db), before)


def test_only_changed_rows_are_rewritten(db, store):
    bars = synthetic_bars(SYMBOLS, START, END)
    store.upsert_bars(bars, Source.SIMULATED)
    edited = bars.copy()
    edited.loc[[0, 5], "adj_close"] += 1.0
    assert store.upsert_bars(edited, Source.SIMULATED) == 2
    assert store.upsert_bars(edited, Source.LIVE) == len(bars)  # the source is part of the row


def test_an_empty_or_nan_frame_writes_nothing(db, store):
    bars = synthetic_bars(SYMBOLS, START, START + timedelta(days=5))
    assert store.upsert_bars(bars.iloc[:0], Source.SIMULATED) == 0
    assert store.upsert_bars(bars.assign(close=np.nan, adj_close=np.nan), Source.SIMULATED) == 0
    assert _table(db).empty


def test_zero_negative_infinite_and_absurd_prices_never_reach_the_table(db, store):
    bars = synthetic_bars(["AAA"], START, START + timedelta(days=8))  # 7 business days
    bars["close"] = [100.0, 0.0, -1.0, np.inf, np.nan, 1e308, 101.0]
    bars["open"] = [np.inf, 100.0, 100.0, 100.0, 100.0, 100.0, -np.inf]
    bars["volume"] = [np.inf, 5.0, 5.0, 5.0, 5.0, 5.0, -3.0]
    assert store.upsert_bars(bars, Source.CSV) == 2
    stored = _table(db)
    assert stored["close"].tolist() == [100.0, 101.0]
    assert stored["open"].isna().tolist() == [True, True]  # an unusable open is stored as unknown
    assert stored["volume"].isna().tolist() == [True, True]


def test_a_frame_without_required_columns_is_rejected(db, store):
    with pytest.raises(ValidationError, match="adj_close"):
        store.upsert_bars(pd.DataFrame({"symbol": ["A"], "date": [START], "close": [1.0]}), Source.CSV)


def test_refresh_asks_only_for_missing_dates_and_a_second_refresh_asks_nothing(db, store):
    bars = synthetic_bars(SYMBOLS, START, END)
    store.upsert_bars(bars[bars["date"] <= date(2026, 2, 27)], Source.SIMULATED)
    provider = FakeProvider(bars)
    report = store.refresh(provider, SYMBOLS, START, END)
    # one batched call: every symbol ends on Fri 2026-02-27, so all start on Sat 2026-02-28
    assert provider.calls == [(tuple(SYMBOLS), date(2026, 2, 28), END)]
    assert report.rows_written == 3 * 22  # 22 business days from Mon Mar 2 to Tue Mar 31
    assert not report.failed and report.calls == 1
    provider.calls.clear()
    again = store.refresh(provider, SYMBOLS, START, END)
    assert provider.calls == [] and again.rows_written == 0


def test_symbols_with_different_last_dates_are_grouped_by_start(db, store):
    bars = synthetic_bars(SYMBOLS, START, END)
    store.upsert_bars(bars[(bars["symbol"] == "AAA") & (bars["date"] <= date(2026, 3, 20))], Source.SIMULATED)
    provider = FakeProvider(bars)
    store.refresh(provider, SYMBOLS, START, END)
    assert provider.calls == [(("BBB", "CCC"), START, END), (("AAA",), date(2026, 3, 21), END)]
    assert store.missing_ranges(SYMBOLS, START, END) == {}


def test_a_provider_timeout_writes_nothing_and_keeps_existing_prices(db, store):
    bars = synthetic_bars(SYMBOLS, START, END)
    store.upsert_bars(bars[bars["date"] <= date(2026, 2, 27)], Source.SIMULATED)
    before = _table(db)
    provider = FakeProvider(bars, fail=ProviderUnavailable("Yahoo Finance timed out after 10 s"))
    report = store.refresh(provider, SYMBOLS, START, END)
    assert report.failed and "timed out" in report.summary() and report.rows_written == 0
    pd.testing.assert_frame_equal(_table(db), before)


def test_a_symbol_the_provider_does_not_know_is_an_error_value_and_the_rest_load(db, store):
    provider = FakeProvider(synthetic_bars(SYMBOLS, START, END))
    report = store.refresh(provider, [*SYMBOLS, "NOPE"], START, END)
    assert set(report.errors) == {"NOPE"} and report.rows["AAA"] == 64 and report.rows["NOPE"] == 0
    assert set(store.profiles()["symbol"]) == set(SYMBOLS)  # profiles for new symbols come along
    provider.profile_calls.clear()
    store.refresh(provider, SYMBOLS, START, END + timedelta(days=3))
    assert provider.profile_calls == []  # only symbols without a profile are asked for


def test_unknown_symbols_raise_unknown_symbol_naming_them(db, store):
    store.upsert_bars(synthetic_bars(SYMBOLS, START, END), Source.SIMULATED)
    for read in (
        lambda: store.close_frame(["AAA", "ZZZ", "YYY"]),
        lambda: store.latest(["AAA", "ZZZ", "YYY"]),
        lambda: store.price_on(["ZZZ", "YYY"], [END, END]),
    ):
        with pytest.raises(UnknownSymbol) as err:
            read()
        assert err.value.symbols == ["ZZZ", "YYY"]
    with pytest.raises(UnknownSymbol, match="ZZZ"):
        store.history("ZZZ")
    assert store.close_frame(["AAA"], date(2030, 1, 1)).empty  # known, but no prices in the window


def test_close_frame_equals_the_naive_read_sql_pivot(db, store):
    bars = synthetic_bars(SYMBOLS, START, END, seed=3)
    store.upsert_bars(bars[~((bars["symbol"] == "BBB") & (bars["date"] < date(2026, 2, 1)))], Source.SIMULATED)
    with db.engine.connect() as conn:
        naive = pd.read_sql(
            text("SELECT symbol, date, adj_close FROM prices WHERE date >= :s"), conn, params={"s": date(2026, 1, 15)}
        )
    naive["date"] = pd.to_datetime(naive["date"])
    expected = naive.pivot(index="date", columns="symbol", values="adj_close")[["CCC", "AAA", "BBB"]]
    fast = store.close_frame(["CCC", "AAA", "BBB"], start=date(2026, 1, 15))
    assert list(fast.columns) == ["CCC", "AAA", "BBB"] and fast.index.name == "date"
    np.testing.assert_array_equal(fast.index.values, expected.index.values.astype(fast.index.dtype))
    np.testing.assert_allclose(fast.to_numpy(), expected.to_numpy(), rtol=0, atol=1e-12)  # NaN where BBB had none


def test_returns_are_simple_returns_of_adjusted_close(db, store):
    days = [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)]
    bars = pd.DataFrame({"symbol": "X", "date": days, "close": [100.0, 110.0, 99.0], "adj_close": [100.0, 110.0, 99.0]})
    store.upsert_bars(bars, Source.CSV)
    # 110 / 100 - 1 = 0.10; 99 / 110 - 1 = -0.10
    np.testing.assert_allclose(store.returns_frame(["X"])["X"].to_numpy(), [0.10, -0.10], atol=1e-15)


def test_the_cache_is_invalidated_when_prices_change_even_from_another_connection(db, store):
    store.upsert_bars(synthetic_bars(SYMBOLS, START, END), Source.SIMULATED)
    first = store.close_frame(SYMBOLS)
    first.iloc[0, 0] = -1.0  # callers get copies: mutating one does not poison the cache
    assert store.close_frame(SYMBOLS).iloc[0, 0] > 0
    other = make_engine(db.url)
    with other.begin() as conn:  # an in-place update: same row count, same last date
        conn.execute(text("UPDATE prices SET adj_close = 1.5 WHERE symbol = 'AAA' AND date = :d"), {"d": END})
    other.dispose()
    assert store.close_frame(SYMBOLS).loc[pd.Timestamp(END), "AAA"] == 1.5


def test_history_latest_and_price_on_reference_values(db, store):
    days = [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 8)]
    bars = pd.DataFrame({"symbol": "X", "date": days, "close": [10.0, 11.0, 12.0], "adj_close": [9.0, 10.0, 11.0]})
    store.upsert_bars(pd.concat([bars, bars.assign(symbol="Y").iloc[:1]]), Source.CSV)
    hist = store.history("X")
    assert list(hist["date"]) == days and list(hist["source"]) == ["csv"] * 3
    latest = store.latest(["Y", "X"]).set_index("symbol")
    assert latest.loc["X", "adj_close"] == 11.0 and latest.loc["X", "prev_adj_close"] == 10.0
    assert np.isnan(latest.loc["Y", "prev_adj_close"]) and latest.loc["Y", "date"] == days[0]
    # Jan 7 has no row -> Jan 6 (10.0); Jan 4 is before the first row -> NaN; Y on Jan 8 -> Jan 5 (9.0)
    got = store.price_on(["X", "X", "Y", "X"], [date(2026, 1, 7), date(2026, 1, 4), days[2], days[0]])
    np.testing.assert_array_equal(got, [10.0, np.nan, 9.0, 9.0])
    assert store.as_of() == (days[2], "csv")
    cov = store.coverage().set_index("symbol")
    assert cov.loc["X", "rows"] == 3 and cov.loc["X", "first"] == days[0] and cov.loc["Y", "last"] == days[0]
    assert store.last_dates(["X", "Q"]) == {"X": days[2]}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 30), st.floats(1, 100)), max_size=40),
    st.lists(st.tuples(st.integers(0, 2), st.integers(-5, 40)), min_size=1, max_size=20),
)
def test_price_on_agrees_with_a_slow_loop(rows, queries):
    unique = {(c, d): v for c, d, v in rows}
    codes = np.array([k[0] for k in unique], dtype=np.int64)
    cols = Columns(
        ("A", "B", "C"),
        codes,
        np.array([k[1] for k in unique], dtype=np.int64),
        {"adj_close": np.array(list(unique.values()), dtype=float)},
    )
    got = asof_values(cols, "adj_close", np.array([q[0] for q in queries]), np.array([q[1] for q in queries]))
    for (c, d), value in zip(queries, got, strict=True):  # the oracle: scan every stored row
        before = [(day, v) for (code, day), v in unique.items() if code == c and day <= d]
        expected = max(before)[1] if before else np.nan
        assert value == expected or (np.isnan(value) and np.isnan(expected))


def test_a_locked_database_raises_database_unavailable_after_retries(tmp_path):
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    engine = make_engine(url, busy_timeout_ms=50)
    from sigma.db import upgrade_to_head

    upgrade_to_head(engine)
    store = PriceStore(session_factory(engine), lock_retries=1, lock_delay=0.01)
    holder = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        bars = synthetic_bars(["AAA"], START, START + timedelta(days=3))
        with pytest.raises(DatabaseUnavailable, match="another process"):
            store.upsert_bars(bars, Source.SIMULATED)  # the store retries its writes with with_lock_retry
        with pytest.raises(DatabaseUnavailable, match="busy"):  # and a caller's own retry wrapper says the same
            with_lock_retry(
                lambda: store.upsert_profiles(pd.DataFrame({"symbol": ["A"], "name": ["A"]}), "csv"),
                retries=1,
                delay=0.01,
            )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.close()
        engine.dispose()
