"""The nightly backfill on an executor: chunks of books computed elsewhere write the rows computed here."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import delete, select

from sigma.db.models import PortfolioSnapshot, Position
from tests.portfolio.test_service_support import World, stock, world_fixture  # noqa: F401

T = TypeVar("T")
R = TypeVar("R")


class _Shipping:
    """An executor of two 'workers' that pickles every task and result, as a process pool would."""

    workers = 2

    def __init__(self) -> None:
        self.tasks = 0

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        self.tasks += len(items)
        return [pickle.loads(pickle.dumps(fn(pickle.loads(pickle.dumps(item))))) for item in items]


def _snapshots(w: World) -> pd.DataFrame:
    with w.db.sessions() as s:
        rows = s.execute(select(PortfolioSnapshot).order_by(PortfolioSnapshot.portfolio_id, PortfolioSnapshot.date))
        return pd.DataFrame(
            [(r.portfolio_id, r.date, r.nav, r.cash, r.flows, r.source) for r in rows.scalars()],
            columns=["pid", "date", "nav", "cash", "flows", "source"],
        )


def _books(w: World) -> list[int]:
    svc, alice = w.svc, w.alice
    pids = []
    for k, (symbol, entry) in enumerate(
        [("AAPL", date(2026, 6, 1)), ("MSFT", date(2026, 7, 1)), ("XOM", date(2026, 9, 1))]
    ):
        pid = svc.create_portfolio(alice, f"Book {k}", cash=1_000.0 * (k + 1)).id
        svc.add_position(alice, pid, stock(symbol, 10 + k, 100.0, entry))
        svc.add_position(alice, pid, stock("SPY", 2, 500.0, date(2026, 8, 3), short=k == 1))
        pids.append(pid)
    return pids


def test_chunks_on_an_executor_write_the_rows_the_driver_writes(world: World) -> None:
    pids = _books(world)
    here = world.svc.backfill_many(pids)
    expected = _snapshots(world)
    with world.db.sessions() as s:
        s.execute(delete(PortfolioSnapshot))
        s.commit()
    shipping = _Shipping()
    seen: list[tuple[int, int]] = []
    there = world.svc.backfill_many(pids, progress=lambda done, total, _: seen.append((done, total)), on=shipping)
    assert shipping.tasks == 3  # 3 books, 2 workers x 4 chunks at most: one chunk per book
    assert there.days == here.days and there.errors == here.errors == {}
    assert here.days[pids[0]] == int((pd.Index(world.close("SPY").index) >= date(2026, 6, 1)).sum())
    pd.testing.assert_frame_equal(_snapshots(world), expected)
    assert seen == [(0, 3), (2, 3), (3, 3)]  # a wave of two chunks, then one, then the write


def test_a_book_that_fails_on_a_worker_is_an_error_and_the_others_are_written(world: World) -> None:
    pids = _books(world)
    with world.db.sessions() as s:  # a position whose symbol has no prices
        s.add(
            Position(
                portfolio_id=pids[1],
                symbol="GONE",
                position_type="LONG",
                quantity=1,
                entry_price=1,
                entry_date=date(2026, 6, 1),
                multiplier=1.0,
            )
        )
        s.commit()
    result = world.svc.backfill_many(pids, on=_Shipping())
    assert list(result.errors) == [pids[1]] and "GONE" in result.errors[pids[1]]
    written: Any = _snapshots(world).groupby("pid").size()
    assert sorted(written.index) == [pids[0], pids[2]] and result.days[pids[1]] == 0
