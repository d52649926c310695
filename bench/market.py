"""Benchmark: simulated market generation, and store -> wide returns loads vs the naive pandas path.

Run from the repo root: `.venv/bin/python -m bench.market`. Prints best-of-N wall times and the
ratios against the obvious `pandas.read_sql` + SQLAlchemy + `pivot` path in the same process,
on SQLite and (when reachable) PostgreSQL; the store reads through ADBC (Arrow out). Also times
the two upserts of `sigma.db.upsert` on the same rows: the store writes through `upsert_frame`.
Goals: cold >= 3x, cached repeat >= 50x, one symbol's history <= 10 ms. SIGMA_BENCH_PG_URL is
read here, in a bench script, not in sigma.
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine, Table, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sigma.conventions import Source
from sigma.db import make_engine, session_factory, session_scope, upgrade_to_head, upsert
from sigma.db.models import Price
from sigma.db.upsert import upsert_frame
from sigma.market.store.bars import clean_bars, price_frame
from sigma.market.store.prices import PriceStore

END = date(2026, 11, 20)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KEY = ("symbol", "date")


def best(fn: Callable[[], Any], n: int = 5) -> float:
    """Best wall time of `n` runs, in seconds."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def market_bars() -> tuple[pd.DataFrame, float]:
    """The simulated market's bars (or a synthetic frame of the same size) and the time to make them."""
    try:
        from sigma.market import simulated_market

        seconds = best(lambda: simulated_market(end=END, years=10, seed=1), 3)
        return simulated_market(end=END, years=10, seed=1).bars(), seconds
    except ImportError:
        t0 = time.perf_counter()
        bars = synthetic_bars(150, 2600, seed=1)
        return bars, time.perf_counter() - t0


def synthetic_bars(n_symbols: int, n_days: int, seed: int) -> pd.DataFrame:
    """A long bars frame: seeded random walks, every business day."""
    days = pd.bdate_range(end=END, periods=n_days).date
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (n_days, n_symbols)), axis=0))
    symbols = np.array([f"SYN{i:03d}" for i in range(n_symbols)])
    long = pd.DataFrame(
        {"symbol": np.repeat(symbols, n_days), "date": np.tile(days, n_symbols), "close": close.T.ravel()}
    )
    long["adj_close"] = long["close"]
    long["open"] = long["high"] = long["low"] = long["close"]
    long["volume"] = 1_000_000
    return long


def bulk_insert(engine: Engine, bars: pd.DataFrame) -> None:
    """Bench setup only: load many rows fast (executemany / COPY), bypassing the idempotent upsert."""
    cols = ["symbol", "date", "open", "high", "low", "close", "adj_close", "volume"]
    data = bars[cols].assign(source="simulated")
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        if engine.dialect.name == "sqlite":
            rows = list(data.assign(date=data["date"].astype(str)).itertuples(index=False, name=None))
            raw.executemany(f"INSERT INTO prices ({', '.join(cols)}, source) VALUES ({', '.join('?' * 9)})", rows)
        else:
            buffer = io.StringIO()
            data.to_csv(buffer, index=False, header=False)
            with (
                raw.cursor() as cur,
                cur.copy(f"COPY prices ({', '.join(cols)}, source) FROM STDIN (FORMAT CSV)") as cp,
            ):
                cp.write(buffer.getvalue())


def naive_returns(engine: Engine, symbols: list[str]) -> pd.DataFrame:
    """The obvious path: read_sql of the long table, pivot, pct_change."""
    placeholders = ", ".join(f":s{i}" for i in range(len(symbols)))
    sql = text(f"SELECT symbol, date, adj_close FROM prices WHERE symbol IN ({placeholders})")
    with engine.connect() as conn:
        long = pd.read_sql(sql, conn, params={f"s{i}": s for i, s in enumerate(symbols)})
    wide = long.pivot(index="date", columns="symbol", values="adj_close")
    return wide.pct_change().iloc[1:]


