"""The simulated market looks like a market: each statistical range states where it comes from.

One fixed seed and end date (deterministic); the figures quoted are approximate, from public
history (Yahoo Finance closes, CBOE VIX history, FRED daily Treasury yields); the asserted bands
are wider than the history so they test plausibility, not one seed's luck.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sigma.market import SimulatedMarket, simulated_market
from sigma.market.universe import YIELD_SYMBOLS, load_universe

END = date(2026, 11, 20)


@pytest.fixture(scope="module")
def decade() -> SimulatedMarket:
    return simulated_market(end=END, years=10, seed=1)


@pytest.fixture(scope="module")
def returns(decade: SimulatedMarket) -> pd.DataFrame:
    return decade.close.pct_change(fill_method=None).iloc[1:]


def _stocks() -> list[str]:
    uni = load_universe()
    return uni.loc[uni["asset_class"] == "equity", "symbol"].tolist()


# --- levels at the end date ------------------------------------------------------------------


def test_index_and_etf_levels_end_near_their_late_2025_references(decade: SimulatedMarket) -> None:
    # universe.csv ref_price: Yahoo closes of 2025-10-31 (SPY 680, QQQ 630, IWM 250, DIA 475, TLT 91, GLD 370)
    ref = load_universe().set_index("symbol")["ref_price"]
    last = decade.close.iloc[-1]
    for symbol in ("SPY", "QQQ", "IWM", "DIA", "TLT", "GLD", "AOR"):
        assert last[symbol] == pytest.approx(ref[symbol], rel=0.10), symbol


def test_vix_and_yields_end_near_their_late_2025_levels(decade: SimulatedMarket) -> None:
    # Late 2025 (CBOE, FRED): VIX 15-20, 10-year 4.0-4.2 %, 3-month bill 3.8-4.0 %, in percent points
    last = decade.close.iloc[-1]
    assert 10.0 < last["^VIX"] < 30.0
    assert 3.5 < last["^TNX"] < 4.7
    assert 3.0 < last["^IRX"] < 4.4


def test_spy_one_year_return_at_the_end_is_plausible(decade: SimulatedMarket) -> None:
    # S&P 500 calendar-year total returns 1990-2024: -37 % (2008) to +34 % (1995)
    spy = decade.close["SPY"]
    assert -0.25 < spy.iloc[-1] / spy.iloc[-253] - 1.0 < 0.35


def test_the_decade_replays_the_sp500_growth(decade: SimulatedMarket) -> None:
    # S&P 500 closes 2198 (2016-11-21) and 6840 (2025-10-31): x3.11, x3.6 with ~1.8 %/yr dividends
    spy = decade.close["SPY"]
    assert 3.0 < spy.loc["2025-10-31"] / spy.loc["2016-11-21"] < 4.3


# --- the VIX -----------------------------------------------------------------------------------


def test_vix_daily_moves_are_bounded(decade: SimulatedMarket) -> None:
    # CBOE VIX history 1990-2025: max daily change +115 % (2018-02-05), largest fall about -30 %
    ratio = decade.close["^VIX"].pct_change().iloc[1:] + 1.0
    assert ratio.max() <= 2.0 + 1e-9 and ratio.min() >= 0.6 - 1e-9
    assert (ratio > 1.25).sum() < 40  # +25 % days are rare: a few dozen in 35 years of history


def test_vix_rises_when_the_market_falls(decade: SimulatedMarket, returns: pd.DataFrame) -> None:
    # CBOE VIX vs S&P 500 daily changes 2010-2025: correlation about -0.7 to -0.8
    rho = returns["^VIX"].corr(returns["SPY"])
    assert -0.85 < rho < -0.55


def test_vix_mean_reverts_around_a_plausible_level(decade: SimulatedMarket) -> None:
    # CBOE VIX 1990-2025: median about 17.6, daily log VIX AR(1) about 0.98 (half-life a few weeks),
    # daily log-change sd about 7 %; closes 9.14 (2017-11-03) to 82.69 (2020-03-16)
    vix = decade.close["^VIX"]
    log_vix = np.log(vix)
    assert 13.0 < vix.median() < 22.0
    assert 0.95 < log_vix.autocorr(1) < 0.998
    assert 0.04 < log_vix.diff().std() < 0.10
    covid = vix[(vix.index >= "2020-02-19") & (vix.index <= "2020-04-30")]
    assert vix.between(9.0, 85.0).all() and covid.max() > 50.0


# --- yields ------------------------------------------------------------------------------------


def test_the_10_year_yield_moves_in_basis_points(decade: SimulatedMarket) -> None:
    # FRED DGS10 daily changes 2015-2025: std about 6 bp; largest since 2000: -47 bp (2009-03-18, QE1)
    change_bp = decade.close["^TNX"].diff().iloc[1:] * 100.0
    assert 4.0 < change_bp.std() < 9.0
    assert change_bp.abs().max() < 50.0


def test_yields_stay_in_bounds_and_jump_in_relative_terms_only_near_zero(decade: SimulatedMarket) -> None:
    # FRED DTB3/DGS5/DGS10/DGS30 2005-2025: 0 to 5.5 %; the 3-month bill fell from ~1.5 % to ~0 in
    # March 2020 (emergency cuts), so large relative moves happen only near the zero bound
    y = decade.close[list(YIELD_SYMBOLS)]
    assert ((y >= 0.0) & (y <= 8.0)).all().all()
    prev, change = y.shift().iloc[1:], y.diff().iloc[1:]
    assert (change.abs() * 100.0).max().max() < 50.0
    relative = (change / prev).abs()
    assert not ((relative > 0.25) & (prev >= 1.5)).any().any()
    assert (change.abs()[prev < 0.5] * 100.0).max().max() < 20.0  # near zero, moves are a few bp


# --- listings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("symbol", "listed"),
    [("IBIT", date(2024, 1, 11)), ("ETHA", date(2024, 7, 23)), ("SGOV", date(2020, 5, 26)), ("XLC", date(2018, 6, 18))],
)
def test_no_history_before_inception(decade: SimulatedMarket, symbol: str, listed: date) -> None:
    # issuer fact sheets: fund inception dates
    listed_days = decade.close.index[decade.close[symbol].notna().to_numpy()]
    assert listed_days[0].date() == listed
    bars = decade.bars([symbol])
    assert bars["date"].min() == listed and bars[["open", "high", "low", "close"]].notna().all().all()


# --- volatility and correlation ----------------------------------------------------------------


def test_spy_and_single_stock_volatilities(returns: pd.DataFrame) -> None:
    # S&P 500 realised vol 2015-2025 about 17-18 %; single large caps 15-25 % (staples, utilities)
    # to 40-60 % (NVDA, TSLA)
    assert 0.14 < returns["SPY"].std() * np.sqrt(252) < 0.20
    vol = returns[_stocks()].std() * np.sqrt(252)
    assert vol.between(0.14, 0.65).all() and 0.20 < vol.median() < 0.40


def test_stocks_correlate_with_the_market_in_the_usual_range(returns: pd.DataFrame) -> None:
    # S&P 500 large caps vs SPY, daily returns 2015-2025: mostly 0.4-0.8 (defensives near 0.3-0.4)
    rho = returns[_stocks()].corrwith(returns["SPY"])
    assert rho.between(0.2, 0.9).all() and 0.45 < rho.median() < 0.75


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("NVDA", "AMZN", 0.35, 0.65),  # 2015-2025 daily: about 0.45-0.5
        ("NVDA", "AMD", 0.35, 0.8),  # same industry: about 0.6
        ("JPM", "BAC", 0.5, 0.9),  # about 0.8
        ("XOM", "CVX", 0.5, 0.9),  # about 0.8
        ("AAPL", "MSFT", 0.4, 0.8),  # about 0.6
        ("KO", "PEP", 0.3, 0.8),  # about 0.6
        ("TLT", "SPY", -0.45, 0.2),  # about -0.3 2015-2021, positive in 2022
        ("GLD", "SPY", -0.05, 0.3),  # about 0.0-0.1
        ("AOR", "SPY", 0.85, 0.99),  # a 60/40 fund: about 0.95
    ],
)
def test_pair_correlations_sit_in_their_usual_ranges(
    returns: pd.DataFrame, a: str, b: str, low: float, high: float
) -> None:
    # Yahoo Finance daily total returns, 2015-2025 (approximate)
    assert low < returns[a].corr(returns[b]) < high


def test_the_balanced_fund_carries_about_sixty_percent_of_the_equity_risk(returns: pd.DataFrame) -> None:
    # iShares AOR 2009-2025: beta to the S&P 500 about 0.6, volatility about 10 % (0.55-0.65 x SPY's)
    beta = returns["AOR"].cov(returns["SPY"]) / returns["SPY"].var()
    assert 0.5 < beta < 0.7
    assert 0.45 < returns["AOR"].std() / returns["SPY"].std() < 0.75
