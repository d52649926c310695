"""The simulated market: shape, statistical realism, determinism, prefix stability."""

from __future__ import annotations

import functools
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.errors import UnknownSymbol, ValidationError
from sigma.market import SimulatedMarket, simulated_market
from sigma.market.standard import BAR_COLUMNS, PROFILE_COLUMNS
from sigma.market.universe import YIELD_SYMBOLS, load_universe, universe_symbols

END = date(2026, 11, 20)
LEVELS = [*YIELD_SYMBOLS, "^VIX"]


@pytest.fixture(scope="module")
def decade() -> SimulatedMarket:
    return simulated_market(end=END, years=10, seed=1)


@pytest.fixture(scope="module")
def returns(decade: SimulatedMarket) -> pd.DataFrame:
    return decade.close.pct_change().iloc[1:]


def _distinct_drawdowns(prices: pd.Series, threshold: float) -> int:
    """Drawdowns deeper than `threshold`, counting a new one only after a new high."""
    dd = (prices / prices.cummax() - 1.0).to_numpy()
    new_high = np.r_[True, dd[1:] == 0.0]
    breach = dd < threshold
    episode = np.cumsum(new_high)  # id of the run since the last high
    return len(np.unique(episode[breach]))


def _ohlc_is_consistent(bars: pd.DataFrame) -> bool:
    body_low = np.minimum(bars["open"], bars["close"])
    body_high = np.maximum(bars["open"], bars["close"])
    return bool(((bars["low"] <= body_low) & (body_high <= bars["high"]) & (bars["low"] > 0)).all())


# --- shape ---------------------------------------------------------------------------------


def test_close_is_a_business_day_frame_of_every_universe_symbol(decade: SimulatedMarket) -> None:
    idx = decade.close.index
    assert isinstance(idx, pd.DatetimeIndex) and idx.name == "date" and idx.tz is None
    assert (idx.day_of_week < 5).all() and idx.is_monotonic_increasing and idx.is_unique
    assert decade.symbols == universe_symbols() == list(decade.close.columns)
    inception = load_universe().set_index("symbol")["inception"]
    before = idx.to_numpy()[:, None] < inception.reindex(decade.close.columns).to_numpy()[None, :]
    np.testing.assert_array_equal(decade.close.isna().to_numpy(), before)  # NaN exactly before listing
    assert list(decade.profiles.columns) == list(PROFILE_COLUMNS)


def test_the_window_spans_the_requested_years_and_ends_on_the_end_date(decade: SimulatedMarket) -> None:
    assert decade.end == END and decade.seed == 1
    assert decade.start == date(2016, 11, 21)  # 2016-11-20 is a Sunday: the first business day after
    assert decade.close.index[0].date() == decade.start


def test_an_end_on_a_weekend_lands_on_the_friday_before() -> None:
    m = simulated_market(end=date(2026, 11, 22), years=1, seed=1)  # a Sunday
    assert m.end == date(2026, 11, 20)


def test_bad_arguments_are_refused_with_advice() -> None:
    with pytest.raises(ValidationError, match="end >= 2005-01-03"):
        simulated_market(end=date(2004, 12, 31), years=1)
    with pytest.raises(ValidationError, match="years >= 1"):
        simulated_market(end=END, years=0)


def test_bars_are_the_standard_long_frame_sorted_by_symbol_then_date(decade: SimulatedMarket) -> None:
    bars = decade.bars(["SPY", "^TNX"])
    assert list(bars.columns) == list(BAR_COLUMNS)
    assert len(bars) == 2 * len(decade.close)
    assert type(bars["date"].iloc[0]) is date
    assert bars["symbol"].tolist() == ["SPY"] * len(decade.close) + ["^TNX"] * len(decade.close)
    spy = bars[bars["symbol"] == "SPY"]
    np.testing.assert_allclose(spy["adj_close"].to_numpy(), decade.close["SPY"].to_numpy(), rtol=0, atol=0)


def test_an_unknown_symbol_raises_naming_it(decade: SimulatedMarket) -> None:
    with pytest.raises(UnknownSymbol, match="NOPE"):
        decade.bars(["SPY", "NOPE"])


def test_every_bar_is_consistent_and_positive(decade: SimulatedMarket) -> None:
    bars = decade.bars()
    assert _ohlc_is_consistent(bars)
    tradable = ~bars["symbol"].isin(LEVELS)
    assert (bars.loc[tradable, "volume"] > 0).all()
    assert (bars.loc[~tradable, "volume"] == 0).all()


# --- determinism and prefix stability ------------------------------------------------------


def test_the_same_seed_gives_identical_frames_and_another_seed_does_not(small_market: SimulatedMarket) -> None:
    again = simulated_market(end=END, years=3, seed=1)
    pd.testing.assert_frame_equal(again.close, small_market.close, check_exact=True)
    pd.testing.assert_frame_equal(again.bars(["AAPL"]), small_market.bars(["AAPL"]), check_exact=True)
    other = simulated_market(end=END, years=3, seed=2)
    assert not np.allclose(other.close["SPY"], small_market.close["SPY"])


