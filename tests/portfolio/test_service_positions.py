"""Portfolio service: positions and their validation (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sigma.conventions import PositionType
from sigma.errors import UnknownSymbol, ValidationError
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

DAY = date(2026, 6, 1)


def _holdings(w: World, pid: int) -> list[int]:
    return sorted(int(i) for i in w.svc.view(w.alice, pid).holdings["position_id"])


def test_positions_are_added_edited_closed_and_deleted(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "P")
    a = svc.add_position(alice, book.id, stock("aapl", 10, 200.0, DAY))
    c = svc.add_position(alice, book.id, option("NVDA", PositionType.LC, 2, 9.5, DAY, 150.0, date(2027, 1, 15)))
    assert _holdings(world, book.id) == sorted([a, c])
    svc.edit_position(alice, a, quantity=12.0, notes="more")
    view = svc.view(alice, book.id)
    assert view.holdings.set_index("position_id").loc[a, "quantity"] == 12.0
    assert view.holdings.set_index("position_id").loc[a, "symbol"] == "AAPL"
    svc.close_position(alice, a, date(2026, 9, 1), 210.0)
    closed = svc.view(alice, book.id).closed
    # realized: 12 × (210 − 200) = 120
    assert closed.set_index("position_id").loc[a, "realized_pnl"] == pytest.approx(120.0)
    svc.delete_position(alice, c)
    assert _holdings(world, book.id) == []


def _edit_error(w: World, pid: int, **fields: object) -> str:
    with pytest.raises(ValidationError) as info:
        w.svc.edit_position(w.alice, pid, **fields)
    return str(info.value)


def test_each_bad_field_is_named_in_the_error(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "P")
    s = svc.add_position(alice, book.id, stock("AAPL", 10, 200.0, DAY))
    o = svc.add_position(alice, book.id, option("NVDA", PositionType.SP, 1, 5.0, DAY, 120.0, date(2026, 12, 18)))
    cases = [
        (s, {"quantity": 0.0}, "quantity: must be a number greater than 0"),
        (s, {"quantity": -3.0}, "quantity: must be a number greater than 0"),
        (s, {"entry_price": 0.0}, "entry_price: must be a number greater than 0"),
        (s, {"entry_date": date(2026, 11, 21)}, "entry_date: 2026-11-21 is in the future"),
        (s, {"position_type": "LONGISH"}, "position_type: 'LONGISH' is not one of"),
        (s, {"symbol": " "}, "symbol: a position needs a symbol"),
        (o, {"strike": 0.0}, "strike: must be a number greater than 0"),
        (o, {"strike": -5.0}, "strike: must be a number greater than 0"),
        (o, {"expiry": date(2026, 5, 1)}, "expiry: 2026-05-01 must be after the entry date 2026-06-01"),
        (o, {"expiry": None}, "expiry: an option needs an expiry date"),
        (o, {"multiplier": 0.0}, "multiplier: must be a number greater than 0"),
        (o, {"colour": "red"}, "colour: not editable"),
    ]
    for pid, fields, message in cases:  # one database, many cases
        assert message in _edit_error(world, pid, **fields), fields


def test_a_stock_turned_into_an_option_needs_the_option_fields(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "P")
    s = world.svc.add_position(world.alice, book.id, stock("AAPL", 10, 200.0, DAY))
    text = _edit_error(world, s, position_type="LC")
    assert "underlying:" in text and "strike:" in text and "expiry:" in text


@pytest.mark.parametrize(
    ("draft", "match"),
    [
        (stock("AAPL", 1, 10.0, date(2026, 11, 23)), "entry_date: 2026-11-23 is in the future"),
        (option("NVDA", PositionType.LC, 1, 2.0, DAY, 150.0, DAY), "expiry: 2026-06-01 must be after"),
        (option("NVDA", PositionType.LC, 1, 2.0, DAY, -1.0, date(2027, 1, 1)), "strike: must be a number greater"),
    ],
)
def test_add_refuses_drafts_the_service_rules_reject(world: World, draft: object, match: str) -> None:
    book = world.svc.create_portfolio(world.alice, "P")
    with pytest.raises(ValidationError, match=match):
        world.svc.add_position(world.alice, book.id, draft)  # type: ignore[arg-type]


def test_an_unknown_symbol_is_named_and_for_options_it_is_the_underlying(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "P")
    with pytest.raises(UnknownSymbol, match="ZZZZ"):
        world.svc.add_position(world.alice, book.id, stock("ZZZZ", 1, 10.0, DAY))
    with pytest.raises(UnknownSymbol, match="QQQQ"):
        world.svc.add_position(
            world.alice, book.id, option("QQQQ", PositionType.LP, 1, 2.0, DAY, 100.0, date(2027, 1, 1))
        )
    s = world.svc.add_position(world.alice, book.id, stock("AAPL", 1, 10.0, DAY))
    with pytest.raises(UnknownSymbol, match="ZZZZ"):
        world.svc.edit_position(world.alice, s, symbol="ZZZZ")


@pytest.mark.parametrize(
    ("exit_day", "price", "match"),
    [
        (date(2026, 5, 1), 10.0, "exit_date: 2026-05-01 is before the entry"),
        (date(2026, 11, 23), 10.0, "exit_date: 2026-11-23 is in the future"),
        (date(2026, 7, 1), 0.0, "exit_price: must be greater than 0"),
    ],
)
def test_bad_exits_are_refused(world: World, exit_day: date, price: float, match: str) -> None:
    book = world.svc.create_portfolio(world.alice, "P")
    s = world.svc.add_position(world.alice, book.id, stock("AAPL", 1, 10.0, DAY))
    with pytest.raises(ValidationError, match=match):
        world.svc.close_position(world.alice, s, exit_day, price)


def test_an_option_may_be_closed_at_zero(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "P")
    o = world.svc.add_position(
        world.alice, book.id, option("NVDA", PositionType.LP, 1, 3.0, DAY, 80.0, date(2026, 9, 18))
    )
    world.svc.close_position(world.alice, o, date(2026, 9, 18), 0.0)
    closed = world.svc.view(world.alice, book.id).closed
    # worthless put: −1 × 100 × 3 = −300
    assert closed["realized_pnl"].iloc[0] == pytest.approx(-300.0)


def test_a_symbol_with_a_profile_but_no_prices_is_refused_so_the_book_stays_valuable(world: World) -> None:
    profile = pd.DataFrame(
        [
            {
                "symbol": "NOPX",
                "name": "No Prices Inc.",
                "asset_class": "equity",
                "sector": None,
                "industry": None,
                "market_cap": None,
                "dividend_yield": None,
            }
        ]
    )
    world.store.upsert_profiles(profile, "reference")
    book = world.svc.create_portfolio(world.alice, "P")
    with pytest.raises(UnknownSymbol, match="NOPX"):
        world.svc.add_position(world.alice, book.id, stock("NOPX", 10, 10.0, date(2026, 6, 1)))
    assert world.svc.view(world.alice, book.id).holdings.empty
