"""The surface's inputs per underlying and date, and options valued off the surface (valuation and grid)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from sigma.instruments.options import bsm
from sigma.instruments.surface import forward_moneyness, surface_vol
from sigma.portfolio.history import nav_history
from sigma.portfolio.option_vol import VolSource, model_vol, rolling_vol_beta, surface_levels
from sigma.portfolio.valuation import value_book
from sigma.settings import VolSurfaceParams
from tests.portfolio.test_valuation import RATE, VOL, reference_book, reference_market

P = VolSurfaceParams()


def _market(n: int = 320, seed: int = 3) -> pd.DataFrame:
    """SPY, AAA (β 1.5 by construction), ^VIX at 17 then 25, on business days."""
    rng = np.random.default_rng(seed)
    m = rng.normal(0.0, 0.01, n)
    a = 1.5 * m + rng.normal(0.0, 0.004, n)
    dates = pd.bdate_range("2024-01-01", periods=n)
    vix = np.where(np.arange(n) < n - 10, 17.0, 25.0)
    return pd.DataFrame({"SPY": 400 * np.cumprod(1 + m), "AAA": 50 * np.cumprod(1 + a), "^VIX": vix}, index=dates)


def test_rolling_vol_beta_is_the_ratio_of_sample_vols_on_the_window() -> None:
    close = _market()
    returns = close[["AAA"]].pct_change()
    ratio = rolling_vol_beta(returns, close["SPY"].pct_change(), 252, 60)
    last, spy = returns["AAA"].iloc[-252:], close["SPY"].pct_change().iloc[-252:]
    assert ratio["AAA"].iloc[-1] == pytest.approx(last.std(ddof=1) / spy.std(ddof=1), rel=1e-9)
    # σ_a / σ_m ≥ |OLS beta| (= ρ σ_a / σ_m), with equality only at |ρ| = 1
    assert ratio["AAA"].iloc[-1] > np.polyfit(spy, last, 1)[0]
    assert ratio["AAA"].iloc[:60].isna().all()  # 59 pairs on row 59 (the first return is NaN)
    first = slice(1, 61)  # row 60: the first 60 pairs
    expected = returns["AAA"].iloc[first].std(ddof=1) / close["SPY"].pct_change().iloc[first].std(ddof=1)
    assert ratio["AAA"].iloc[60] == pytest.approx(expected, rel=1e-9)


def test_rolling_vol_beta_uses_paired_dates_only() -> None:
    """A late listing: pairs start with the listing; before min_obs pairs the ratio is NaN."""
    close = _market()
    late = close["AAA"].where(close.index >= close.index[200])
    returns = late.pct_change().to_frame("AAA")
    ratio = rolling_vol_beta(returns, close["SPY"].pct_change(), 252, 60)
    assert ratio["AAA"].iloc[:260].isna().all()  # 59 pairs by row 260
    pairs = pd.concat([returns["AAA"], close["SPY"].pct_change()], axis=1).dropna()
    assert ratio["AAA"].iloc[-1] == pytest.approx(pairs.iloc[:, 0].std() / pairs.iloc[:, 1].std(), rel=1e-9)


def test_a_low_correlation_underlying_keeps_its_own_volatility() -> None:
    """A bond-like series with zero beta but its own 1 % daily vol is priced at its vol ratio, not the 0.5 clip."""
    rng = np.random.default_rng(5)
    m, b = rng.normal(0.0, 0.01, 300), rng.normal(0.0, 0.01, 300)
    close = pd.DataFrame({"SPY": 400 * np.cumprod(1 + m), "BND": 90 * np.cumprod(1 + b), "^VIX": 20.0})
    short, _ = surface_levels(close.set_axis(pd.bdate_range("2024-01-01", periods=300)), ["BND"], P).latest()
    returns = close.pct_change().iloc[-252:]
    assert short["BND"] == pytest.approx(0.20 * returns["BND"].std() / returns["SPY"].std(), rel=1e-9)


def test_surface_levels_scale_the_vix_by_beta() -> None:
    close = _market()
    levels = surface_levels(close, ["AAA", "SPY"], P)
    beta = rolling_vol_beta(close[["AAA"]].pct_change(), close["SPY"].pct_change(), 252, 60)["AAA"].iloc[-1]
    short, long = levels.latest()
    assert short["AAA"] == pytest.approx(0.25 * beta)  # the last VIX close is 25
    assert long["AAA"] == pytest.approx(0.20 * beta)
    assert (short["SPY"], long["SPY"]) == pytest.approx((0.25, 0.20))  # SPY's own index is the VIX itself
    assert levels.short["AAA"].iloc[10] == pytest.approx(0.17)  # no beta yet (< 60 pairs): scale 1


def test_surface_levels_without_vix_fall_back_to_realized() -> None:
    close = _market().drop(columns="^VIX")
    levels = surface_levels(close, ["AAA"], P)
    assert levels.short.isna().all().all()
    vol, source = model_vol(
        np.array([0.0]), np.array([0.25]), np.array([np.nan]), np.array([np.nan]), np.array([0.3]), P
    )
    assert vol[0] == pytest.approx(0.3) and source[0] == VolSource.REALIZED
    vol, source = model_vol(
        np.array([0.0]), np.array([0.25]), np.array([np.nan]), np.array([np.nan]), np.array([0.01]), P
    )
    assert vol[0] == pytest.approx(0.05) and source[0] == VolSource.FLOOR


def test_vol_at_one_option_matches_the_surface() -> None:
    close = _market()
    levels = surface_levels(close, ["AAA"], P)
    spot = float(close["AAA"].iloc[-1])
    got = levels.vol_at("AAA", len(close) - 1, 0.9 * spot, spot, 0.25, 0.04)
    short, long = levels.latest()
    k = math.log(0.9) - 0.04 * 0.25
    assert got == pytest.approx(float(surface_vol(k, 0.25, short["AAA"], long["AAA"], P)))


def test_valuation_reads_the_surface_and_implied_still_wins() -> None:
    """The reference call (S 170, K 160, T 0.2, r 5 %, q 0) with σ0 = 0.17, σ∞ = 0.20."""
    market = reference_market(atm_short=pd.Series({"AAPL": 0.17}), atm_long=pd.Series({"AAPL": 0.20}))
    pos = value_book(reference_book(), market).positions.loc[3]
    k = float(forward_moneyness(160.0, 170.0, 0.2, RATE, 0.0))  # ln(160/170) − 0.05 × 0.2
    sigma = float(surface_vol(k, 0.2, 0.17, 0.20, P))
    assert pos["vol_source"] == VolSource.SURFACE
    assert pos["vol"] == pytest.approx(sigma)
    assert pos["price"] == pytest.approx(float(bsm(170.0, 160.0, 0.2, RATE, sigma, 1.0).price))
    premium = float(bsm(170.0, 160.0, 0.2, RATE, VOL, 1.0).price)
    implied = value_book(reference_book(), replace(market, option_prices=pd.Series({3: premium})))
    assert implied.positions.loc[3, "vol_source"] == VolSource.IMPLIED
    assert implied.positions.loc[3, "vol"] == pytest.approx(VOL, abs=1e-6)


def test_grid_and_point_valuation_agree_on_the_surface() -> None:
    """A 10 %-OTM AAA put: the history grid's last NAV equals the point valuation with the same ATM levels."""
    close = _market()
    spot = float(close["AAA"].iloc[-1])
    book = pd.DataFrame(
        [
            {
                "id": 1,
                "symbol": "AAA P",
                "position_type": "LP",
                "quantity": 1.0,
                "entry_price": 1.0,
                "entry_date": close.index[-5].date(),
                "underlying": "AAA",
                "strike": round(0.9 * spot),
                "expiry": close.index[-1].date() + pd.Timedelta(days=61),
                "multiplier": 100.0,
                "exit_date": None,
                "exit_price": np.nan,
            }
        ]
    )
    history = nav_history(book, close, rate=0.04)
    short, long = surface_levels(close, ["AAA"], P).latest()
    market = reference_market(
        prices=close.iloc[-1],
        prev_prices=close.iloc[-2],
        as_of=close.index[-1].date(),
        rate=0.04,
        vols=pd.Series({"AAA": 0.3}),
        atm_short=short,
        atm_long=long,
        prev_date=close.index[-2].date(),
    )
    val = value_book(book, market)
    assert val.positions.loc[1, "vol_source"] == VolSource.SURFACE
    assert history["market_value"].iloc[-1] == pytest.approx(val.market_value, rel=1e-12)
    assert val.market_value > 0.0  # an OTM put is worth something off the surface
