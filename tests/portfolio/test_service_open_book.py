"""Portfolio service: the open book (the one valuation of the open positions, used by risk)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest

from sigma.conventions import PositionType
from sigma.errors import InsufficientHistory, PermissionDenied
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

COLUMNS = ("priced", "position_type", "units", "strike", "expiry", "is_option", "expired", "exposure")
COLUMNS += ("spot", "vol", "dividend_yield")


def _book(w: World) -> tuple[int, list[int]]:
    svc, alice = w.svc, w.alice
    pid = svc.create_portfolio(alice, "Open", cash=5_000.0).id
    ids = [
        svc.add_position(alice, pid, stock("AAPL", 10, 200.0, date(2026, 1, 5))),
        svc.add_position(alice, pid, stock("XOM", 8, 100.0, date(2026, 2, 2), short=True)),
        svc.add_position(alice, pid, stock("MSFT", 5, 400.0, date(2026, 3, 2))),
    ]
    svc.close_position(alice, ids[2], date(2026, 6, 1), 410.0)
    return pid, ids


def test_open_book_values_the_open_positions_at_the_latest_price_date(world: World) -> None:
    pid, ids = _book(world)
    book = world.svc.open_book(world.alice, pid)
    last = {s: world.close(s).iloc[-1] for s in ("AAPL", "XOM", "MSFT")}
    assert book.as_of == date(2026, 11, 20) and book.portfolio_id == pid
    assert list(book.positions.index) == ids[:2]  # the closed MSFT position is not in the open book
    assert tuple(book.positions.columns) == COLUMNS
    rows = book.positions
    assert list(rows["priced"]) == ["AAPL", "XOM"] and list(rows["units"]) == [10.0, -8.0]
    assert rows["exposure"].to_numpy() == pytest.approx([10 * last["AAPL"], -8 * last["XOM"]])
    assert rows["spot"].to_numpy() == pytest.approx([last["AAPL"], last["XOM"]])
    assert not rows["is_option"].any() and rows["strike"].isna().all()
    cash = 5_000.0
    assert book.cash == pytest.approx(cash)
    assert book.nav == pytest.approx(cash + 10 * last["AAPL"] - 8 * last["XOM"])
    assert math.isfinite(book.rate) and book.rate > 0  # ^IRX is stored in the test market
    assert {"sector", "asset_class"} <= set(book.profiles.columns) and "AAPL" in book.profiles.index
    view = world.svc.view(world.alice, pid)
    assert book.nav == pytest.approx(view.kpis.nav)  # one valuation for the KPIs and for risk
    assert len(book.returns) > 100 and np.isfinite(book.returns.to_numpy()).all()


def test_open_book_prices_options_off_their_underlying(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Options", cash=10_000.0).id
    world.svc.add_position(
        world.alice, pid, option("AAPL", PositionType.LC, 2, 12.0, date(2026, 10, 1), 220.0, date(2027, 1, 15))
    )
    row = world.svc.open_book(world.alice, pid).positions.iloc[0]
    assert row["priced"] == "AAPL" and row["is_option"] and not row["expired"]
    assert row["units"] == 200.0 and row["strike"] == 220.0 and row["vol"] > 0


def test_open_book_of_an_empty_portfolio_is_insufficient_history(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Empty").id
    with pytest.raises(InsufficientHistory, match=f"Portfolio {pid} has no open positions"):
        world.svc.open_book(world.alice, pid)


def test_open_book_of_another_users_portfolio_is_denied(world: World) -> None:
    pid, _ = _book(world)
    with pytest.raises(PermissionDenied, match=f"Portfolio {pid} is not one of yours"):
        world.svc.open_book(world.bob, pid)


def test_open_book_of_a_book_worth_less_than_nothing_says_so(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Short", cash=0.0).id
    world.svc.add_position(world.alice, pid, stock("AAPL", 10, 200.0, date(2026, 10, 1), short=True))
    with pytest.raises(InsufficientHistory, match=rf"Portfolio {pid} is worth \$-[\d,]+ \(NAV at or below zero\)"):
        world.svc.open_book(world.alice, pid)