def _assert_agree_on_overlap(a: SimulatedMarket, b: SimulatedMarket, symbols: list[str] | None = None) -> None:
    """Same bars on common dates; tolerance 1e-9 relative (cumulative sums start on different rows)."""
    lo, hi = max(a.start, b.start), min(a.end, b.end)
    x, y = a.bars(symbols, start=lo, end=hi), b.bars(symbols, start=lo, end=hi)
    assert len(x) == len(y) > 0
    for col in ("open", "high", "low", "close", "adj_close"):
        np.testing.assert_allclose(x[col].to_numpy(), y[col].to_numpy(), rtol=1e-9, err_msg=col)
    np.testing.assert_array_equal(x["volume"].to_numpy(), y["volume"].to_numpy())


def test_prices_on_a_date_do_not_depend_on_the_end_date(decade: SimulatedMarket) -> None:
    _assert_agree_on_overlap(decade, simulated_market(end=date(2023, 5, 17), years=4, seed=1))
    _assert_agree_on_overlap(decade, simulated_market(end=date(2030, 1, 31), years=5, seed=1))


def test_an_end_inside_a_crash_episode_keeps_the_same_path(decade: SimulatedMarket) -> None:
    # 2020-03-05 is mid-COVID: the pinned episode must not be re-pinned to the shorter grid
    _assert_agree_on_overlap(decade, simulated_market(end=date(2020, 3, 5), years=2, seed=1))


@functools.cache
def _reference_market() -> SimulatedMarket:
    return simulated_market(end=date(2035, 1, 1), years=30, seed=3)


@settings(max_examples=5, deadline=None)
@given(
    end=st.dates(min_value=date(2012, 1, 1), max_value=date(2034, 12, 31)),
    years=st.integers(min_value=1, max_value=3),
)
def test_any_window_has_consistent_bars_and_agrees_with_the_reference(end: date, years: int) -> None:
    m = simulated_market(end=end, years=years, seed=3)
    sample = ["SPY", "AAPL", "O", "BIL", "TLT", "HYG", "IBIT", "^VIX", "^IRX"]  # O and BIL pay monthly
    assert _ohlc_is_consistent(m.bars(sample))
    _assert_agree_on_overlap(m, _reference_market(), sample)


def test_a_window_clipped_at_the_origin_opens_flat_and_stays_consistent() -> None:
    m = simulated_market(end=date(2006, 6, 30), years=5, seed=1)
    assert m.start == date(2005, 1, 3)  # the simulation origin, not 2001
    bars = m.bars(["SPY", "BIL"])
    assert _ohlc_is_consistent(bars)
    first = bars.iloc[0]
    assert first["open"] == first["high"] == first["low"] == first["close"]


def test_a_future_decade_still_has_crashes() -> None:
    m = simulated_market(end=date(2045, 6, 30), years=10, seed=1)  # only seeded synthetic episodes here
    assert _distinct_drawdowns(m.close["SPY"], -0.15) >= 2


# --- statistical shape ---------------------------------------------------------------------


def test_spy_volatility_clusters(returns: pd.DataFrame) -> None:
    squared = returns["SPY"] ** 2
    acf = [squared.autocorr(lag) for lag in range(1, 6)]
    assert min(acf) > 0.03 and np.mean(acf) > 0.08  # seeds 1-12: min 0.08, mean 0.13-0.26


def test_spy_daily_returns_are_fat_tailed(returns: pd.DataFrame) -> None:
    assert returns["SPY"].kurt() > 2.0  # pandas kurt is excess kurtosis; a normal gives 0


def test_market_volatility_is_realistic(returns: pd.DataFrame) -> None:
    vol = returns["SPY"].std() * np.sqrt(252)
    assert 0.12 < vol < 0.21  # seeds 1-12: 14-18 %


def test_stocks_correlate_more_within_their_sector_than_across(returns: pd.DataFrame) -> None:
    uni = load_universe()
    stocks = uni[uni["asset_class"] == "equity"]
    corr = returns[stocks["symbol"]].corr().to_numpy()
    sector = stocks["sector"].to_numpy()
    same = sector[:, None] == sector[None, :]
    off_diagonal = ~np.eye(len(sector), dtype=bool)
    assert corr[same & off_diagonal].mean() > corr[~same].mean() + 0.08  # seeds 1-12: 0.36 vs 0.20


def test_stock_betas_and_volatilities_are_realistic(returns: pd.DataFrame) -> None:
    stocks = load_universe().query("asset_class == 'equity'")["symbol"]
    spy = returns["SPY"]
    beta = returns[stocks].apply(lambda r: r.cov(spy) / spy.var())
    vol = returns[stocks].std() * np.sqrt(252)
    assert beta.between(0.3, 1.9).all() and 0.8 < beta.mean() < 1.1
    assert vol.between(0.12, 0.65).all()