def compare(label: str, engine: Engine, store: PriceStore, symbols: list[str]) -> None:
    """Print naive vs cold vs cached load times and their ratios."""

    def cold() -> pd.DataFrame:
        store._cache.clear()  # bench only: force the database path
        return store.returns_frame(symbols)

    fast, slow = cold(), naive_returns(engine, symbols)
    assert np.allclose(fast.to_numpy(), slow[symbols].to_numpy(), rtol=0, atol=1e-12, equal_nan=True)
    t_naive = best(lambda: naive_returns(engine, symbols), 3)
    t_cold = best(cold, 3)
    store.returns_frame(symbols)
    t_cached = best(lambda: store.returns_frame(symbols), 20)
    t_hist = best(lambda: store.history(symbols[0]), 20)
    print(f"  {label}: {len(symbols)} symbols x {len(fast) + 1} days")
    print(f"    naive read_sql+pivot  {t_naive * 1e3:8.1f} ms")
    print(f"    store cold            {t_cold * 1e3:8.1f} ms   {t_naive / t_cold:6.1f}x  (goal >= 3x)")
    print(f"    store cached          {t_cached * 1e3:8.2f} ms   {t_naive / t_cached:6.0f}x  (goal >= 50x)")
    print(f"    one symbol's history  {t_hist * 1e3:8.2f} ms            (goal <= 10 ms)")


def upsert_paths(name: str, url: str, bars: pd.DataFrame) -> None:
    """Time the two upserts of `sigma.db.upsert` on the same new price rows, each into a fresh database."""
    frame = price_frame(clean_bars(bars.assign(source=str(Source.SIMULATED))))
    rows = [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]
    table = cast(Table, Price.__table__)
    update = [c for c in frame.columns if c not in ("symbol", "date")]
    paths: dict[str, Callable[[Session], object]] = {
        "upsert_frame (DBAPI executemany; the store's path)": lambda s: upsert_frame(s, "prices", frame, KEY),
        "upsert (SQLAlchemy executemany of dicts)": lambda s: upsert(s, table, rows, KEY, update=update),
    }
    seconds = {}
    for label, write in paths.items():
        with fresh_database(name, url) as engine:
            t0 = time.perf_counter()
            with session_scope(session_factory(engine)) as session:
                write(session)
            seconds[label] = time.perf_counter() - t0
    fast, slow = seconds.values()
    print(f"  upsert of {len(frame)} new price rows:")
    for label, value in seconds.items():
        print(f"    {label:52s} {value:6.2f} s")
    print(f"    the store's path is {slow / fast:.1f}x the dict path")


def run_backend(name: str, url: str, market: pd.DataFrame) -> None:
    """Load the market into a fresh database and compare, then a 500-symbol synthetic store."""
    print(f"\n{name}")
    upsert_paths(name, url, synthetic_bars(40, 2600, seed=3))
    for label, bars, via_store in (
        ("simulated market", market, True),
        ("500 synthetic symbols", synthetic_bars(500, 2600, seed=2), False),
    ):
        with fresh_database(name, url) as engine:
            store = PriceStore(session_factory(engine))
            t0 = time.perf_counter()
            if via_store:
                rows = store.upsert_bars(bars, Source.SIMULATED)
                print(
                    f"  initial upsert_bars of {rows} rows: {time.perf_counter() - t0:.1f} s; "
                    f"re-upsert of the same bars: {store.upsert_bars(bars, Source.SIMULATED)} rows written"
                )
            else:
                bulk_insert(engine, bars)
            compare(label, engine, store, list(dict.fromkeys(bars["symbol"])))
            store.close()


@contextmanager
def fresh_database(name: str, url: str) -> Iterator[Engine]:
    """A migrated throwaway database: a temp SQLite file, or a PostgreSQL database dropped at the end."""
    if name == "SQLite":
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            upgrade_to_head(engine)
            yield engine
            engine.dispose()
        return
    db_name = f"sigma_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    engine = make_engine(make_url(url).set(database=db_name).render_as_string(hide_password=False))
    try:
        upgrade_to_head(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        admin.dispose()


def postgres_url() -> str | None:
    """The PostgreSQL server to bench on, or None when unreachable."""
    url = os.environ.get("SIGMA_BENCH_PG_URL", PG_DEFAULT)
    try:
        make_engine(make_url(url).set(database="postgres").render_as_string(hide_password=False)).dispose()
    except Exception:  # any failure to connect means: skip PostgreSQL
        return None
    return url


def main() -> None:
    """Run every benchmark and print the figures."""
    market, seconds = market_bars()
    print(f"simulated market (10 years, {market['symbol'].nunique()} symbols, {len(market)} rows): {seconds:.2f} s")
    run_backend("SQLite", "", market)
    url = postgres_url()
    if url is None:
        print("\nPostgreSQL: skipped (no server at SIGMA_BENCH_PG_URL or the default URL)")
    else:
        run_backend("PostgreSQL", url, market)


if __name__ == "__main__":
    main()
