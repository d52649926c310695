"""Benchmark of the nightly batch (issue 11): wall time, CPU, SQL statements and peak memory per phase.

Builds a throwaway installation (a temporary data folder; SQLite, or a throwaway database on the
PostgreSQL server of `--database-url`) with `--years` of the simulated market (seed 1, to 2026-11-20,
loaded by the market_data phase) and a generated book of `--portfolios` x `--positions` (universe
stocks and ETFs, a tenth short, a twentieth closed, two options per book; seeded, inserted in bulk),
or the demo book (`--demo`). It runs the batch one phase at a time through the orchestrator:
market_data (the initial load, not counted), then profiles, snapshots (the cold backfill of every
book's whole history: the worst night), risk and insights, on the local executor (a fork pool of
SIGMA_BATCH_WORKERS, default the CPU count) or `--executor dask` (an in-process LocalCluster of two
single-threaded worker processes).

Per phase: wall seconds; CPU seconds of the driver and of the driver plus its workers (sampled
per process every 50 ms: steadier than wall on a shared machine); the SQL statements
(`before_cursor_execute` on `services.engine`; the price store's raw columnar reads are not
seen); the peak of the summed resident memory of this process and its children (forked workers
share pages, so it is an upper bound). The goal line sums the counted phases' wall time:
"1,000 portfolios: X s (goal <= 60 s)" on this 2-core machine with the local executor.
`--profile PHASE` (repeatable) prints the 25 costliest calls of that phase's driver (cProfile).

History, 1,000 x 50 on SQLite, local executor, 2 cores shared with other work (wall s / CPU s of
driver and workers): with every book opened, valued twice and scored in the driver and each stress
scenario repriced alone, snapshots 27 / 28, risk 220 / 311, insights 124 / 134: 371 s. With books
opened (valued once) in the chunk tasks, the catalogue applied in one vectorised call, one BLAS
thread per task, stored views decoded when read and plain-tuple bulk reads: snapshots 25 / 25,
risk 81 / 141, insights 52 / 77: 159 s. The snapshot backfill on the executor (issue 11 follow-up)
took 23 s to 14 s on the same book.

Run: .venv/bin/python -m bench.batch [--portfolios 1000] [--positions 50] [--executor local|dask]
     [--demo] [--years 3] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432] [--profile risk]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
from sqlalchemy import create_engine, event, insert, text

import sigma.batch.nightly  # noqa: F401  (registers the standard phases)
from sigma.batch.demo import seed_demo
from sigma.batch.executors import DaskExecutor, Executor, LocalExecutor
from sigma.batch.orchestrator import BatchRequest, run_batch
from sigma.config import from_env
from sigma.db.models import Portfolio, Position, User
from sigma.market.universe import universe_profiles
from sigma.wiring import Services, build

MARKET_END = "2026-11-20"
COUNTED = ("profiles", "snapshots", "risk", "insights")  # the phases of a night (market_data: the initial load)
GOAL_SECONDS, GOAL_PORTFOLIOS = 60.0, 1000
OPTIONS_PER_BOOK, BOOKS_PER_USER = 2, 10


@dataclass(frozen=True)
class Measured:
    """One phase: wall and driver CPU seconds, SQL statements, peak MB (self + children), its record."""

    name: str
    wall: float
    cpu: float
    all_cpu: float  # the driver's and every worker's
    statements: int
    peak_mb: float
    status: str
    message: str

    def line(self) -> str:
        """One printable row."""
        return (
            f"  {self.name:<12} {self.wall:7.2f} s (CPU: driver {self.cpu:6.2f} s, all {self.all_cpu:6.2f} s) | "
            f"{self.statements:4d} SQL | "
            f"peak {self.peak_mb:7.0f} MB | {self.status}: {self.message[:110]}"
        )


@dataclass
class _Tree:
    """Samples of this process and its descendants: the peak of their summed resident memory, and each
    one's CPU seconds when last seen (so a worker that ends before the phase does still counts)."""

    me: psutil.Process = field(default_factory=psutil.Process)
    peak_mb: float = 0.0
    cpu: dict[int, float] = field(default_factory=dict)

    def sample(self) -> None:
        rss = 0
        for proc in [self.me, *self.me.children(recursive=True)]:
            try:
                with proc.oneshot():
                    rss += proc.memory_info().rss
                    times = proc.cpu_times()
            except psutil.Error:
                continue
            self.cpu[proc.pid] = times.user + times.system
        self.peak_mb = max(self.peak_mb, rss / 1e6)

    def total_cpu(self) -> float:
        return sum(self.cpu.values())


