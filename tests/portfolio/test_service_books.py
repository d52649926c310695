"""Portfolio service: books and cash flows (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from sigma.errors import UnknownSymbol, ValidationError
from tests.portfolio.test_service_support import World, stock, world_fixture  # noqa: F401


def test_created_portfolios_are_listed_by_name_and_archived_ones_hidden(world: World) -> None:
    svc, alice = world.svc, world.alice
    b = svc.create_portfolio(alice, "  Beta book ", benchmark="qqq", cash=1_000.0, description="tech")
    a = svc.create_portfolio(alice, "Alpha book")
    assert (b.name, b.benchmark, b.cash, b.description) == ("Beta book", "QQQ", 1_000.0, "tech")
    assert [p.name for p in svc.list_portfolios(alice)] == ["Alpha book", "Beta book"]
    svc.archive_portfolio(alice, a.id)
    assert [p.name for p in svc.list_portfolios(alice)] == ["Beta book"]
    assert [p.archived for p in svc.list_portfolios(alice, include_archived=True)] == [True, False]
    svc.archive_portfolio(alice, a.id, archived=False)
    assert len(svc.list_portfolios(alice)) == 2


def test_portfolio_names_are_unique_per_owner_but_not_across_owners(world: World) -> None:
    svc = world.svc
    first = svc.create_portfolio(world.alice, "Main")
    with pytest.raises(ValidationError, match="name: you already have"):
        svc.create_portfolio(world.alice, "Main")
    other = svc.create_portfolio(world.alice, "Other")
    with pytest.raises(ValidationError, match="name: you already have"):
        svc.rename_portfolio(world.alice, other.id, "Main")
    svc.rename_portfolio(world.alice, first.id, "Main")  # renaming to its own name is fine
    assert svc.create_portfolio(world.bob, "Main").name == "Main"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "  "}, "name: a portfolio needs a name"),
        ({"name": "x" * 129}, "name: at most 128"),
        ({"name": "ok", "cash": -1.0}, "cash: the opening cash"),
    ],
)
def test_bad_portfolio_fields_are_named(world: World, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        world.svc.create_portfolio(world.alice, **kwargs)  # type: ignore[arg-type]


def test_the_benchmark_must_be_a_known_symbol(world: World) -> None:
    with pytest.raises(UnknownSymbol, match="NOPE"):
        world.svc.create_portfolio(world.alice, "B", benchmark="NOPE")
    book = world.svc.create_portfolio(world.alice, "B")
    world.svc.set_benchmark(world.alice, book.id, "qqq")
    assert world.svc.get_portfolio(world.alice, book.id).benchmark == "QQQ"
    with pytest.raises(UnknownSymbol):
        world.svc.set_benchmark(world.alice, book.id, "NOPE")


def test_cash_flows_move_the_balance_and_are_stored_signed(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "Cash", cash=1_000.0)
    svc.record_cash_flow(alice, book.id, date(2026, 1, 5), "deposit", 500.0, "top up")
    svc.record_cash_flow(alice, book.id, date(2026, 2, 5), "withdrawal", 300.0)
    svc.record_cash_flow(alice, book.id, date(2026, 3, 5), "dividend", 20.0)
    # 1,000 + 500 − 300 + 20 = 1,220
    assert svc.get_portfolio(alice, book.id).cash == pytest.approx(1_220.0)
    flows = svc.cash_flows(alice, book.id)
    assert list(flows["kind"]) == ["deposit", "withdrawal", "dividend"]
    np.testing.assert_allclose(flows["amount"], [500.0, -300.0, 20.0])


@pytest.mark.parametrize(
    ("kind", "amount", "day", "match"),
    [
        ("withdrawal", 1_000.01, date(2026, 1, 5), "exceeds the cash balance"),
        ("deposit", 0.0, date(2026, 1, 5), "amount: enter a positive"),
        ("deposit", -5.0, date(2026, 1, 5), "amount: enter a positive"),
        ("bonus", 5.0, date(2026, 1, 5), "kind: 'bonus'"),
        ("deposit", 5.0, date(2026, 11, 21), "date: 2026-11-21 is in the future"),
    ],
)
def test_bad_cash_flows_are_refused_and_change_nothing(
    world: World, kind: str, amount: float, day: date, match: str
) -> None:
    book = world.svc.create_portfolio(world.alice, "Cash", cash=1_000.0)
    with pytest.raises(ValidationError, match=match):
        world.svc.record_cash_flow(world.alice, book.id, day, kind, amount)
    assert world.svc.get_portfolio(world.alice, book.id).cash == 1_000.0
    assert world.svc.cash_flows(world.alice, book.id).empty


def test_a_deposit_changes_nav_but_not_the_time_weighted_return(world: World) -> None:
    svc, alice = world.svc, world.alice
    with_flow = svc.create_portfolio(alice, "With", cash=1_000.0)
    without = svc.create_portfolio(alice, "Without", cash=1_000.0)
    entry, deposit_day = date(2026, 6, 1), date(2026, 8, 3)
    price = float(world.close("SPY")[entry])
    for book in (with_flow, without):
        svc.add_position(alice, book.id, stock("SPY", 10, price, entry))
    svc.view(alice, with_flow.id)  # snapshots exist before the deposit: it must invalidate them
    svc.record_cash_flow(alice, with_flow.id, deposit_day, "deposit", 5_000.0)
    a, b = svc.view(alice, with_flow.id).equity, svc.view(alice, without.id).equity
    after = a["date"] >= deposit_day
    np.testing.assert_allclose(a["nav"][after] - b["nav"][after], 5_000.0)  # the cash is there from the deposit day
    np.testing.assert_allclose(a["nav"][~after], b["nav"][~after])
    # r_t = (NAV_t − F_t) / NAV_{t−1} − 1 nets the 5,000 out on its day: the two curves agree up to it
    upto = a["date"] <= deposit_day
    np.testing.assert_allclose(a["twr_cum"][upto], b["twr_cum"][upto], atol=1e-12)
    # the day after, the move is 10 × ΔSPY over a NAV that now holds 5,000 more cash
    i = int(np.flatnonzero(after)[0]) + 1
    wealth = 1.0 + a["twr_cum"]
    move = 10 * (world.close("SPY")[a["date"][i]] - world.close("SPY")[a["date"][i - 1]])
    assert wealth[i] / wealth[i - 1] - 1.0 == pytest.approx(move / a["nav"][i - 1], rel=1e-9)
