"""Period returns: IRR and TWR against hand-solved examples, annualisation, the period table, properties."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.portfolio.returns import (
    RETURN_COLUMNS,
    annualise,
    irr,
    mwr,
    period_returns,
    price_return,
    solve_growth,
    twr,
)

D0 = date(2026, 3, 2)


def _snaps(navs: list[float], flows: list[float], start: date = D0) -> pd.DataFrame:
    """One snapshot per calendar day from `start`."""
    return pd.DataFrame({"date": [start + timedelta(days=i) for i in range(len(navs))], "nav": navs, "flows": flows})


def test_irr_of_one_year_minus_1000_plus_1100_is_ten_percent() -> None:
    # −1000 + 1100 / (1 + r) = 0  →  r = 10 %
    assert irr(np.array([0.0, 1.0]), np.array([-1000.0, 1100.0])) == pytest.approx(0.10, abs=1e-12)


def test_irr_of_two_contributions_solved_with_the_quadratic_formula() -> None:
    # −1000 (1+r)² − 1000 (1+r) + 2310 = 0  →  x² + x − 2.31 = 0, x = (−1 + √10.24) / 2 = 1.1
    assert irr(np.array([0.0, 1.0, 2.0]), np.array([-1000.0, -1000.0, 2310.0])) == pytest.approx(0.10, abs=1e-12)
    # −100 x² + 50 x + 60 = 0  →  x = (50 + √26500) / 200 = 1.0639410...
    expected = (50.0 + math.sqrt(26_500.0)) / 200.0 - 1.0
    assert irr(np.array([0.0, 1.0, 2.0]), np.array([-100.0, 50.0, 60.0])) == pytest.approx(expected, abs=1e-12)
    assert expected == pytest.approx(0.0639410, abs=1e-7)


def test_irr_over_half_a_year_is_annual() -> None:
    # −100 now, +105 in half a year: (1.05)² − 1 = 10.25 % a year
    assert irr(np.array([0.0, 0.5]), np.array([-100.0, 105.0])) == pytest.approx(0.1025, abs=1e-12)


def test_no_sign_change_has_no_irr() -> None:
    assert math.isnan(irr(np.array([0.0, 1.0]), np.array([100.0, 10.0])))


def test_a_deposit_does_not_create_time_weighted_return() -> None:
    # NAV 100 → 110, then a deposit of 50 (NAV 160, end of day), then 160 → 176:
    # r1 = (160 − 50) / 100 − 1 = 10 %, r2 = 176 / 160 − 1 = 10 %, TWR = 1.1 × 1.1 − 1 = 21 %
    snaps = _snaps([100.0, 160.0, 176.0], [0.0, 50.0, 0.0])
    assert twr(snaps, D0, D0 + timedelta(days=2)) == pytest.approx(0.21, abs=1e-12)


def test_money_weighted_return_across_the_same_deposit() -> None:
    # −100 at day 0, −50 at day 1, +176 at day 2; y = (1+g)^(−1/2): 176 y² − 50 y − 100 = 0
    # y = (50 + √72900) / 352 = 320 / 352 = 10/11, so 1 + g = 1.21: equal to the TWR (even steps)
    snaps = _snaps([100.0, 160.0, 176.0], [0.0, 50.0, 0.0])
    assert mwr(snaps, D0, D0 + timedelta(days=2)) == pytest.approx(0.21, abs=1e-12)


def test_money_weighted_rewards_a_deposit_before_a_rally_where_time_weighted_does_not() -> None:
    # 100 → 50 (−50 %), deposit 100 → 150, → 300 (+100 %): TWR = 0.5 × 2 − 1 = 0
    # MWR: 300 y² − 100 y − 100 = 0, y = (100 + √130000) / 600, 1 + g = 1 / y²
    snaps = _snaps([100.0, 150.0, 300.0], [0.0, 100.0, 0.0])
    end = D0 + timedelta(days=2)
    y = (100.0 + math.sqrt(130_000.0)) / 600.0
    assert twr(snaps, D0, end) == pytest.approx(0.0, abs=1e-12)
    assert mwr(snaps, D0, end) == pytest.approx(1.0 / y**2 - 1.0, abs=1e-12)
    assert mwr(snaps, D0, end) == pytest.approx(0.6972, abs=1e-4)


def test_annualisation_reference_values() -> None:
    # 21 % over two years (730 days) is 10 % a year; 33.1 % over 1095 days is 10 % a year
    assert annualise(0.21, 730) == pytest.approx(0.10, abs=1e-12)
    assert annualise(0.331, 1095) == pytest.approx(0.10, abs=1e-12)
    assert annualise(0.05, 365) == pytest.approx(0.05, abs=1e-15)
    assert math.isnan(annualise(-1.0, 365)) and math.isnan(annualise(0.1, 0))


def test_benchmark_return_uses_the_last_close_on_or_before_each_date() -> None:
    close = pd.Series([100.0, 104.0, 110.0], index=pd.to_datetime(["2026-03-02", "2026-03-04", "2026-03-06"]))
    # start 2026-03-03 → 100 (close of the 2nd), end 2026-03-05 → 104: +4 %
    assert price_return(close, date(2026, 3, 3), date(2026, 3, 5)) == pytest.approx(0.04)
    assert math.isnan(price_return(close, date(2026, 3, 1), date(2026, 3, 5)))


def _growing_book(start: str, end: str, daily: float) -> pd.DataFrame:
    days = pd.bdate_range(start, end)
    navs = 1_000.0 * (1.0 + daily) ** np.arange(len(days))
    return pd.DataFrame({"date": days.date, "nav": navs, "flows": 0.0})


def test_period_table_values_and_periods_longer_than_the_history_say_na() -> None:
    snaps = _growing_book("2024-06-03", "2026-11-20", 0.0004)
    bench = pd.Series(snaps["nav"].to_numpy() / 10.0, index=pd.to_datetime(snaps["date"]))
    table = period_returns(snaps, bench).set_index("period")
    assert list(table.columns) == list(RETURN_COLUMNS[1:])
    dates = list(snaps["date"])
    # YTD: from the last snapshot of 2025 (31 Dec 2025, a Wednesday) to 20 Nov 2026
    n_ytd = len(pd.bdate_range("2025-12-31", "2026-11-20")) - 1
    ytd = table.loc["YTD"]
    assert ytd["start"] == date(2025, 12, 31) and not ytd["annualised"]
    assert ytd["twr"] == pytest.approx(1.0004**n_ytd - 1.0, rel=1e-12)
    assert ytd["mwr"] == pytest.approx(ytd["twr"], rel=1e-10)  # no flows inside: MWR = TWR
    assert ytd["benchmark"] == pytest.approx(ytd["twr"], rel=1e-12)  # the benchmark moved as the book
    assert table.loc["1D", "twr"] == pytest.approx(0.0004, rel=1e-12)
    assert table.loc["1Y", "start"] == date(2025, 11, 20)
    # since inception spans > 1 year: annualised on calendar days
    si = table.loc["Since inception"]
    total = 1.0004 ** (len(dates) - 1) - 1.0
    assert si["annualised"] and si["twr"] == pytest.approx(annualise(total, (dates[-1] - dates[0]).days))
    three = table.loc["3Y"]
    assert math.isnan(three["twr"]) and math.isnan(three["mwr"]) and math.isnan(three["benchmark"])
    assert three["note"] == "n/a (history starts 2024-06-03)"


def test_empty_snapshots_give_an_empty_table() -> None:
    assert period_returns(pd.DataFrame(columns=["date", "nav", "flows"]), pd.Series(dtype=float)).empty


returns_st = st.lists(st.floats(-0.2, 0.2), min_size=2, max_size=30)


@settings(max_examples=60, deadline=None)
@given(returns=returns_st, seed=st.integers(0, 10_000))
def test_twr_ignores_flows(returns: list[float], seed: int) -> None:
    # the same daily returns with any deposits and withdrawals give the same TWR
    flows = np.random.default_rng(seed).uniform(-20.0, 50.0, len(returns))
    flows[0] = 0.0
    navs = [100.0]
    for r, f in zip(returns[1:], flows[1:], strict=True):  # building the path day by day (the oracle)
        navs.append(navs[-1] * (1.0 + r) + f)
    if min(navs) <= 0:
        return
    snaps = _snaps(navs, list(flows))
    expected = float(np.prod(1.0 + np.array(returns[1:]))) - 1.0
    assert twr(snaps, D0, D0 + timedelta(days=len(navs) - 1)) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    times=st.lists(st.floats(0.01, 5.0), min_size=1, max_size=8),
    amounts=st.lists(st.floats(1.0, 1_000.0), min_size=1, max_size=8),
    final=st.floats(50.0, 20_000.0),  # down to about −60 % a year: IRR stays well conditioned
    scale=st.floats(0.01, 100.0),
)
def test_irr_zeroes_the_npv_and_does_not_depend_on_scale(
    times: list[float], amounts: list[float], final: float, scale: float
) -> None:
    n = min(len(times), len(amounts))
    t = np.concatenate([[0.0], np.sort(np.array(times[:n])), [6.0]])
    a = np.concatenate([[-100.0], -np.array(amounts[:n]), [final]])  # outflows then one inflow: one root
    rate = irr(t, a)
    assert rate > -1.0
    terms = a * (1.0 + rate) ** -t
    assert abs(terms.sum()) <= 1e-8 * np.abs(terms).sum()  # NPV 0 up to rounding of its terms
    assert irr(t, scale * a) == pytest.approx(rate, rel=1e-7, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(navs=st.lists(st.floats(1.0, 1_000.0), min_size=2, max_size=20))
def test_without_flows_inside_the_period_money_and_time_weighted_agree(navs: list[float]) -> None:
    snaps = _snaps(navs, [0.0] * len(navs))
    end = D0 + timedelta(days=len(navs) - 1)
    assert mwr(snaps, D0, end) == pytest.approx(navs[-1] / navs[0] - 1.0, rel=1e-9, abs=1e-12)
    assert twr(snaps, D0, end) == pytest.approx(navs[-1] / navs[0] - 1.0, rel=1e-9, abs=1e-12)


def test_solve_growth_is_nan_without_a_bracket() -> None:
    assert math.isnan(solve_growth(np.array([0.0, 1.0]), np.array([-1.0, -1.0])))
