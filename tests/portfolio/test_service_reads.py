"""Portfolio service: reads never write, and the in-memory snapshot days equal the stored ones."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pandas as pd
from sqlalchemy import func, select

from sigma.conventions import PositionType
from sigma.db.models import PortfolioSnapshot
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401


def _stored(w: World, pid: int) -> int:
    with w.db.sessions() as s:
        days = s.scalar(select(func.count()).where(PortfolioSnapshot.portfolio_id == pid))
    return int(days or 0)


def _book(w: World) -> int:
    svc, alice = w.svc, w.alice
    pid = svc.create_portfolio(alice, "Reads", cash=2_000.0).id
    a = svc.add_position(alice, pid, stock("AAPL", 10, 200.0, date(2026, 1, 5)))
    svc.add_position(alice, pid, stock("XOM", 8, 100.0, date(2026, 2, 2), short=True))
    svc.add_position(alice, pid, option("MSFT", PositionType.LC, 1, 20.0, date(2026, 3, 2), 420.0, date(2027, 1, 15)))
    svc.record_cash_flow(alice, pid, date(2026, 4, 1), "deposit", 500.0)
    svc.close_position(alice, a, date(2026, 9, 1), 230.0)
    return pid


def test_view_and_open_book_write_nothing_and_match_the_numbers_after_a_backfill(world: World) -> None:
    pid = _book(world)
    before = world.svc.view(world.alice, pid, attribution_days=5)
    book_before = world.svc.open_book(world.alice, pid)
    assert _stored(world, pid) == 0  # the reads computed the snapshots in memory only
    assert world.svc.backfill_snapshots(world.alice, pid).days_written == len(before.equity)
    after = world.svc.view(world.alice, pid, attribution_days=5)
    book_after = world.svc.open_book(world.alice, pid)
    assert asdict(before.kpis) == asdict(after.kpis)
    pd.testing.assert_frame_equal(before.equity, after.equity)
    pd.testing.assert_frame_equal(before.attribution, after.attribution)
    pd.testing.assert_frame_equal(before.holdings, after.holdings)
    pd.testing.assert_series_equal(book_before.returns, book_after.returns)
    assert (book_before.nav, book_before.cash) == (book_after.nav, book_after.cash)


def test_a_partly_stored_history_is_completed_in_memory(world: World) -> None:
    pid = _book(world)
    world.svc.backfill_snapshots(world.alice, pid)
    full = world.svc.view(world.alice, pid)
    stored = _stored(world, pid)
    with world.db.sessions() as s:  # as if the jobs process had not run for the last two weeks
        s.execute(PortfolioSnapshot.__table__.delete().where(PortfolioSnapshot.date > date(2026, 11, 6)))
        s.commit()
    partial = world.svc.view(world.alice, pid)
    assert _stored(world, pid) < stored
    assert asdict(partial.kpis) == asdict(full.kpis)
    pd.testing.assert_frame_equal(partial.equity, full.equity)
    pd.testing.assert_frame_equal(partial.attribution, full.attribution)
