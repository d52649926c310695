"""Server render time of every page with Streamlit AppTest, per demo user, cold and warm.

Seeds a data dir the way `make run` does (`python -m jobs init`: the simulated market, the demo
users and books, their snapshots, the reference data), adds a 2,000-position book (built as in
`bench.portfolio`) for a `bench` user and stores its snapshots like the jobs process would, then
logs each user in with AppTest and times `switch_page(page).run()`:

- cold: the view caches (`st.cache_data`) and the memoised figures cleared just before the render
  (the services object, `st.cache_resource`, stays: it is built once per server process);
- warm: the same page rendered again straight after (the UI-edge caches hit).

Each figure is the median of `--rounds` rounds, wall time with the process's CPU time beside it
(judge a change by CPU time when the machine is loaded by other work); the goal is printed beside it (every page
≤ 300 ms warm and ≤ 2 s cold on the demo book; Portfolio of the 2,000-position book ≤ 500 ms
warm). AppTest runs the whole script (app.py: login gate, sidebar, navigation, then the page),
so this is the server's work for one rerun, not the browser's.

Run: .venv/bin/python -m bench.pages [--rounds 5] [--years 10] [--positions 2000] [--profile risk]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import insert, select

from bench.portfolio import _book
from sigma.config import from_env
from sigma.db.models import Portfolio, Position
from sigma.market.universe import universe_profiles
from sigma.ui.apptest import AppTest, forget_views, quiet
from sigma.ui.apptest import login as apptest_login
from sigma.wiring import build

PAGES = ("portfolio", "risk", "correlations")
USERS = (("alice", "sigma-demo"), ("bob", "sigma-demo"), ("carol", "sigma-demo"))
ADMIN = ("admin", "sigma-admin")
BIG = ("bench", "sigma-demo")
WARM_GOAL, COLD_GOAL, BIG_WARM_GOAL = 0.300, 2.0, 0.500


class Timing(NamedTuple):
    """Seconds of one render: wall clock and this process's CPU time."""

    wall: float
    cpu: float


def seed(data_dir: Path, years: int, positions: int) -> None:
    """`jobs init` into `data_dir`, then a `bench` user with a big book and its stored snapshots."""
    os.environ.update(
        {
            "SIGMA_ENV": "development",
            "SIGMA_DATA_DIR": str(data_dir),
            "SIGMA_MARKET_YEARS": str(years),
            "SIGMA_MARKET_END": "2026-11-20",
            "SIGMA_COOKIE_KEY": "bench-pages-cookie-key-" + "k" * 32,
        }
    )
    from jobs.cli import main as jobs_main

    t0 = time.perf_counter()
    jobs_main(["init"])
    print(f"jobs init: {time.perf_counter() - t0:.1f}s")
    if positions:
        _big_book(positions)


def _big_book(n: int) -> None:
    services = build(from_env())
    try:
        user = services.auth.seed_demo_user(BIG[0], "Bench", BIG[1], "analyst", "")
        close = services.market.close_frame(sorted(services.market.priced_symbols()))
        rows = _book(close.iloc[-500:], universe_profiles(), n)
        with services.sessions() as s:
            pid = s.scalar(select(Portfolio.id).where(Portfolio.owner_id == user.id))
            if pid is None:
                book = Portfolio(owner_id=user.id, name=f"Bench {n}", cash=1_000_000.0)
                s.add(book)
                s.flush()
                s.execute(insert(Position), [{"portfolio_id": book.id, **p} for p in rows])
                pid = book.id
            s.commit()
        t0 = time.perf_counter()
        services.portfolios.backfill_any(pid)
        print(f"{n}-position book {pid}: snapshots stored in {time.perf_counter() - t0:.1f}s")
    finally:
        services.close()


def login(username: str, password: str) -> AppTest:
    """app.py run and logged in through the form (the login run renders the Portfolio page)."""
    at = apptest_login(username, password, timeout=300)
    if at.exception:
        raise RuntimeError([e.value for e in at.exception])
    return at


