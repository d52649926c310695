"""Benchmark: simulated market generation, and store -> wide returns loads vs the naive pandas path.

Run from the repo root: `.venv/bin/python -m bench.market [--rounds 5]`. Through `bench.harness`:
the public `PriceStore.returns_frame` against the obvious `pandas.read_sql` + SQLAlchemy + `pivot`
+ `pct_change` path, results checked equal (1e-12) first, then both alternated for the same
rounds; median speed-up with its min-max, CPU beside wall. On SQLite and (when reachable)
PostgreSQL, each in a scratch database dropped at the end; the store reads through ADBC (Arrow
out). "Cold" is the first read after prices changed in a running process: the store's frame cache
is emptied before each call (bench only), its pooled connection stays open, as in the app.
Data: the simulated market, and 500 synthetic symbols x 10 years, 20 % listed late (no rows
before listing). Also times the two upserts of `sigma.db.upsert` on the same rows (the store
writes through `upsert_frame`). Goals: cold >= 3x, cached repeat >= 50x, one symbol's history
<= 10 ms. SIGMA_BENCH_PG_URL is read here, in a bench script, not in sigma.
"""

from __future__ import annotations

import argparse
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

from bench.harness import HEADER, clock, compare
from sigma.conventions import Source
from sigma.db import make_engine, session_factory, session_scope, upgrade_to_head, upsert
from sigma.db.models import Price
from sigma.db.upsert import upsert_frame
from sigma.market.store.bars import clean_bars, price_frame
from sigma.market.store.prices import PriceStore

END = date(2026, 11, 20)
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
KEY = ("symbol", "date")


def median_wall(fn: Callable[[], Any], n: int = 5) -> float:
    """Median wall time of `n` runs, in seconds (sigma alone: no peer to alternate with)."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def market_bars() -> tuple[pd.DataFrame, float]:
    """The simulated market's bars (or a synthetic frame of the same size) and the time to make them."""
    try:
        from sigma.market import simulated_market

        seconds = median_wall(lambda: simulated_market(end=END, years=10, seed=1), 3)
        return simulated_market(end=END, years=10, seed=1).bars(), seconds
    except ImportError:
        t0 = time.perf_counter()
        bars = synthetic_bars(150, 2600, seed=1)
        return bars, time.perf_counter() - t0


def synthetic_bars(n_symbols: int, n_days: int, seed: int, late: bool = False) -> pd.DataFrame:
    """A long bars frame: seeded random walks, every business day; optionally 20 % listed late."""
    days = pd.bdate_range(end=END, periods=n_days).date
    rng = np.random.default_rng(seed)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, (n_days, n_symbols)), axis=0))
    if late:  # no rows before the listing day
        cols = rng.choice(n_symbols, n_symbols // 5, replace=False)
        listed = close[:, cols]
        listed[np.arange(n_days)[:, None] < rng.integers(50, n_days * 5 // 7, cols.size)] = np.nan
        close[:, cols] = listed
    symbols = np.array([f"SYN{i:03d}" for i in range(n_symbols)])
    long = pd.DataFrame(
        {"symbol": np.repeat(symbols, n_days), "date": np.tile(days, n_symbols), "close": close.T.ravel()}
    ).dropna(subset=["close"])
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


def load_rows(label: str, engine: Engine, store: PriceStore, symbols: list[str], rounds: int) -> None:
    """Cold and cached store loads against read_sql + pivot (checked equal first), and one history."""

    def cold() -> pd.DataFrame:
        store._cache.clear()  # bench only: the first read after a price change
        return store.returns_frame(symbols)

    def naive() -> pd.DataFrame:
        return naive_returns(engine, symbols)[symbols]

    shape = f"{len(symbols)} symbols x {len(cold()) + 1} days"
    compare(
        f"{label} cold ({shape})",
        "read_sql + pivot",
        cold,
        naive,
        goal=3.0,
        goal_text=">= 3x",
        rounds=rounds,
        rtol=1e-12,
        atol=1e-12,
    )
    store.returns_frame(symbols)
    compare(
        f"{label} cached",
        "read_sql + pivot",
        lambda: store.returns_frame(symbols),
        naive,
        goal=50.0,
        goal_text=">= 50x",
        rounds=rounds,
        rtol=1e-12,
        atol=1e-12,
    )
    wall, cpu = np.median([clock(lambda: store.history(symbols[0]))[:2] for _ in range(20)], axis=0) * 1e3
    print(f"  {label}: one symbol's history median {wall:.2f} ms ({cpu:.2f} ms cpu) (goal <= 10 ms)")


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


def run_backend(name: str, url: str, market: pd.DataFrame, rounds: int) -> None:
    """Load the market into a fresh database and compare, then a 500-symbol synthetic store."""
    print(f"\n{name}")
    upsert_paths(name, url, synthetic_bars(40, 2600, seed=3))
    for label, bars, via_store in (
        ("simulated market", market, True),
        ("500 synthetic symbols, 20 % late", synthetic_bars(500, 2520, seed=2, late=True), False),
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
            load_rows(f"{name} {label}", engine, store, list(dict.fromkeys(bars["symbol"])), rounds)
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


def main(argv: list[str] | None = None) -> None:
    """Run every benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args(argv).rounds
    market, seconds = market_bars()
    print(f"simulated market (10 years, {market['symbol'].nunique()} symbols, {len(market)} rows): {seconds:.2f} s")
    print(HEADER)
    run_backend("SQLite", "", market, rounds)
    url = postgres_url()
    if url is None:
        print("\nPostgreSQL: skipped (no server at SIGMA_BENCH_PG_URL or the default URL)")
    else:
        run_backend("PostgreSQL", url, market, rounds)


if __name__ == "__main__":
    main()
