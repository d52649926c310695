"""Portfolio service: the view's KPIs by hand, the equity curve, tag filtering and bounded SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from sqlalchemy import event

from sigma.conventions import PositionType
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

ENTRIES = (date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2))


def _three(w: World) -> int:
    svc, alice = w.svc, w.alice
    pid = svc.create_portfolio(alice, "Three", cash=1_000.0).id
    a = svc.add_position(alice, pid, stock("AAPL", 10, 200.0, ENTRIES[0]))
    svc.add_position(alice, pid, stock("MSFT", 5, 400.0, ENTRIES[1]))
    svc.add_position(alice, pid, stock("XOM", 8, 100.0, ENTRIES[2], short=True))
    svc.set_target(alice, a, target_eoy=400.0)
    return pid


def test_kpis_equal_a_hand_computation_on_a_three_position_book(world: World) -> None:
    pid = _three(world)
    view = world.svc.view(world.alice, pid)
    last = {s: world.close(s).iloc[-1] for s in ("AAPL", "MSFT", "XOM")}
    prev = {s: world.close(s).iloc[-2] for s in ("AAPL", "MSFT", "XOM")}
    k = view.kpis
    long, short = 10 * last["AAPL"] + 5 * last["MSFT"], -8 * last["XOM"]
    nav = 1_000.0 + long + short  # cash + Σ sign × qty × price
    assert view.as_of == date(2026, 11, 20)
    assert k.nav == pytest.approx(nav)
    assert (k.long, k.short, k.gross, k.net) == pytest.approx((long, short, long - short, long + short))
    assert k.gross_pct == pytest.approx((long - short) / nav)
    # unrealized = 10 (P_AAPL − 200) + 5 (P_MSFT − 400) − 8 (P_XOM − 100)
    assert k.unrealized_pnl == pytest.approx(
        10 * (last["AAPL"] - 200) + 5 * (last["MSFT"] - 400) - 8 * (last["XOM"] - 100)
    )
    day = 10 * (last["AAPL"] - prev["AAPL"]) + 5 * (last["MSFT"] - prev["MSFT"]) - 8 * (last["XOM"] - prev["XOM"])
    prev_nav = 1_000.0 + 10 * prev["AAPL"] + 5 * prev["MSFT"] - 8 * prev["XOM"]
    assert k.day_pnl == pytest.approx(day) and k.day_pnl_pct == pytest.approx(day / prev_nav)
    # expected return: AAPL exposure × (400 / P − 1) / NAV = 10 (400 − P) / NAV; coverage = 10 P / gross
    assert k.expected_return == pytest.approx(10 * (400.0 - last["AAPL"]) / nav)
    assert k.target_coverage == pytest.approx(10 * last["AAPL"] / (long - short))
    assert k.realized_pnl == 0.0 and k.theta_dollars == 0.0 and k.delta_dollars == pytest.approx(long + short)
    assert k.health is not None and 0.0 <= k.health.score <= 100.0 and len(k.health.components) == 5


def test_beta_agrees_with_statsmodels_ols_on_the_snapshot_returns(world: World) -> None:
    view = world.svc.view(world.alice, _three(world))
    eq = view.equity.set_index("date")
    wealth = 1.0 + eq["twr_cum"]
    book = (wealth / wealth.shift(1) - 1.0).iloc[1:]
    spy = world.close("SPY")
    bench = (spy / spy.shift(1) - 1.0).reindex(book.index)
    fit = sm.OLS(book.to_numpy(), sm.add_constant(bench.to_numpy())).fit()
    # same definition (OLS slope, ≤ 252 obs, here ~220); tolerance 1e-9
    assert view.kpis.beta == pytest.approx(fit.params[1], abs=1e-9)


def test_beta_is_none_with_a_reason_below_sixty_returns(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "New").id
    world.svc.add_position(world.alice, pid, stock("AAPL", 1, 100.0, date(2026, 10, 1)))
    view = world.svc.view(world.alice, pid)
    assert view.kpis.beta is None and "60 daily returns" in (view.kpis.beta_reason or "")
    assert any("60 daily returns" in n for n in view.notes)


def test_equity_curve_starts_at_the_first_entry_and_matches_the_benchmark_rebased(world: World) -> None:
    view = world.svc.view(world.alice, _three(world))
    eq = view.equity
    assert eq["date"].iloc[0] == ENTRIES[0] and eq["twr_cum"].iloc[0] == 0.0
    assert eq["date"].iloc[-1] == view.as_of
    spy = world.close("SPY")
    # benchmark rebased to the first day: P_t / P_first − 1
    assert eq["benchmark_cum"].iloc[-1] == pytest.approx(spy.iloc[-1] / spy[ENTRIES[0]] - 1.0)
    assert (eq["drawdown"] <= 0).all() and (eq["benchmark_drawdown"] <= 0).all()
    assert eq["nav"].iloc[-1] == pytest.approx(view.kpis.nav)


def test_a_tag_filters_the_tables_but_not_the_kpis(world: World) -> None:
    pid = _three(world)
    full = world.svc.view(world.alice, pid)
    tag = world.svc.create_tag(world.alice, "Tech", "#000000")
    ids = full.holdings.set_index("symbol")["position_id"]
    world.svc.tag_positions(world.alice, [int(ids["AAPL"]), int(ids["MSFT"])], tag.id)
    view = world.svc.view(world.alice, pid, tag="Tech")
    assert sorted(view.holdings["symbol"]) == ["AAPL", "MSFT"]
    assert view.kpis.nav == pytest.approx(full.kpis.nav)
    assert list(view.exposures["tag"]["group"]) == ["Tech"]
    assert set(view.attribution["symbol"]) <= {"AAPL", "MSFT"}
    assert {item.symbol for item in view.activity} <= {"AAPL", "MSFT"}
    assert any("KPIs are for the whole book" in n for n in view.notes)


def test_options_table_and_sparks(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Opt").id
    world.svc.add_position(
        world.alice, pid, option("NVDA", PositionType.SC, 2, 8.0, date(2026, 6, 1), 150.0, date(2027, 1, 15))
    )
    view = world.svc.view(world.alice, pid)
    row = view.options.iloc[0]
    assert (row["underlying"], row["days_to_expiry"], row["expired"]) == ("NVDA", 56, False)  # 2026-11-20 → 2027-01-15
    assert row["delta"] < 0 and row["theta"] > 0  # a short call: negative delta, earns theta
    assert row["vol_source"] == "realized 30d (no VIX)"  # this world stores no ^VIX: the surface has no ATM level
    spark = view.holdings["spark"].iloc[0]
    np.testing.assert_allclose(spark, world.close("NVDA").iloc[-63:].round(4).to_numpy())


@contextmanager
def _statements(w: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(w.db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(w.db.engine, "before_cursor_execute", count)


def _book(w: World, n: int) -> int:
    pid = w.svc.create_portfolio(w.alice, f"Book {n}", cash=10_000.0).id
    symbols = ("AAPL", "MSFT", "NVDA", "XOM", "SPY")
    tag = w.svc.create_tag(w.alice, f"T{n}", "#000000").id
    ids = []
    for i in range(n):  # building the book, not the code under test
        day = date(2026, 1 + i % 9, 5)
        if i % 5 == 4:
            draft = option("AAPL", PositionType.LC, 1 + i % 3, 5.0, day, 250.0, date(2027, 1, 15))
        else:
            draft = stock(symbols[i % 5], 1 + i, 100.0 + i, day, short=i % 7 == 3)
        ids.append(w.svc.add_position(w.alice, pid, draft))
    w.svc.tag_positions(w.alice, ids[::2], tag)
    w.svc.set_target(w.alice, ids[0], target_eoy=300.0)
    return pid


def test_view_sql_statements_do_not_grow_with_the_book(world: World) -> None:
    small, large = _book(world, 5), _book(world, 50)
    counts = []
    for pid in (small, large):
        world.svc.view(world.alice, pid)  # first call backfills the snapshots
        with _statements(world) as seen:
            view = world.svc.view(world.alice, pid)
        counts.append(len(seen))
        assert not any("Snapshots backfilled" in n for n in view.notes)
    assert 0 < counts[0] == counts[1] <= 12, counts


def test_attribution_sums_to_the_windows_pnl_by_hand(world: World) -> None:
    view = world.svc.view(world.alice, _three(world), attribution_days=21)
    eq = view.equity
    first, last = eq["date"].iloc[-22], eq["date"].iloc[-1]  # a window of 21 daily returns
    units = {"AAPL": 10.0, "MSFT": 5.0, "XOM": -8.0}
    # each symbol: signed units × (P_last − P_first); no flows in the window, so Σ = NAV_last − NAV_first
    hand = {s: q * (world.close(s)[last] - world.close(s)[first]) for s, q in units.items()}
    got = view.attribution.set_index("symbol")
    assert got["pnl"].to_dict() == pytest.approx(hand, abs=1e-6)
    assert got["pnl"].sum() == pytest.approx(eq["nav"].iloc[-1] - eq["nav"].iloc[-22], abs=1e-6)
    assert got["contribution_pct"].to_dict() == pytest.approx(
        {s: v / eq["nav"].iloc[-22] for s, v in hand.items()}, abs=1e-12
    )


def test_a_50000_deposit_raises_nav_and_cash_by_exactly_50000(world: World) -> None:
    pid = _three(world)
    before = world.svc.view(world.alice, pid).kpis
    world.svc.record_cash_flow(world.alice, pid, date(2026, 11, 20), "deposit", 50_000.0)
    after = world.svc.view(world.alice, pid).kpis
    assert after.nav - before.nav == 50_000.0
    assert world.svc.get_portfolio(world.alice, pid).cash == 1_000.0 + 50_000.0
    assert (after.long, after.short, after.unrealized_pnl) == (before.long, before.short, before.unrealized_pnl)


def test_the_health_scores_inputs_are_the_books_beta_volatility_and_concentration(world: World) -> None:
    view = world.svc.view(world.alice, _three(world))
    k = view.kpis
    assert k.health is not None
    inputs = {c.name: c.value for c in k.health.components}
    eq = view.equity.set_index("date")
    wealth = 1.0 + eq["twr_cum"]
    book = (wealth / wealth.shift(1) - 1.0).iloc[1:]
    book.index = pd.to_datetime(book.index)
    spy = world.close("SPY")
    spy.index = pd.to_datetime(spy.index)
    paired = pd.concat([book, spy.pct_change()], axis=1, join="inner").dropna().iloc[-252:]
    last = {s: world.close(s).iloc[-1] for s in ("AAPL", "MSFT", "XOM")}
    exposure = np.array([10 * last["AAPL"], 5 * last["MSFT"], -8 * last["XOM"]])
    weights = np.abs(exposure) / k.nav  # NAV weights, one position per symbol
    hhi_score = np.clip((0.30 - (weights**2).sum()) / 0.25, 0, 1)
    top_score = np.clip((0.30 - weights.max()) / 0.25, 0, 1)
    # beta to SPY; vol = book vol / SPY vol on the same (≤ 252) dates; concentration's value is its
    # binding input (HHI of NAV weights or the largest weight); leverage = gross / NAV
    assert inputs["Beta"] == pytest.approx(k.beta, abs=1e-12)
    vols = paired.std(ddof=1)
    assert inputs["Volatility"] == pytest.approx(vols.iloc[0] / vols.iloc[1], rel=1e-9)
    binding = weights.max() if top_score <= hhi_score else (weights**2).sum()
    assert inputs["Concentration"] == pytest.approx(binding, rel=1e-12)
    assert inputs["Leverage"] == pytest.approx(np.abs(exposure).sum() / k.nav, rel=1e-12)
    total = sum(c.weight * c.score for c in k.health.components if c.weight > 0)
    assert k.health.score == pytest.approx(total, abs=1e-12)
    assert sum(c.weight for c in k.health.components) == pytest.approx(1.0)
