"""Reference values worked out by hand (arithmetic in the comments): tracking error, information
ratio, the drawdown series, parametric CVaR, delta-adjusted parametric VaR, stress P&L to the
dollar, and the NaN beta guard."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sigma.errors import InsufficientHistory
from sigma.risk.beta import market_beta
from sigma.risk.performance import beta, drawdown, information_ratio, max_drawdown, tracking_error
from sigma.risk.stress import Scenario, run_scenario
from sigma.risk.tail import historical_cvar, historical_var, parametric_cvar, parametric_var
from sigma.risk.var import value_at_risk
from sigma.risk.view.performance import _betas
from tests.risk.test_var import _put  # 100 × a 3-month 95 put on an asset at 100, vol 25 %, r 4 %

DAYS = pd.bdate_range("2024-01-02", periods=100)
# book r and benchmark b on four days; active a = r − b = [+1 %, −1 %, +1 %, +1 %]
BOOK = pd.DataFrame({"book": [0.02, 0.00, 0.01, -0.01]}, index=DAYS[:4])
BENCH = pd.Series([0.01, 0.01, 0.00, -0.02], index=DAYS[:4])
ALTERNATING = pd.DataFrame({"X": np.tile([0.01, -0.01], 50)}, index=DAYS)  # mean 0, σ = 0.01·√(100/99)


def test_tracking_error_is_the_annualised_std_of_active_returns() -> None:
    # mean(a) = 0.5 %; deviations +0.5, −1.5, +0.5, +0.5 (%); Σ d² = 3e-4; / 3 = 1e-4 → σ = 1 %
    # TE = 0.01 · √252 = 0.158745
    assert tracking_error(BOOK, BENCH)["book"] == pytest.approx(0.158745079, abs=1e-9)


def test_information_ratio_is_annualised_active_mean_over_tracking_error() -> None:
    # IR = (mean r − mean b) · 252 / TE = 0.005 · 252 / 0.158745 = 1.26 / 0.158745 = 7.937254
    assert information_ratio(BOOK, BENCH)["book"] == pytest.approx(7.937253933, abs=1e-9)


def test_a_benchmark_copy_has_zero_tracking_error_and_no_information_ratio() -> None:
    copy = BENCH.to_frame("book")
    assert tracking_error(copy, BENCH)["book"] == 0.0
    assert math.isnan(information_ratio(copy, BENCH)["book"])  # 0 / 0 is not a ratio


def test_the_drawdown_series_by_hand_counts_the_starting_one_as_a_peak() -> None:
    r = pd.DataFrame({"a": [-0.10, 0.10, -0.20, np.nan, 0.05, 0.40]}, index=DAYS[:6])
    # wealth 0.9, 0.99, 0.792, (0.792), 0.8316, 1.16424; peak 1, 1, 1, 1, 1, 1.16424
    expected = [-0.10, -0.01, -0.208, np.nan, -0.1684, 0.0]
    np.testing.assert_allclose(drawdown(r)["a"].to_numpy(), expected, rtol=0, atol=1e-12)
    assert max_drawdown(r)["a"] == pytest.approx(-0.208, abs=1e-12)


def test_parametric_var_and_cvar_of_returns_by_hand() -> None:
    # σ = 0.01 · √(100/99) = 0.0100504, μ = 0; z95 = 1.644854, φ(z95) = 0.103136
    # VaR95 = 1.644854 · 0.0100504 = 0.0165314; CVaR95 = 0.0100504 · 0.103136 / 0.05 = 0.0207311
    assert parametric_var(ALTERNATING, 0.95)["X"] == pytest.approx(0.0165314, abs=1e-7)
    assert parametric_cvar(ALTERNATING, 0.95)["X"] == pytest.approx(0.0207311, abs=1e-7)


def test_parametric_cvar_of_a_book_is_sigma_phi_z_over_the_tail_in_dollars() -> None:
    got = value_at_risk(pd.Series({"X": 1e6}), ALTERNATING, 1e7, method="parametric", horizons=(1, 10))
    # σ$ = 10,050.38; z99 = 2.326348, φ(z99) = 0.0266521: CVaR99 = 10,050.38 · 0.0266521 / 0.01 = 26,786.41
    assert got.cvar("parametric", 0.99, 1) == pytest.approx(26786.41, abs=0.01)
    assert got.cvar("parametric", 0.99, 10) == pytest.approx(26786.41 * math.sqrt(10), abs=0.05)
    assert got.table.loc[("parametric", 0.99, 1), "cvar_pct"] == pytest.approx(26786.41 / 1e7, abs=1e-9)


def _put_delta() -> float:
    # d1 = (ln(100/95) + (0.04 + 0.25²/2) · 0.25) / (0.25 · 0.5) = 0.552846; Δ_put = N(d1) − 1 = −0.290184
    d1 = (math.log(100 / 95) + (0.04 + 0.25**2 / 2) * 0.25) / (0.25 * math.sqrt(0.25))
    return float(norm.cdf(d1) - 1.0)


def test_parametric_var_adds_the_options_dollar_delta_to_the_underlying() -> None:
    delta = _put_delta()
    assert delta == pytest.approx(-0.290184, abs=1e-6)
    got = value_at_risk(pd.Series({"X": 1e6}), ALTERNATING, 1e7, method="parametric", options=_put(1_000.0))
    # 10 puts × 100: $Δ = 1,000 · (−0.290184) · 100 = −29,018.4; exposure 1e6 − 29,018.4 = 970,981.6
    # VaR99 = 2.326348 · 0.0100504 · 970,981.6 = 23,380.68 · 0.9709816 = 22,702.21
    assert got.var("parametric", 0.99, 1) == pytest.approx(22702.21, abs=0.01)
    assert got.var("parametric", 0.99, 1) == pytest.approx(
        norm.ppf(0.99) * 0.01 * math.sqrt(100 / 99) * (1e6 + 1_000 * delta * 100), rel=1e-9
    )


def test_an_options_only_book_has_the_parametric_var_of_its_delta() -> None:
    got = value_at_risk(pd.Series(dtype=float), ALTERNATING, 1e7, method="parametric", options=_put(1_000.0))
    # |$Δ| = 29,018.4: VaR99 = 23,380.68 · 0.0290184 = 678.47
    assert got.var("parametric", 0.99, 1) == pytest.approx(678.47, abs=0.01)


BETAS = pd.DataFrame(
    {"market": [1.2, 0.8, 0.0], "oil": [0.0, 0.5, 0.0], "rates": [-0.05, 0.0, -0.17]},
    index=["AAPL", "XOM", "TLT"],
)


def test_stress_pnl_of_a_planted_book_to_the_dollar() -> None:
    book = pd.Series({"AAPL": 100_000.0, "XOM": -50_000.0, "TLT": 20_000.0})
    scenario = Scenario("planted", {"market": -0.10, "oil": 0.20, "rates_bp": 50.0})
    got = run_scenario(scenario, book, BETAS, 200_000.0)
    # AAPL: 1.2 · (−10 %) − 0.05 · 0.50 pp = −14.5 % → −14,500
    # XOM:  0.8 · (−10 %) + 0.5 · 20 % = +2 %, short 50,000 → −1,000
    # TLT:  −0.17 · 0.50 = −8.5 % → −1,700;  total −17,200 = −8.6 % of 200,000
    assert got.positions["pnl"].round(2).to_dict() == {"AAPL": -14_500.0, "XOM": -1_000.0, "TLT": -1_700.0}
    assert got.total == pytest.approx(-17_200.0, abs=0.005)
    assert got.total_pct == pytest.approx(-0.086, abs=1e-12)


def test_a_flat_benchmark_gives_no_beta_rather_than_an_infinite_one() -> None:
    r = pd.DataFrame({"book": np.tile([0.01, -0.01], 40)}, index=DAYS[:80])
    flat = pd.Series(0.0, index=DAYS[:80])
    assert math.isnan(beta(r, flat)["book"])  # var(b) = 0: cov / var is undefined
    assert math.isnan(market_beta(r, flat.where(flat.index < DAYS[30]))["book"])  # 30 pairs < 60


def test_the_performance_view_refuses_a_nan_beta_with_advice() -> None:
    r = pd.DataFrame({"Portfolio": np.tile([0.01, -0.02], 40)}, index=DAYS[:80])
    bench = pd.Series(np.tile([0.005, -0.01], 40), index=DAYS[:80], name="SPY")
    rates = pd.Series(np.tile([0.02, -0.01], 40), index=DAYS[:80])
    got, _, rate = _betas(r, bench, rates)
    # r swings 3 % between two states, the benchmark 1.5 % and the yield 0.03 pp in phase: slopes 2 and 1
    assert (got, rate) == pytest.approx((2.0, 1.0), abs=1e-12)
    with pytest.raises(InsufficientHistory, match="Fewer than 60 common days with SPY"):
        _betas(r, bench.where(bench.index < DAYS[40]), rates)
    with pytest.raises(InsufficientHistory, match="Fewer than 60 common days"):
        _betas(r, bench, rates * 0.0)  # a flat yield: the rate beta is NaN


def test_tail_measures_are_named_by_level() -> None:
    got = [f(ALTERNATING, 0.99).name for f in (historical_var, historical_cvar, parametric_var, parametric_cvar)]
    assert got == ["var_99", "cvar_99", "pvar_99", "pcvar_99"]


def test_historical_tails_of_no_dates_are_nan_and_of_one_return_are_that_loss() -> None:
    empty = pd.DataFrame({"a": [], "b": []}, dtype=float)
    assert historical_var(empty).isna().tolist() == [True, True]
    assert historical_cvar(empty).isna().tolist() == [True, True]
    one = pd.DataFrame({"a": [-0.03, np.nan, np.nan], "b": [np.nan, np.nan, np.nan]})
    # one return of −3 %: every quantile is −3 %, so VaR = CVaR = 3 %; a column of NaN has none
    assert historical_var(one, 0.95).tolist() == pytest.approx([0.03, np.nan], nan_ok=True)
    assert historical_cvar(one, 0.95).tolist() == pytest.approx([0.03, np.nan], nan_ok=True)