def test_at_least_two_crashes_deeper_than_15_percent_in_the_decade(decade: SimulatedMarket) -> None:
    assert _distinct_drawdowns(decade.close["SPY"], -0.15) >= 2


def test_historical_crash_windows_replay_their_magnitudes(decade: SimulatedMarket) -> None:
    c = decade.close
    covid = c.loc["2020-03-23", "SPY"] / c.loc["2020-02-19", "SPY"] - 1.0
    assert covid == pytest.approx(-0.339, abs=0.02)  # DOMAIN.md: -33.9 % in 23 trading days
    q4_2018 = c.loc["2018-12-24", "SPY"] / c.loc["2018-09-20", "SPY"] - 1.0
    assert q4_2018 == pytest.approx(-0.198, abs=0.02)
    assert c.loc["2020-02-19":"2020-03-23", "^VIX"].max() > 50.0
    rates_2022 = c.loc["2022-10-12", "^TNX"] - c.loc["2022-01-03", "^TNX"]
    assert rates_2022 > 1.0  # DOMAIN.md: 10-year +240 bp in 2022


def test_yields_and_vix_stay_in_plausible_bands(decade: SimulatedMarket) -> None:
    y = decade.close[list(YIELD_SYMBOLS)]
    assert ((y >= 0.0) & (y <= 7.0)).all().all()
    assert 1.5 < y["^TNX"].median() < 5.0
    vix = decade.close["^VIX"]
    assert vix.between(9.0, 85.0).all() and 12.0 < vix.median() < 25.0


def test_bond_etfs_fall_with_rates_in_order_of_duration(decade: SimulatedMarket, returns: pd.DataFrame) -> None:
    d10 = decade.close["^TNX"].diff().iloc[1:]
    rate_beta = returns[["TLT", "IEF", "IEI", "SHY", "BIL"]].apply(lambda r: r.cov(d10) / d10.var())
    assert list(rate_beta.sort_values().index) == ["TLT", "IEF", "IEI", "SHY", "BIL"]
    assert -0.22 < rate_beta["TLT"] < -0.10  # duration ~17 on the 20-30y yield, which moves ~0.8x the 10y


def test_cash_etfs_earn_the_short_rate(decade: SimulatedMarket, returns: pd.DataFrame) -> None:
    earned = returns["BIL"].mean() * 252
    assert earned == pytest.approx(decade.close["^IRX"].mean() / 100.0, abs=0.003)
    assert returns["SGOV"].std() * np.sqrt(252) < 0.01


def test_style_etfs_carry_their_factor(returns: pd.DataFrame) -> None:
    value = returns["IWD"] - returns["IWF"]
    assert value.corr(returns["VLUE"] - returns["SPY"]) > 0.6  # both load on the value factor
    assert abs(value.corr(returns["SPY"])) < 0.2
    assert returns["IWM"].corr(returns["SPY"]) < returns["VTI"].corr(returns["SPY"])


def test_sector_etfs_track_their_stocks(returns: pd.DataFrame) -> None:
    uni = load_universe()
    tech = uni.query("asset_class == 'equity' and sector == 'Information Technology'")["symbol"]
    energy = uni.query("asset_class == 'equity' and sector == 'Energy'")["symbol"]
    assert returns["XLK"].corr(returns[tech].mean(axis=1)) > 0.85
    assert returns["XLE"].corr(returns[energy].mean(axis=1)) > 0.85
    assert returns["XLK"].corr(returns[energy].mean(axis=1)) < 0.75


def test_crypto_is_far_more_volatile_than_stocks(returns: pd.DataFrame) -> None:
    assert 0.45 < returns["IBIT"].std() * np.sqrt(252) < 1.0


def test_adj_close_is_total_return_and_close_the_price(decade: SimulatedMarket) -> None:
    c = decade.bars(["KO", "AMZN", "BIL"]).set_index(["symbol", "date"])
    ratio = c["adj_close"] / c["close"]
    assert np.all(np.diff(ratio["KO"].to_numpy()) >= -1e-12)  # dividends only ever widen the gap
    assert ratio["KO"].iloc[-1] > ratio["KO"].iloc[0] * 1.2  # ~3 %/yr for 10 years
    np.testing.assert_allclose(ratio["AMZN"].to_numpy(), 1.0)  # pays no dividend
    anchor = c.loc[("KO", date(2025, 10, 31))]
    assert anchor["close"] == pytest.approx(69.0) and anchor["adj_close"] == pytest.approx(69.0)
    bil = c.loc["BIL", "close"]
    assert bil.max() / bil.min() < 1.03  # a T-bill fund's price stays flat; its total return grows
