"""The option volatility surface: no static arbitrage, a plausible SPY put, the skew, hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sigma.instruments.options import bsm
from sigma.instruments.surface import (
    atm_levels,
    atm_total_variance,
    forward_moneyness,
    ssvi_total_variance,
    surface_vol,
)
from sigma.settings import VolSurfaceParams

P = VolSurfaceParams()
DEMO_VIX = (10.0, 15.0, 20.0, 40.0, 80.0)  # the VIX range of the demo dates, calm to crash
BETAS = (0.2, 1.0, 3.0)  # 0.2 clips to the 0.5 floor of the scale; 3 is the cap
K_GRID = np.linspace(-1.5, 1.0, 501)
T_GRID = np.geomspace(1 / 365, 5.0, 200)


def _norm_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _levels(vix: float, beta: float) -> tuple[float, float]:
    short, long = atm_levels(vix, beta, math.nan, P)
    return float(short), float(long)


def _total_variance(vix: float, beta: float) -> np.ndarray:
    short, long = _levels(vix, beta)
    t = T_GRID[:, None]
    return np.asarray(surface_vol(K_GRID[None, :], t, short, long, P) ** 2 * t)


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("vix", DEMO_VIX)
def test_no_calendar_arbitrage(vix: float, beta: float) -> None:
    w = _total_variance(vix, beta)  # T down the rows, k across
    assert np.all(np.diff(w, axis=0) >= -1e-15)


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("vix", DEMO_VIX)
def test_no_butterfly_arbitrage_durrleman(vix: float, beta: float) -> None:
    """Durrleman's g(k) = (1 − k w'/2w)² − w'²/4 (1/w + 1/4) + w''/2 ≥ 0 on every slice (finite differences)."""
    w = _total_variance(vix, beta)
    h = K_GRID[1] - K_GRID[0]
    wk = np.gradient(w, h, axis=1)
    wkk = np.gradient(wk, h, axis=1)
    g = (1 - K_GRID * wk / (2 * w)) ** 2 - wk**2 / 4 * (1 / w + 0.25) + wkk / 2
    assert g[:, 2:-2].min() > 0.0  # the one-sided edges of np.gradient are left out


@pytest.mark.parametrize("t", [7 / 365, 61 / 365, 1.0, 3.0])
@pytest.mark.parametrize("vix", DEMO_VIX)
def test_call_prices_convex_and_decreasing_in_strike(vix: float, t: float) -> None:
    spot, r, q = 100.0, 0.04, 0.013
    strikes = np.linspace(40.0, 200.0, 641)
    short, long = _levels(vix, 1.0)
    vol = surface_vol(forward_moneyness(strikes, spot, t, r, q), t, short, long, P)
    calls = bsm(spot, strikes, t, r, vol, 1.0, q).price
    assert np.all(np.diff(calls) <= 1e-12)
    assert np.all(np.diff(calls, 2) >= -1e-10)