def render(at: AppTest, page: str) -> Timing:
    """(wall, CPU) seconds for one rerun of `page` (an exception in the page is an error, not a time).

    CPU is `time.process_time` of this process (every thread: AppTest runs the script in its own),
    so a machine loaded by other work inflates the wall time but not the CPU time.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    at.switch_page(f"pages/{page}.py").run()
    elapsed = Timing(time.perf_counter() - wall, time.process_time() - cpu)
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    return elapsed


def measure(at: AppTest, page: str, rounds: int) -> tuple[Timing, Timing]:
    """(median cold, median warm) wall and CPU seconds over `rounds` rounds."""
    cold, warm = [], []
    for _ in range(rounds):
        forget_views()
        cold.append(render(at, page))
        warm.append(render(at, page))
    return _median(cold), _median(warm)


def _median(timings: list[Timing]) -> Timing:
    return Timing(statistics.median(t.wall for t in timings), statistics.median(t.cpu for t in timings))


def _row(user: str, page: str, cold: Timing, warm: Timing, warm_goal: float) -> str:
    ok = "ok" if cold.wall <= COLD_GOAL and warm.wall <= warm_goal else "MISSED"
    return (
        f"{user:<7} {page:<13} cold {cold.wall * 1000:7.0f} ms (CPU {cold.cpu * 1000:6.0f}, "
        f"goal ≤ {COLD_GOAL * 1000:.0f})"
        f"   warm {warm.wall * 1000:6.0f} ms (CPU {warm.cpu * 1000:5.0f}, goal ≤ {warm_goal * 1000:.0f})   {ok}"
    )


def run_all(rounds: int, big: bool) -> None:
    """Print one line per user and page."""
    plan: list[tuple[tuple[str, str], tuple[str, ...], float]] = [(u, PAGES, WARM_GOAL) for u in USERS]
    plan.append((ADMIN, ("admin",), WARM_GOAL))
    if big:
        plan.append((BIG, ("portfolio",), BIG_WARM_GOAL))
    for (username, password), pages, goal in plan:
        at = login(username, password)
        for page in pages:
            cold, warm = measure(at, page, rounds)
            print(_row(username, page, cold, warm, goal), flush=True)


def profile(username: str, page: str, top: int) -> None:
    """cProfile of one cold and one warm render of `page`, the top functions by cumulative time."""
    password = dict([*USERS, ADMIN, BIG])[username]
    at = login(username, password)
    render(at, page)
    for label, prepare in (("cold", forget_views), ("warm", _nothing)):
        prepare()
        prof = cProfile.Profile()
        threading.setprofile(lambda *_a, p=prof: p.enable())  # AppTest runs the script in a new thread
        try:
            render(at, page)
        finally:
            threading.setprofile(None)
        print(f"--- {username} {page} {label}")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def _nothing() -> None:
    return None


def main() -> None:
    """Seed a temporary data dir (or reuse --data-dir), then time or profile the pages."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--years", type=int, default=10, help="simulated market years (make run: 10)")
    parser.add_argument("--positions", type=int, default=2000, help="size of the big book (0: none)")
    parser.add_argument("--data-dir", type=Path, help="reuse a data dir seeded by an earlier run")
    parser.add_argument("--profile", metavar="PAGE", help="profile PAGE instead of timing every page")
    parser.add_argument("--user", default="alice", help="the user whose page --profile renders")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    quiet()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.data_dir or Path(tmp)
        fresh = not (data_dir / "sigma.db").exists()
        t0 = time.perf_counter()
        seed(data_dir, args.years, args.positions if fresh else 0)
        print(f"seeded {data_dir} in {time.perf_counter() - t0:.1f}s ({'fresh' if fresh else 'reused'})")
        action: Callable[[], None] = (
            (lambda: profile(args.user, args.profile, args.top))
            if args.profile
            else (lambda: run_all(args.rounds, args.positions > 0))
        )
        action()


if __name__ == "__main__":
    main()
