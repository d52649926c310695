"""Portfolio service: snapshot backfill (idempotent, invalidated by writes) and the snapshots job."""

from __future__ import annotations

import importlib
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

from sigma.db.models import PortfolioSnapshot, Position
from tests.portfolio.test_service_support import World, stock, world_fixture  # noqa: F401

ENTRY = date(2026, 6, 1)


def _rows(w: World, pid: int) -> int:
    with w.db.sessions() as s:
        days = s.scalar(select(func.count()).where(PortfolioSnapshot.portfolio_id == pid))
    return int(days or 0)


def _trading_days(w: World, start: date) -> int:
    return int((pd.Index(w.close("SPY").index) >= start).sum())


def test_backfill_fills_every_day_since_the_first_entry_and_a_second_run_writes_nothing(world: World) -> None:
    svc, alice = world.svc, world.alice
    pid = svc.create_portfolio(alice, "S", cash=500.0).id
    svc.add_position(alice, pid, stock("AAPL", 10, 200.0, ENTRY))
    svc.add_position(alice, pid, stock("MSFT", 1, 400.0, date(2026, 9, 1)))
    first = svc.backfill_snapshots(alice, pid)
    n = _trading_days(world, ENTRY)
    assert first.days_written == n
    assert _rows(world, pid) == n  # one row per day: position history is derived from prices, not stored
    assert svc.backfill_snapshots(alice, pid).days_written == 0
    assert _rows(world, pid) == n


def test_a_change_to_the_book_invalidates_snapshots_from_its_date(world: World) -> None:
    svc, alice = world.svc, world.alice
    pid = svc.create_portfolio(alice, "S").id
    a = svc.add_position(alice, pid, stock("AAPL", 10, 200.0, ENTRY))
    svc.backfill_snapshots(alice, pid)  # the jobs process writes snapshots; a page view never does
    svc.close_position(alice, a, date(2026, 10, 1), 250.0)
    assert _rows(world, pid) == _trading_days(world, ENTRY) - _trading_days(world, date(2026, 10, 1))
    view = svc.view(alice, pid)  # the invalidated days are computed in memory for the view
    assert svc.backfill_snapshots(alice, pid).days_written == _trading_days(world, date(2026, 10, 1))
    assert _rows(world, pid) == _trading_days(world, ENTRY)
    # closed at 250: NAV after the exit is 0 cash + nothing held (proceeds leave the book as a flow)
    assert view.equity["nav"].iloc[-1] == pytest.approx(0.0)
    assert view.kpis.realized_pnl == pytest.approx(10 * 50.0)


def test_the_snapshots_job_backfills_every_book_and_records_a_failure_as_a_value(world: World) -> None:
    svc, alice = world.svc, world.alice
    good = svc.create_portfolio(alice, "Good").id
    svc.add_position(alice, good, stock("AAPL", 1, 200.0, ENTRY))
    bad = svc.create_portfolio(alice, "Bad").id
    with world.db.sessions() as s:  # a position whose symbol has no prices (as if delisted from the store)
        s.add(
            Position(
                portfolio_id=bad,
                symbol="GONE",
                position_type="LONG",
                quantity=1,
                entry_price=1,
                entry_date=ENTRY,
                multiplier=1.0,
            )
        )
        s.commit()
    seen: list[str] = []
    result = svc.backfill_many([good, bad], progress=lambda done, total, text: seen.append(text))
    assert list(result.errors) == [bad] and "GONE" in result.errors[bad]
    assert result.days[good] == _trading_days(world, ENTRY) == _rows(world, good)
    assert seen[-1] == "written" and _rows(world, bad) == 0
    again = svc.backfill_many([good, bad])
    assert again.days[good] == 0 and list(again.errors) == [bad]


def test_the_bulk_copy_path_stores_what_the_view_computes_in_memory(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        importlib.import_module("sigma.db.upsert"), "COPY_ROWS", 1
    )  # PostgreSQL: every write through COPY; SQLite unchanged
    svc, alice = world.svc, world.alice
    pid = svc.create_portfolio(alice, "Copy", cash=1_000.0).id
    svc.add_position(alice, pid, stock("AAPL", 10, 200.0, ENTRY))
    svc.add_position(alice, pid, stock("XOM", 5, 100.0, date(2026, 8, 3), short=True))
    before = svc.view(alice, pid, attribution_days=5)
    result = svc.backfill_snapshots(alice, pid)
    n = _trading_days(world, ENTRY)
    assert result.days_written == n
    after = svc.view(alice, pid, attribution_days=5)
    pd.testing.assert_frame_equal(before.equity, after.equity)
    pd.testing.assert_frame_equal(before.attribution, after.attribution)
    assert svc.backfill_snapshots(alice, pid).days_written == 0


def test_attribution_values_the_positions_on_the_window_s_first_and_last_day(world: World) -> None:
    svc, alice = world.svc, world.alice
    pid = svc.create_portfolio(alice, "Window", cash=100.0).id
    svc.add_position(alice, pid, stock("AAPL", 10, 200.0, ENTRY))
    svc.add_position(alice, pid, stock("XOM", 5, 100.0, ENTRY, short=True))
    svc.backfill_snapshots(alice, pid)
    view = svc.view(alice, pid, attribution_days=5)
    aapl, xom = world.close("AAPL"), world.close("XOM")
    by_symbol = view.attribution.set_index("symbol")["pnl"]
    # hand computation: 10 long × the close's move over the last 5 returns; 5 short × minus XOM's move
    assert by_symbol["AAPL"] == pytest.approx(10 * (aapl.iloc[-1] - aapl.iloc[-6]), abs=1e-6)
    assert by_symbol["XOM"] == pytest.approx(-5 * (xom.iloc[-1] - xom.iloc[-6]), abs=1e-6)
