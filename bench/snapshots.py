"""Benchmark of the snapshot backfill on the issue's 20,000-row book: time and peak memory.

Seeds a SQLite store (or PostgreSQL with --postgres) with two years of the simulated market
(seed 1, ending 2026-11-20) and a book built like `bench.portfolio` (stocks, ETFs, a fifth
options, some closed), then measures the first `view()` (nothing stored: the days are computed in
memory), the jobs' backfill (writes every day), and `view()` again, and prints the
process's peak RSS at the end. Peak memory is the growth of resident memory over each call
(sampled; it counts SQLite's page cache), or with --tracemalloc the tracemalloc peak (numpy
registers its buffers), which more than doubles the time of a call that builds millions of rows.
Goals (issue 9): backfill <= 30 s and <= 500 MB for 20,000 rows.
History of this figure, 20,000 positions (4,154,678 position rows when they were stored), on a
shared 2-core machine: with the ON CONFLICT upsert of every position and day, backfill 204 s (102 s
CPU) traced on SQLite, 264 s on PostgreSQL; with delete + plain INSERT / COPY, SQLite 64 s (49 s CPU)
/ 276 MB, PostgreSQL 124 s. Now position history is derived from prices (migration 0005: only the
433 daily portfolio rows are written): SQLite backfill 9.5 s (2.5 s CPU) / 37 MB RSS growth at load
average 8.7, first view 26 s (4.4 s CPU), warm view 8.7 s (2.2 s CPU).

Run: .venv/bin/python -m bench.snapshots [--positions 20000] [--postgres] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.portfolio import END, _book, _postgres, seeded_service
from sigma.market import simulated_market
from sigma.market.universe import universe_profiles

GOAL_SECONDS, GOAL_MB = 30.0, 500.0
OLD = {2000: (56.7, 249.0), 20000: (64.0, 276.0)}  # earlier paths measured here (backfill s, MB)


def _rss_mb() -> float:
    """This process's resident memory in MB (Linux /proc; 0 elsewhere)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def _measured(call: Callable[[], object], trace: bool) -> tuple[float, float, float, object]:
    """(seconds, CPU seconds, peak MB, result) of one call.

    Peak MB: by default the growth of the process's resident memory over the call, sampled every
    20 ms (it includes SQLite's page cache; memory freed earlier and reused is not seen);
    with `trace` the tracemalloc peak, which more than doubles the time of a call that builds
    millions of Python objects (the rows sent to the driver), so the time is then not the server's.
    CPU seconds are this process's (PostgreSQL's server is not counted): on a shared machine the fairer figure.
    """
    base, peak, stop = _rss_mb(), [0.0], threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            peak[0] = max(peak[0], _rss_mb() - base)

    sampler = threading.Thread(target=sample, daemon=True)
    if trace:
        tracemalloc.start()
    else:
        sampler.start()
    start, cpu = time.perf_counter(), time.process_time()
    result = call()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if trace:
        peak[0] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    else:
        stop.set()
        sampler.join()
    return elapsed, cpu, peak[0], result


def run(url: str, label: str, market: Any, positions: list[dict[str, Any]], trace: bool) -> None:
    """Seed one database, then measure view cold, the backfill and view warm."""
    engine, store, svc, user, pid = seeded_service(url, market, positions)
    cold = _measured(lambda: svc.view(user, pid), trace)
    backfill = _measured(lambda: svc.backfill_any(pid), trace)
    warm = _measured(lambda: svc.view(user, pid), trace)
    written, kind = backfill[3], "(tracemalloc)" if trace else "(RSS growth)"
    print(f"{label}: {getattr(written, 'days_written', 0)} days written")
    for name, (seconds, cpu, mb, _) in (("view cold", cold), ("backfill", backfill), ("view warm", warm)):
        print(f"  {name:<10} {seconds:7.2f} s  (CPU {cpu:7.2f} s)  peak {mb:7.1f} MB {kind}")
    old = OLD.get(len(positions))
    if old:
        print(
            f"  vs the old path: backfill {old[0] / backfill[0]:.1f}x faster, "
            f"{old[1] / max(backfill[2], 1e-9):.1f}x less peak memory"
        )
    ok = backfill[0] <= GOAL_SECONDS and backfill[2] <= GOAL_MB
    print(f"  goal <= {GOAL_SECONDS:.0f} s and <= {GOAL_MB:.0f} MB: {'met' if ok else 'NOT met'}")
    store.close()
    engine.dispose()


def main() -> None:
    """Build the book and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=20_000)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL database, not SQLite")
    parser.add_argument("--tracemalloc", action="store_true", help="peak Python memory by tracemalloc (slows calls)")
    args = parser.parse_args()
    market = simulated_market(end=END, years=2, seed=1)
    positions = _book(market.close, universe_profiles(), args.positions)
    print(f"book: {len(positions):,} positions over {len(market.symbols)} symbols, {len(market.close)} price days")
    if args.postgres:
        with _postgres() as url:
            run(url, "PostgreSQL", market, positions, args.tracemalloc)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'bench.db'}", "SQLite", market, positions, args.tracemalloc)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {rss:.0f} MB (includes seeding the store)")


if __name__ == "__main__":
    main()