def test_spy_put_ten_percent_otm_two_months_by_hand() -> None:
    """VIX 17, r 4 %, q 1.3 %, S 100, K 90, T = 2/12; SPY has its own index (^VIX), so the scale is 1."""
    t, r, q = 2 / 12, 0.04, 0.013
    short, long = atm_levels(17.0, 1.7, 17.0, P)  # own index: the beta is ignored
    assert (float(short), float(long)) == pytest.approx((0.17, 0.20))
    # θ = 0.04·T + (0.0289 − 0.04)·(1 − e^(−2T))/2 = 0.0066667 − 0.0111·0.1417344 = 0.0050934
    theta = 0.04 * t + (0.17**2 - 0.04) * (1 - math.exp(-2 * t)) / 2
    assert theta == pytest.approx(0.0050934154, abs=1e-9)
    k = math.log(0.9) - (r - q) * t  # −0.1053605 − 0.0045
    assert k == pytest.approx(-0.1098605157, abs=1e-9)
    phi = 1 / math.sqrt(theta * (1 + theta))  # η = 1, γ = ½
    x = phi * k  # 13.97630 × −0.10986 = −1.53544
    w = theta / 2 * (1 - 0.7 * x + math.sqrt((x - 0.7) ** 2 + 0.51))
    assert w == pytest.approx(0.0112604074, abs=1e-9)
    sigma = float(surface_vol(forward_moneyness(90.0, 100.0, t, r, q), t, short, long, P))
    assert sigma == pytest.approx(math.sqrt(w / t), rel=1e-12)
    assert sigma == pytest.approx(0.2599278, abs=1e-6)
    # BSM put by hand: d1 = (ln(100/90) + (r − q + σ²/2)T)/(σ√T) = 1.088354, d2 = 0.982239
    d1 = (math.log(100 / 90) + (r - q + sigma**2 / 2) * t) / (sigma * math.sqrt(t))
    d2 = d1 - sigma * math.sqrt(t)
    put = 90 * math.exp(-r * t) * _norm_cdf(-d2) - 100 * math.exp(-q * t) * _norm_cdf(-d1)
    assert put == pytest.approx(0.7797, abs=1e-4)
    assert float(bsm(100.0, 90.0, t, r, sigma, -1.0, q).price) == pytest.approx(put, rel=1e-9)
    assert 0.006 <= put / 100 <= 0.012  # a plausible share of spot (listed SPY puts: ~0.5–1 %)


@pytest.mark.parametrize("vix", [15.0, 20.0])
def test_spy_put_plausible_across_calm_vix(vix: float) -> None:
    t, r, q = 61 / 365, 0.04, 0.013
    short, long = _levels(vix, 1.0)
    sigma = surface_vol(forward_moneyness(90.0, 100.0, t, r, q), t, short, long, P)
    assert 0.6 <= float(bsm(100.0, 90.0, t, r, sigma, -1.0, q).price) <= 1.2


def test_put_skew() -> None:
    t, forward = 61 / 365, 100.0
    short, long = _levels(17.0, 1.0)
    ratios = np.array([0.7, 0.8, 0.9, 0.95, 1.0, 1.05])
    vols = surface_vol(np.log(ratios), t, short, long, P)
    assert np.all(np.diff(vols) < 0)  # σ(0.7F) > σ(0.8F) > σ(0.9F) > σ(0.95F) > σ(F) > σ(1.05F)
    theta = 0.04 * t + (0.0289 - 0.04) * (1 - math.exp(-2 * t)) / 2  # ATM: w(0) = θ
    assert float(surface_vol(np.log(forward / forward), t, short, long, P)) == pytest.approx(math.sqrt(theta / t))
    assert math.sqrt(theta / t) == pytest.approx(0.1748272, abs=1e-7)
    smile_min = np.sqrt(1 - P.rho**2) * float(surface_vol(0.0, t, short, long, P))
    wide = surface_vol(np.linspace(-1, 1, 2001), t, short, long, P)
    assert wide.min() == pytest.approx(smile_min, rel=1e-5)  # √(1 − ρ²) × ATM, at k = −2ρ/φ


def test_atm_levels_by_hand() -> None:
    short, long = atm_levels(
        np.array([20.0, 20.0, 20.0, 20.0, 80.0]), np.array([1.5, 5.0, 0.1, np.nan, 3.0]), np.nan, P
    )
    assert short == pytest.approx([0.30, 0.60, 0.10, 0.20, 2.40])  # scale clipped to [0.5, 3]; NaN beta: 1
    assert long == pytest.approx([0.30, 0.60, 0.10, 0.20, 0.60])
    own_short, own_long = atm_levels(20.0, 2.0, 25.0, P)  # an own index: scale 1
    assert (float(own_short), float(own_long)) == pytest.approx((0.25, 0.20))
    capped, capped_long = atm_levels(np.array([3.0, 150.0]), 3.0, np.nan, P)
    assert capped == pytest.approx([0.09, 3.0])  # 3 × 3 % = 9 %; 3 × 150 % capped at 300 %
    assert capped_long == pytest.approx([0.60, 0.60])  # 3 × the long-run 20 %
    low, _ = atm_levels(5.0, 0.5, np.nan, P)
    assert float(low) == pytest.approx(0.05)  # 0.5 × 5 % = 2.5 %, floored at 5 %


