"""Benchmark of `PortfolioService.view()` on a 2,000-position book, on SQLite and on PostgreSQL.

Seeds a store with two years of the simulated market (seed 1, ending 2026-11-20), builds a book of
stocks, ETFs and options across the universe (some closed), then times `view()` cold (no snapshot
stored yet: the view computes them in memory and writes nothing), the jobs' backfill, and `view()`
warm (snapshots stored), and counts the SQL statements each issues (SQLAlchemy
`before_cursor_execute`; the price store's raw columnar reads do not pass through it). Sigma
alone (no peer): each figure is wall seconds with the process CPU seconds beside it
(`bench.harness.clock`; CPU well below wall means the machine was busy with other work).
PostgreSQL runs in a throwaway database on postgresql+psycopg://postgres@127.0.0.1:5432, dropped
at the end; it is skipped with a message when the server is not reachable.

Run: .venv/bin/python -m bench.portfolio [--positions 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, event, insert, text

from bench.harness import clock
from sigma.auth.model import AuthUser
from sigma.config import Settings
from sigma.conventions import Source
from sigma.db import make_engine, session_factory, upgrade_to_head
from sigma.db.models import Portfolio, Position, Price, User
from sigma.errors import DatabaseUnavailable
from sigma.market import simulated_market
from sigma.market.service import MarketService
from sigma.market.store.prices import PriceStore
from sigma.market.universe import universe_profiles
from sigma.portfolio.service import PortfolioService

END = date(2026, 11, 20)
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def _book(close: pd.DataFrame, profiles: pd.DataFrame, n: int, seed: int = 7) -> list[dict[str, Any]]:
    """n positions: ~80 % stocks/ETFs (a tenth short, a tenth closed), ~20 % options on equities."""
    rng = np.random.default_rng(seed)
    tradable = profiles[~profiles["asset_class"].isin(["index"])]["symbol"]
    tradable = [s for s in tradable if s in close.columns]
    equities = [s for s in profiles[profiles["asset_class"] == "equity"]["symbol"] if s in close.columns]
    days = close.index[90:-5]
    rows = []
    for i in range(n):  # building the fixture book, once
        entry = days[rng.integers(len(days))]
        is_option = i % 5 == 4
        symbol = str(rng.choice(equities if is_option else tradable))
        spot = float(close.at[entry, symbol])
        row: dict[str, Any] = {
            "symbol": symbol,
            "quantity": float(rng.integers(1, 500)),
            "entry_date": entry.date(),
            "entry_price": round(spot, 2),
            "multiplier": 1.0,
            "notes": "",
        }
        if is_option:
            row |= _option_fields(rng, symbol, spot, entry.date())
        else:
            row["position_type"] = "SHORT" if i % 10 == 3 else "LONG"
            later = close.index[close.index > entry]
            if i % 10 == 7 and len(later) > 10:
                exit_day = later[rng.integers(5, len(later))]
                row |= {"exit_date": exit_day.date(), "exit_price": round(float(close.at[exit_day, symbol]), 2)}
        rows.append(row)
    return rows


def _option_fields(rng: np.random.Generator, symbol: str, spot: float, entry: date) -> dict[str, Any]:
    """An option on `symbol` struck within 15 % of the spot, expiring 30 to 400 days after entry."""
    strike = round(spot * rng.uniform(0.85, 1.15))
    expiry = entry + timedelta(days=int(rng.integers(30, 400)))
    kind = str(rng.choice(["LC", "LP", "SC", "SP"]))
    return {
        "symbol": f"{symbol} {expiry:%y%m%d}{kind[1]}{strike:g}",
        "position_type": kind,
        "underlying": symbol,
        "strike": float(strike),
        "expiry": expiry,
        "entry_price": round(spot * 0.05, 2),
        "multiplier": 100.0,
        "quantity": float(rng.integers(1, 20)),
    }


def _seed(engine: Engine, bars: pd.DataFrame, positions: list[dict[str, Any]]) -> tuple[AuthUser, int]:
    sessions = session_factory(engine)
    frame = bars.assign(source=str(Source.SIMULATED))
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    with sessions() as s:
        s.execute(insert(Price), records)
        user = User(username="bench", name="Bench", email="", password_hash="-")
        s.add(user)
        s.flush()
        book = Portfolio(owner_id=user.id, name="Bench 2000", cash=1_000_000.0)
        s.add(book)
        s.flush()
        s.execute(insert(Position), [{"portfolio_id": book.id, **p} for p in positions])
        s.commit()
        return AuthUser(user.id, "bench", "Bench", "", "analyst"), book.id


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_a: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _timed(engine: Engine, call: Callable[[], object]) -> tuple[str, int, object]:
    """'wall s (cpu s)', the number of SQL statements, and the result."""
    with _counting(engine) as seen:
        wall, cpu, result = clock(call)
    return f"{wall:5.2f}s ({cpu:.2f}s cpu)", len(seen), result


def seeded_service(
    url: str, market: Any, positions: list[dict[str, Any]]
) -> tuple[Engine, PriceStore, PortfolioService, AuthUser, int]:
    """A migrated database with the market, the profiles and the book, and a service over it."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    user, pid = _seed(engine, market.bars(), positions)
    sessions = session_factory(engine)
    store = PriceStore(sessions)
    profiles = universe_profiles()
    store.upsert_profiles(profiles[profiles["symbol"].isin(market.symbols)], "reference")
    settings = replace(Settings(), market_end=END, database_url=url)
    return engine, store, PortfolioService(sessions, MarketService(store, _NoProvider(), settings), settings), user, pid


def run(url: str, label: str, market: Any, positions: list[dict[str, Any]]) -> None:
    """Seed one database, then time view() cold, the backfill, and view() warm, and print the figures."""
    t0 = time.perf_counter()
    engine, store, svc, user, pid = seeded_service(url, market, positions)
    seeded = time.perf_counter() - t0
    cold, cold_sql, view = _timed(engine, lambda: svc.view(user, pid))
    backfill, _, _ = _timed(engine, lambda: svc.backfill_any(pid))
    warm, warm_sql, _ = _timed(engine, lambda: svc.view(user, pid))
    warm2, _, _ = _timed(engine, lambda: svc.view(user, pid, tag=None))
    notes = "; ".join(getattr(view, "notes", []))
    print(
        f"{label:<10} seed {seeded:6.1f}s | view cold {cold} ({cold_sql} SQL) | backfill {backfill} | "
        f"warm {warm} / {warm2} ({warm_sql} SQL) | {notes}"
    )
    store.close()
    engine.dispose()


class _NoProvider:
    """The bench reads the store only; a refresh would be a bug."""

    source = Source.SIMULATED

    def fetch_bars(self, *_a: object) -> Any:
        raise AssertionError("the benchmark must not fetch")

    def profiles(self, *_a: object) -> Any:
        raise AssertionError("the benchmark must not fetch")


@contextmanager
def _postgres() -> Iterator[str]:
    name = f"sigma_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    """Build the book and print the figures for SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=2000)
    args = parser.parse_args()
    market = simulated_market(end=END, years=2, seed=1)
    positions = _book(market.close, universe_profiles(), args.positions)
    n_options = sum(p["position_type"] not in ("LONG", "SHORT") for p in positions)
    print(
        f"book: {len(positions)} positions ({n_options} options) over {len(market.symbols)} symbols, "
        f"{len(market.close)} price days"
    )
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite", market, positions)
    try:
        with _postgres() as url:
            run(url, "PostgreSQL", market, positions)
    except (DatabaseUnavailable, Exception) as exc:  # a missing server skips, with the reason
        print(f"PostgreSQL skipped: {type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
