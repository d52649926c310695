"""No infinite or absurd numbers: every portfolio entry path refuses inf, -inf, NaN, 1e308 and a
400-digit number with one message that names the field and its bounds, writes nothing, and the
book's NAV and VaR stay finite (SQLite and PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sigma.conventions import PositionType
from sigma.errors import ValidationError
from sigma.risk.var import value_at_risk
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

DAY = date(2026, 6, 1)
DIGITS_400 = "1" * 400
# inf, -inf, NaN, a finite but absurd float, a 400-digit cell as float() reads it (inf), a 400-digit int
BAD: tuple[object, ...] = (math.inf, -math.inf, math.nan, 1e308, float(DIGITS_400), int(DIGITS_400))


def _refusal(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    return str(info.value)


def _book(w: World) -> tuple[int, int, int]:
    """A book with 10,000 cash, 10 AAPL at 100 and one NVDA short put; returns (book, stock, option)."""
    book = w.svc.create_portfolio(w.alice, "Finite", cash=10_000.0)
    s = w.svc.add_position(w.alice, book.id, stock("AAPL", 10, 100.0, DAY))
    o = w.svc.add_position(w.alice, book.id, option("NVDA", PositionType.SP, 1, 5.0, DAY, 120.0, date(2026, 12, 18)))
    return book.id, s, o


def _assert_book_untouched(w: World, pid: int) -> None:
    """Still the two positions as entered, 10,000 cash, no flow, no target; NAV and VaR finite."""
    view = w.svc.view(w.alice, pid)
    holdings = view.holdings.set_index("symbol")
    assert sorted(holdings.index) == ["AAPL", "NVDA 261218P120"]
    assert holdings.loc["AAPL", "quantity"] == 10.0
    assert holdings.loc["AAPL", "cost_basis"] == 1_000.0  # 10 × 100
    assert w.svc.get_portfolio(w.alice, pid).cash == 10_000.0
    assert w.svc.cash_flows(w.alice, pid).empty
    assert holdings["target_eoy"].isna().all()
    assert math.isfinite(view.kpis.nav) and math.isfinite(view.kpis.gross)
    book = w.svc.open_book(w.alice, pid)
    assert np.isfinite(book.positions["exposure"]).all()
    exposures = book.positions.groupby("priced")["exposure"].sum()
    returns = w.store.returns_frame(list(exposures.index))
    var = value_at_risk(exposures, returns, book.nav, method="parametric").table
    assert np.isfinite(var[["var", "cvar"]].to_numpy(float)).all()


def test_add_position_refuses_every_infinite_or_absurd_number_and_writes_nothing(world: World) -> None:
    pid, _, _ = _book(world)
    base_stock, base_option = (
        stock("MSFT", 5, 50.0, DAY),
        option("QQQ", PositionType.LC, 1, 2.0, DAY, 400.0, date(2026, 12, 18)),
    )
    bounds = {"quantity": "1,000,000,000", "entry_price": "10,000,000", "strike": "10,000,000", "multiplier": "10,000"}
    for field, high in bounds.items():
        base = base_option if field in ("strike", "multiplier") else base_stock
        for value in BAD:  # one database, many cases
            change = {field: value}
            message = _refusal(lambda b=base, c=change: world.svc.add_position(world.alice, pid, replace(b, **c)))
            if value == -math.inf and field != "strike":  # PositionDraft itself refuses a value <= 0
                assert message == f"{base.symbol}: quantity, entry price and multiplier must be > 0."
                continue
            assert message.startswith(f"{field}: must be a number greater than 0 and at most {high} (got "), message
            assert len(message) < 120, message
    _assert_book_untouched(world, pid)


def test_a_400_digit_quantity_is_named_briefly_not_echoed_whole(world: World) -> None:
    pid, _, _ = _book(world)
    draft = replace(stock("MSFT", 5, 50.0, DAY), quantity=int(DIGITS_400))
    message = _refusal(world.svc.add_position, world.alice, pid, draft)
    assert message == (
        "quantity: must be a number greater than 0 and at most 1,000,000,000 (got 111111111111… (400 characters))."
    )


def test_edit_and_close_refuse_infinite_or_absurd_numbers_and_change_nothing(world: World) -> None:
    pid, s, o = _book(world)
    for value in BAD:
        assert "quantity: must be a number greater than 0 and at most 1,000,000,000" in _refusal(
            world.svc.edit_position, world.alice, s, quantity=value
        )
        assert "strike: must be a number greater than 0 and at most 10,000,000" in _refusal(
            world.svc.edit_position, world.alice, o, strike=value
        )
        assert _refusal(world.svc.close_position, world.alice, s, date(2026, 7, 1), value).startswith(
            "exit_price: must be greater than 0 and at most 10,000,000 (got "
        )
        assert _refusal(world.svc.close_position, world.alice, o, date(2026, 7, 1), value).startswith(
            "exit_price: must be 0 or more and at most 10,000,000 (got "
        )
    assert world.svc.view(world.alice, pid).closed.empty
    _assert_book_untouched(world, pid)


def test_opening_cash_and_cash_flows_refuse_infinite_or_absurd_amounts(world: World) -> None:
    pid, _, _ = _book(world)
    for value in BAD:
        message = _refusal(world.svc.create_portfolio, world.alice, "Infinite", cash=value)
        assert message.startswith("cash: the opening cash must be 0 or more and at most 1,000,000,000,000 (got ")
        for kind in ("deposit", "withdrawal", "dividend"):
            message = _refusal(world.svc.record_cash_flow, world.alice, pid, DAY, kind, value)
            assert message.startswith("amount: enter a positive amount of at most 1,000,000,000,000 (got ")
    assert [p.name for p in world.svc.list_portfolios(world.alice)] == ["Finite"]
    _assert_book_untouched(world, pid)


def test_deposits_that_would_take_the_balance_past_the_limit_are_refused(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "Rich", cash=999_999_999_000.0)
    message = _refusal(world.svc.record_cash_flow, world.alice, book.id, DAY, "deposit", 1_000.01)
    assert message == "amount: the cash balance would be 1,000,000,000,000.01, over the limit of 1,000,000,000,000."
    world.svc.record_cash_flow(world.alice, book.id, DAY, "deposit", 1_000.0)
    assert world.svc.get_portfolio(world.alice, book.id).cash == 1e12


def test_targets_refuse_infinite_or_absurd_prices_one_by_one_and_in_bulk(world: World) -> None:
    pid, s, o = _book(world)
    for value in BAD[:2] + BAD[3:]:  # NaN is a blank cell of the data editor: no target
        message = _refusal(world.svc.set_target, world.alice, s, target_eoy=150.0, downside=value)
        assert message.startswith("downside: a target must be a number greater than 0 and at most 10,000,000 (got ")
        frame = pd.DataFrame({"position_id": [s, o], "target_eoy": [150.0, value], "note": ["", ""]})
        message = _refusal(world.svc.bulk_set_targets, world.alice, pid, frame)
        assert message.startswith("target_eoy: a target must be a number greater than 0 and at most 10,000,000")
    _assert_book_untouched(world, pid)


def test_a_400_digit_cell_in_a_positions_file_never_reaches_the_book(world: World) -> None:
    pid, _, _ = _book(world)
    data = f"symbol,quantity,price,date\nMSFT,5,50,2026-06-01\nMSFT,{DIGITS_400},50,2026-06-02\n".encode()
    try:
        result = world.svc.commit_import(world.alice, pid, data)
    except ValidationError as err:  # the cell read as inf: the rules refuse the whole commit
        assert str(err) == "quantity: must be a number greater than 0 and at most 1,000,000,000 (got inf)."
        expected = ["AAPL", "NVDA 261218P120"]
    else:  # the file reader refuses the cell: line 3 is an error, line 2 is imported
        assert (result.imported, len(result.errors), result.errors[0][:7]) == (1, 1, "line 3:")
        expected = ["AAPL", "MSFT", "NVDA 261218P120"]
    holdings = world.svc.view(world.alice, pid).holdings
    assert sorted(holdings["symbol"]) == expected
    assert holdings["quantity"].max() == 10.0


def test_a_400_digit_target_in_a_targets_file_writes_no_target(world: World) -> None:
    pid, _, _ = _book(world)
    data = f"symbol,target\nAAPL,{DIGITS_400}\n".encode()
    try:
        result = world.svc.commit_targets_import(world.alice, pid, data)
    except ValidationError as err:
        assert str(err) == "target_eoy: a target must be a number greater than 0 and at most 10,000,000 (got inf)."
    else:
        assert (result.imported, len(result.errors), result.errors[0][:7]) == (0, 1, "line 2:")
    _assert_book_untouched(world, pid)
