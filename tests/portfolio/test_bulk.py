"""Bulk loading of many books (the nightly batch): the same books as one-at-a-time reads, in constant statements."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import event

from sigma.conventions import PositionType
from sigma.portfolio.inputs import ViewData
from sigma.portfolio.model import FlowKind
from sigma.portfolio.sql.bulk import load_views
from sigma.portfolio.sql.view import load_view
from sigma.risk.book import OpenBook
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401


def _books(w: World) -> dict[str, int]:
    """Alice's stock book (a closed position, a target, a tag, flows), her option book, an empty book and
    an archived one, and Bob's book: the bulk load is unscoped (jobs only)."""
    svc, alice, bob = w.svc, w.alice, w.bob
    stocks = svc.create_portfolio(alice, "Stocks", cash=5_000.0).id
    ids = [
        svc.add_position(alice, stocks, stock("AAPL", 10, 200.0, date(2026, 1, 5))),
        svc.add_position(alice, stocks, stock("XOM", 8, 100.0, date(2026, 2, 2), short=True)),
        svc.add_position(alice, stocks, stock("MSFT", 5, 400.0, date(2026, 3, 2))),
    ]
    svc.close_position(alice, ids[2], date(2026, 6, 1), 410.0)
    svc.set_target(alice, ids[0], target_eoy=260.0, note="AI")
    tag = svc.create_tag(alice, "core")
    svc.tag_positions(alice, ids[:2], tag.id)
    svc.record_cash_flow(alice, stocks, date(2026, 4, 1), FlowKind.DEPOSIT, 1_000.0)
    svc.record_cash_flow(alice, stocks, date(2026, 7, 1), FlowKind.WITHDRAWAL, 300.0)
    options = svc.create_portfolio(alice, "Options", benchmark="QQQ", cash=10_000.0).id
    svc.add_position(alice, options, stock("NVDA", 20, 150.0, date(2026, 5, 4)))
    svc.add_position(
        alice, options, option("AAPL", PositionType.LC, 2, 12.0, date(2026, 10, 1), 220.0, date(2027, 1, 15))
    )
    empty = svc.create_portfolio(alice, "Empty", cash=1_000.0).id
    archived = svc.create_portfolio(alice, "Old", cash=0.0).id
    svc.add_position(alice, archived, stock("SPY", 3, 500.0, date(2026, 2, 2)))
    svc.archive_portfolio(alice, archived)
    theirs = svc.create_portfolio(bob, "Bob's", cash=0.0).id
    svc.add_position(bob, theirs, stock("QQQ", 4, 450.0, date(2026, 3, 2)))
    svc.backfill_any(stocks)  # one book with stored snapshots, the others computed in memory
    return {"stocks": stocks, "options": options, "empty": empty, "archived": archived, "theirs": theirs}


def _assert_same_book(bulk: OpenBook, one: OpenBook) -> None:
    for name in ("portfolio_id", "name", "benchmark", "as_of", "source", "nav", "cash", "rate"):
        assert getattr(bulk, name) == getattr(one, name), name
    pd.testing.assert_frame_equal(bulk.positions, one.positions)
    pd.testing.assert_series_equal(bulk.returns, one.returns)
    pd.testing.assert_frame_equal(bulk.profiles, one.profiles)


def test_bulk_loaded_books_equal_the_books_opened_one_at_a_time(world: World) -> None:
    books = _books(world)
    opened = world.svc.open_books([books["stocks"], books["options"], books["empty"], books["theirs"]])
    assert sorted(opened) == sorted([books["stocks"], books["options"], books["empty"], books["theirs"]])
    for key, user in (("stocks", world.alice), ("options", world.alice), ("theirs", world.bob)):
        bulk = opened[books[key]]
        assert isinstance(bulk, OpenBook)
        _assert_same_book(bulk, world.svc.open_book(user, books[key]))
    stocks = opened[books["stocks"]]
    assert isinstance(stocks, OpenBook)
    last = world.close("AAPL").iloc[-1], world.close("XOM").iloc[-1]
    assert stocks.nav == pytest.approx(5_000.0 + 1_000.0 - 300.0 + 10 * last[0] - 8 * last[1])
    assert opened[books["empty"]] == f"Portfolio {books['empty']} has no open positions: add one on the Portfolio page."


def test_every_active_book_is_loaded_when_no_ids_are_given(world: World) -> None:
    books = _books(world)
    opened = world.svc.open_books()
    assert sorted(opened) == sorted(v for k, v in books.items() if k != "archived")


def test_bulk_view_data_equals_the_page_read_of_each_book(world: World) -> None:
    books = _books(world)
    views = load_views(world.db.sessions, world.market, list(books.values()))
    for key, user in (("stocks", world.alice), ("options", world.alice), ("theirs", world.bob)):
        bulk, one = views[books[key]], load_view(world.db.sessions, world.market, user, books[key], 1)
        assert isinstance(bulk, ViewData)
        assert bulk.info == one.info and bulk.notes == one.notes and bulk.prices is not None and one.prices
        pd.testing.assert_frame_equal(bulk.positions, one.positions)
        pd.testing.assert_frame_equal(bulk.snapshots, one.snapshots)
        pd.testing.assert_frame_equal(bulk.window, one.window)
        assert bulk.flows is not None and one.flows is not None
        pd.testing.assert_frame_equal(bulk.flows, one.flows)
        pd.testing.assert_frame_equal(bulk.prices.close, one.prices.close)
        pd.testing.assert_frame_equal(bulk.prices.profiles, one.prices.profiles)
        pd.testing.assert_series_equal(bulk.prices.dividend_yields, one.prices.dividend_yields)
        assert bulk.prices.last_dates == one.prices.last_dates
        assert isinstance(bulk.prices.rate, pd.Series) and isinstance(one.prices.rate, pd.Series)
        pd.testing.assert_series_equal(bulk.prices.rate, one.prices.rate)
    empty = views[books["empty"]]
    assert isinstance(empty, ViewData) and empty.prices is None and empty.positions.empty


def _count(world: World, pids: list[int]) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    world.market.store.close()  # no cached frames: each load reads the store
    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        world.svc.open_books(pids)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_bulk_load_issues_as_many_statements_for_three_books_as_for_thirty(world: World) -> None:
    svc, alice = world.svc, world.alice
    pids = []
    for k in range(30):
        pid = svc.create_portfolio(alice, f"Book {k}", cash=1_000.0 * k).id
        svc.add_position(alice, pid, stock("AAPL", 1 + k, 200.0, date(2026, 1, 5)))
        svc.add_position(alice, pid, stock(("MSFT", "XOM", "NVDA")[k % 3], 2, 100.0, date(2026, 2, 2)))
        pids.append(pid)
    assert _count(world, pids[:3]) == _count(world, pids)