def test_term_structure_by_hand() -> None:
    # v0 = 0.09, v∞ = 0.04, κ = 2, T = 1: θ = 0.04 + 0.05 (1 − e^−2)/2 = 0.0616166
    assert float(atm_total_variance(1.0, 0.3, 0.2, 2.0)) == pytest.approx(0.04 + 0.05 * (1 - math.exp(-2)) / 2)
    assert float(atm_total_variance(1.0, 0.3, 0.2, 2.0)) == pytest.approx(0.0616166, abs=1e-7)
    assert float(atm_total_variance(0.5, 0.3, 0.2, 0.0)) == pytest.approx(0.045)  # κ = 0: v0·T
    t = np.array([1e-4, 0.1, 1.0, 10.0, 100.0])
    atm = np.sqrt(atm_total_variance(t, 0.3, 0.2, 2.0) / t)
    assert atm[0] == pytest.approx(0.3, abs=1e-4) and atm[-1] == pytest.approx(0.2, abs=2e-3)
    assert np.all(np.diff(atm) < 0)  # an inverted (crisis-like) curve decays to the long run


def test_surface_reference_points_by_hand() -> None:
    # VIX 40, β 2: σ0 = 0.8, σ∞ = 0.4; T = 1: θ = 0.16 + 0.48 (1 − e^−2)/2 = 0.3675195;
    # φ = 1/√(θ(1 + θ)) = 1.4105647; x = 0.1φ; w = θ/2 (1 − 0.7x + √((x − 0.7)² + 0.51)) = 0.3322621
    short, long = atm_levels(40.0, 2.0, np.nan, P)
    assert float(surface_vol(0.1, 1.0, short, long, P)) == pytest.approx(math.sqrt(0.3322621), abs=1e-6)
    assert float(surface_vol(0.1, 1.0, short, long, P)) == pytest.approx(0.5764218, abs=1e-6)
    # VIX 10, β 0.2 → scale 0.5: σ0 = 0.05, σ∞ = 0.10; T = ½: θ = 0.005 − 0.0075 (1 − e^−1)/2 = 0.0026295
    short, long = atm_levels(10.0, 0.2, np.nan, P)
    assert float(surface_vol(-0.3, 0.5, short, long, P)) == pytest.approx(0.1751869, abs=1e-6)
    # ATM: w(0) = θ, so σ(0, T) = √(θ/T)
    assert float(surface_vol(0.0, 0.5, short, long, P)) == pytest.approx(math.sqrt(0.0026295479 / 0.5), abs=1e-7)


def test_ssvi_slice_is_symmetric_without_skew() -> None:
    k = np.linspace(-0.5, 0.5, 11)
    w = ssvi_total_variance(k, 0.04, 0.0, 1.0, 0.5)
    assert w == pytest.approx(w[::-1])
    assert float(ssvi_total_variance(0.0, 0.04, -0.7, 1.0, 0.5)) == pytest.approx(0.04)


def test_short_maturities_are_read_at_one_day() -> None:
    short, long = _levels(17.0, 1.0)
    one_day = surface_vol(-0.05, 1 / 365, short, long, P)
    assert surface_vol(-0.05, 0.0, short, long, P) == pytest.approx(one_day)
    assert surface_vol(-0.05, -0.1, short, long, P) == pytest.approx(one_day)


def test_forward_moneyness_by_hand() -> None:
    assert float(forward_moneyness(100.0, 100.0, 1.0, 0.05, 0.02)) == pytest.approx(-0.03)
    assert float(forward_moneyness(110.0, 100.0, 0.5, 0.0, 0.0)) == pytest.approx(math.log(1.1))
