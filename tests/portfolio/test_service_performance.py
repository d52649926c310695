"""The Portfolio view's PM columns and sections: cost basis, day and realized P&L, a cash line, returns, income."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from sigma.portfolio.view.build import NO_FLOWS
from sigma.portfolio.view.columns import CASH_SYMBOL, HOLDING_COLUMNS
from tests.portfolio.test_service_support import World, stock, world_fixture  # noqa: F401


def _book(w: World) -> int:
    svc, alice = w.svc, w.alice
    pid = svc.create_portfolio(alice, "PM", cash=10_000.0).id
    svc.add_position(alice, pid, stock("AAPL", 10, 200.0, date(2026, 1, 5)))
    lot = svc.add_position(alice, pid, stock("AAPL", 5, 180.0, date(2026, 2, 2)))
    svc.close_position(alice, lot, date(2026, 6, 1), 220.0)  # realized 5 × (220 − 180) = +200
    svc.add_position(alice, pid, stock("MSFT", 5, 400.0, date(2026, 2, 2)))
    svc.record_cash_flow(alice, pid, date(2026, 9, 15), "dividend", 50.0)
    return pid


def test_holdings_carry_cost_basis_day_and_realized_pnl_and_a_cash_line_that_reconciles(world: World) -> None:
    view = world.svc.view(world.alice, _book(world))
    assert list(view.holdings.columns) == list(HOLDING_COLUMNS)
    rows = view.holdings.set_index("symbol")
    last = {s: world.close(s).iloc[-1] for s in ("AAPL", "MSFT")}
    prev = {s: world.close(s).iloc[-2] for s in ("AAPL", "MSFT")}
    assert rows.loc["AAPL", "cost_basis"] == pytest.approx(2_000.0)  # 10 × 200
    assert rows.loc["AAPL", "day_pnl"] == pytest.approx(10 * (last["AAPL"] - prev["AAPL"]))
    assert rows.loc["MSFT", "day_pnl"] == pytest.approx(5 * (last["MSFT"] - prev["MSFT"]))
    assert rows.loc["AAPL", "realized_pnl"] == pytest.approx(200.0) and rows.loc["MSFT", "realized_pnl"] == 0.0
    assert rows["day_pnl"].sum() == pytest.approx(view.kpis.day_pnl)
    table = view.holdings_with_cash
    cash = table.iloc[-1]
    assert cash["symbol"] == CASH_SYMBOL and cash["market_value"] == pytest.approx(view.kpis.cash)
    # NAV = holdings + cash; weights of a stock-only book (exposure = market value) add up to 100 % of NAV
    assert table["market_value"].sum() == pytest.approx(view.kpis.nav)
    assert table["weight"].sum() == pytest.approx(1.0)
    assert len(table) == len(view.holdings) + 1


def test_period_returns_and_allocation_are_in_the_view(world: World) -> None:
    view = world.svc.view(world.alice, _book(world))
    table = view.returns.set_index("period")
    assert list(table.index) == ["1D", "MTD", "YTD", "1Y", "3Y", "Since inception"]
    first = view.equity["date"].iloc[0]
    for period in ("YTD", "1Y", "3Y"):  # the book starts on 5 January 2026
        assert table.loc[period, "note"] == f"n/a (history starts {first:%Y-%m-%d})"
        assert math.isnan(table.loc[period, "twr"])
    wealth = 1.0 + view.equity["twr_cum"].to_numpy()
    assert table.loc["1D", "twr"] == pytest.approx(wealth[-1] / wealth[-2] - 1.0)
    assert table.loc["Since inception", "twr"] == pytest.approx(view.equity["twr_cum"].iloc[-1])
    spy = world.close("SPY")
    assert table.loc["1D", "benchmark"] == pytest.approx(spy.iloc[-1] / spy.iloc[-2] - 1.0)
    tree = view.allocation
    roots = tree.loc[tree["parent"] == "", "value"].sum()
    assert roots == pytest.approx(1.0)  # stocks only: |exposure| + cash = NAV


def _loader(monkeypatch: pytest.MonkeyPatch, w: World, pid: int, with_flows: bool) -> None:
    """Make the service's loader pass the book's cash flows (or none), whatever the SQL loader does today."""
    import sigma.portfolio.service as service

    load = service.load_view
    flows = w.svc.cash_flows(w.alice, pid)[["date", "kind", "amount"]] if with_flows else None
    monkeypatch.setattr(service, "load_view", lambda *a, **k: replace(load(*a, **k), flows=flows))


def test_income_from_received_dividends_and_yield_on_cost(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _book(world)
    _loader(monkeypatch, world, pid, with_flows=True)
    inc = world.svc.view(world.alice, pid).income
    assert inc is not None and inc.basis == "received" and not inc.notes
    # one dividend of $50 in September; cost of the open longs = 10 × 200 + 5 × 400 = 4,000
    assert inc.ttm == pytest.approx(50.0) and inc.cost_basis == pytest.approx(4_000.0)
    assert inc.yield_on_cost == pytest.approx(50.0 / 4_000.0)
    assert list(inc.by_month["month"]) == ["2026-09"] and list(inc.by_month["basis"]) == ["received"]


def test_income_without_flows_is_projected_and_says_so(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    pid = _book(world)
    _loader(monkeypatch, world, pid, with_flows=False)
    view = world.svc.view(world.alice, pid)
    inc = view.income
    assert inc is not None and inc.basis == "projected" and inc.notes == [NO_FLOWS]
    rows = view.holdings.set_index("symbol")
    yields = world.market.profiles(["AAPL", "MSFT"]).set_index("symbol")["dividend_yield"].fillna(0.0)
    # Σ market value × dividend yield over the open stocks
    expected = sum(rows.loc[s, "market_value"] * yields[s] for s in ("AAPL", "MSFT"))
    assert inc.ttm == pytest.approx(expected) and len(inc.by_month) == 12
    assert np.isfinite(inc.by_month["amount"]).all()


def _draw(view) -> None:  # type: ignore[no-untyped-def]
    from sigma.ui.portfolio import performance
    from sigma.ui.portfolio import view as holdings_table

    performance.period_returns(view)
    performance.allocation(view)
    performance.income(view)
    holdings_table.holdings(view)


def test_the_performance_sections_draw_percentages_notes_and_the_cash_line(world: World) -> None:
    from streamlit.testing.v1 import AppTest

    from sigma.ui.portfolio.performance import returns_table

    view = world.svc.view(world.alice, _book(world))
    table = returns_table(view).set_index("Period")
    assert table.loc["3Y", "Time-weighted"] == "n/a"  # the reason is said under the table
    assert table.loc["1D", "Time-weighted"].endswith("%") and table.loc["3Y", "Basis"] == "cumulative"
    at = AppTest.from_function(_draw, args=(view,), default_timeout=60).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["Period"]) == ["1D", "MTD", "YTD", "1Y", "3Y", "Since inception"]
    assert at.dataframe[1].value["symbol"].iloc[-1] == "Cash"
    assert any("3Y: n/a (history starts 2026-01-05)." in c.value for c in at.caption)
    assert any(m.label.startswith("12-month income") for m in at.metric)