@contextmanager
def _sampled() -> Iterator[tuple[_Tree, list[float]]]:
    """Samples the process tree every 50 ms while the block runs; yields it and [its CPU seconds in the block]."""
    tree, stop, cpu = _Tree(), threading.Event(), [0.0]
    tree.sample()
    before = dict(tree.cpu)

    def sample() -> None:
        while not stop.wait(0.05):
            tree.sample()

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield tree, cpu
    finally:
        stop.set()
        sampler.join()
        tree.sample()
        cpu[0] = tree.total_cpu() - sum(before.get(pid, 0.0) for pid in tree.cpu)


@contextmanager
def _statements(services: Services) -> Iterator[list[int]]:
    """Counts the SQL statements sent through the services' engine while the block runs."""
    seen = [0]

    def count(*_args: object) -> None:
        seen[0] += 1

    event.listen(services.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(services.engine, "before_cursor_execute", count)


def run_phase(services: Services, name: str, executor: Executor, profile: bool = False) -> Measured:
    """One phase through the orchestrator, measured; with `profile`, the driver's 25 costliest calls printed."""
    profiler = cProfile.Profile() if profile else None
    with _statements(services) as seen, _sampled() as (tree, all_cpu):
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler is not None:
            profiler.enable()
        run_batch(services, BatchRequest(phases=(name,)), executor=executor)
        if profiler is not None:
            profiler.disable()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    record = services.runs.recent()[0].phases[-1]
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return Measured(name, wall, cpu, all_cpu[0], seen[0], tree.peak_mb, str(record.status), record.message)


def generate_book(close: pd.DataFrame, portfolios: int, positions: int, seed: int = 11) -> list[list[dict[str, Any]]]:
    """`portfolios` lists of `positions` position rows (seeded): stocks and ETFs of the universe (a tenth
    short, a twentieth closed before the end) and OPTIONS_PER_BOOK options on equities, struck within
    15 % of the spot at entry, expiring 30 to 400 days after it (some have expired)."""
    rng = np.random.default_rng(seed)
    profiles = universe_profiles()
    listed = [s for s in profiles[profiles["asset_class"] != "index"]["symbol"] if s in close.columns]
    equities = [s for s in profiles[profiles["asset_class"] == "equity"]["symbol"] if s in close.columns]
    days, values = close.index, close.to_numpy()
    n = portfolios * positions
    is_option = (np.arange(n) % positions) >= positions - min(OPTIONS_PER_BOOK, positions - 1)
    symbols = np.where(is_option, rng.choice(equities, n), rng.choice(listed, n))
    entry = rng.integers(90, len(days) - 5, n)
    col = close.columns.get_indexer(pd.Index(symbols))
    spot = values[entry, col]
    rows = [
        _row(rng, str(symbols[i]), bool(is_option[i]), int(entry[i]), float(spot[i]), i, close)
        for i in range(n)  # building the fixture book, once
    ]
    return [rows[k * positions : (k + 1) * positions] for k in range(portfolios)]


def _row(
    rng: np.random.Generator, symbol: str, option: bool, entry: int, spot: float, i: int, close: pd.DataFrame
) -> dict[str, Any]:
    """One position row entered on day `entry` of `close` at `spot` (a later day when not yet listed)."""
    if not np.isfinite(spot):  # not listed yet on that day: enter on its first priced day
        series = close[symbol]
        entry = int(np.flatnonzero(series.notna().to_numpy())[0])
        spot = float(series.iloc[entry])
    day = close.index[entry].date()
    row: dict[str, Any] = {"symbol": symbol, "entry_date": day, "entry_price": round(spot, 2), "multiplier": 1.0}
    row |= {"quantity": float(rng.integers(1, 500)), "notes": "", "position_type": "SHORT" if i % 10 == 3 else "LONG"}
    if option:
        strike = round(spot * rng.uniform(0.85, 1.15))
        expiry = day + timedelta(days=int(rng.integers(30, 400)))
        kind = str(rng.choice(["LC", "LP", "SC", "SP"]))
        row |= {"symbol": f"{symbol} {expiry:%y%m%d}{kind[1]}{strike:g}", "position_type": kind, "underlying": symbol}
        row |= {"strike": float(strike), "expiry": expiry, "entry_price": round(spot * 0.05, 2), "multiplier": 100.0}
        row["quantity"] = float(rng.integers(1, 20))
    elif i % 20 == 7 and entry < len(close) - 15:
        exit_at = int(rng.integers(entry + 5, len(close) - 5))
        row |= {"exit_date": close.index[exit_at].date(), "exit_price": round(float(close[symbol].iloc[exit_at]), 2)}
    return row


def seed_book(services: Services, books: list[list[dict[str, Any]]]) -> None:
    """The generated book inserted in bulk: BOOKS_PER_USER portfolios per user, one executemany per table."""
    with services.sessions() as s:
        users = [
            {"username": f"bench{u}", "name": f"Bench {u}", "email": "", "password_hash": "-"}
            for u in range(-(-len(books) // BOOKS_PER_USER))
        ]
        user_ids = list(s.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), users))
        owners = [user_ids[k // BOOKS_PER_USER] for k in range(len(books))]
        rows = [{"owner_id": o, "name": f"Book {k}", "cash": 100_000.0} for k, o in enumerate(owners)]
        pids = list(s.scalars(insert(Portfolio).returning(Portfolio.id, sort_by_parameter_order=True), rows))
        s.execute(
            insert(Position), [{"portfolio_id": pid, **p} for pid, book in zip(pids, books, strict=True) for p in book]
        )
        s.commit()


@contextmanager
def _database(url: str | None) -> Iterator[str | None]:
    """None (SQLite in the data folder), or a throwaway database on the server of `url`, dropped at the end."""
    if url is None:
        yield None
        return
    server, name = url.rsplit("/", 1)[0] if url.count("/") > 2 else url, f"sigma_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{server}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _executor(kind: str, workers: int) -> AbstractContextManager[Executor]:
    """The executor asked for: the local fork pool, or a client of an in-process two-worker LocalCluster."""
    if kind == "local":
        return _closing(LocalExecutor(workers))
    return _dask()


@contextmanager
def _closing(executor: Executor) -> Iterator[Executor]:
    try:
        yield executor
    finally:
        executor.close()


@contextmanager
def _dask() -> Iterator[Executor]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]
    ):
        client.wait_for_workers(2, timeout=120)
        yield DaskExecutor(client)


def _services(data_dir: Path, years: int, url: str | None) -> Services:
    env = {
        "SIGMA_ENV": "test",
        "SIGMA_DATA_DIR": str(data_dir),
        "SIGMA_MARKET_END": MARKET_END,
        "SIGMA_MARKET_YEARS": str(years),
        "SIGMA_BCRYPT_ROUNDS": "4",
        "SIGMA_COOKIE_KEY": "bench-cookie-key-" + "k" * 32,
    }
    if url is not None:
        env["SIGMA_DATABASE_URL"] = url
    return build(from_env(env))


def run(args: argparse.Namespace, data_dir: Path, url: str | None) -> list[Measured]:
    """Load the market, seed the book, then run and print every phase."""
    services = _services(data_dir, args.years, url)
    try:
        with _executor(args.executor, services.settings.batch_workers) as executor:
            measured = [run_phase(services, "market_data", executor)]
            print(measured[0].line(), "(initial load, not counted)", flush=True)
            started = time.perf_counter()
            if args.demo:
                seed_demo(services)
                label = "demo book"
            else:
                close = services.market.close_frame(sorted(services.market.priced_symbols()))
                seed_book(services, generate_book(close, args.portfolios, args.positions))
                label = f"{args.portfolios:,} portfolios x {args.positions} positions"
            services.risk.seed_reference()
            print(f"  seeded {label} in {time.perf_counter() - started:.1f} s", flush=True)
            for name in COUNTED:
                measured.append(run_phase(services, name, executor, profile=name in args.profile))
                print(measured[-1].line(), flush=True)
    finally:
        services.close()
    return measured


def main() -> None:
    """Parse the options, run the batch on a fresh installation and print the figures and the goal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portfolios", type=int, default=GOAL_PORTFOLIOS)
    parser.add_argument("--positions", type=int, default=50)
    parser.add_argument("--executor", choices=("local", "dask"), default="local")
    parser.add_argument("--demo", action="store_true", help="the demo book instead of a generated one")
    parser.add_argument("--years", type=int, default=3, help="years of simulated market (SIGMA_MARKET_YEARS)")
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server URL (a throwaway database on it)")
    parser.add_argument("--profile", choices=COUNTED, action="append", default=[], help="cProfile a phase's driver")
    args = parser.parse_args()
    what = "the demo book" if args.demo else f"{args.portfolios:,} portfolios x {args.positions} positions"
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"batch of {what}, {args.years} years of simulated market, {backend}, {args.executor} executor")
    with tempfile.TemporaryDirectory() as tmp, _database(args.database_url) as url:
        measured = run(args, Path(tmp), url)
    total = sum(m.wall for m in measured if m.name in COUNTED)
    cpu = sum(m.all_cpu for m in measured if m.name in COUNTED)
    print(f"  counted phases ({', '.join(COUNTED)}): {total:.1f} s, CPU of the driver and workers {cpu:.1f} s")
    if not args.demo:
        verdict = "met" if total <= GOAL_SECONDS else "NOT met"
        if args.portfolios != GOAL_PORTFOLIOS or args.executor != "local":
            verdict = f"the goal is judged on {GOAL_PORTFOLIOS:,} portfolios with the local executor"
        print(f"{args.portfolios:,} portfolios: {total:.1f} s (goal <= {GOAL_SECONDS:.0f} s: {verdict})")


if __name__ == "__main__":
    main()
