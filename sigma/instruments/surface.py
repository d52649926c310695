"""The option volatility surface σ(k, T): an ATM level from a vol index, a term structure, and an SSVI smile.

Units and conventions: k = ln(K / F) is log forward moneyness with F = S·e^{(r − q)T}; T in
years (calendar days / 365), read at no less than `min_years`; vols are annual fractions (0.17);
index levels are in points (VIX 17 means 17 %). Every function is vectorised: arrays broadcast
against each other (one entry per option, or a dates × options grid).

The surface (Gatheral & Jacquier 2014, "Arbitrage-free SVI volatility surfaces", SSVI):

1. ATM level. The short-end ATM vol is σ₀ = index / 100 × clip(β, beta_min, beta_max), with β
   the underlying's volatility beta to SPY (σᵢ / σ_SPY) and index the VIX; an underlying with its
   own implied-vol index (`implied_vol_indices`) uses that index with scale 1. The long-run ATM vol is
   σ∞ = long_run_index / 100 × the same scale (1 for an own index). Both are clipped to
   [vol_floor, vol_cap].
2. Term structure. The instantaneous ATM variance reverts from v₀ = σ₀² to v∞ = σ∞² at speed κ
   (`mean_reversion`, per year), so the ATM total variance is
   θ(T) = v∞·T + (v₀ − v∞)·(1 − e^{−κT}) / κ,
   increasing in T (its slope v∞ + (v₀ − v∞)e^{−κT} is positive); σ_ATM(T) = √(θ / T).
3. Smile. Total variance w(k, T) = θ/2 · (1 + ρφk + √((φk + ρ)² + 1 − ρ²)) with the power-law
   φ(θ) = η / (θ^γ (1 + θ)^{1−γ}). ρ < 0 makes puts richer (skew), η sets the curvature.
   With γ ∈ (0, ½] and η(1 + |ρ|) ≤ 2 the surface has no calendar and no butterfly arbitrage
   (Gatheral & Jacquier, Remark 4.4 and Corollary 4.1); the tests check both numerically.
4. σ(k, T) = √(w / T). The floor and cap act on the ATM levels (step 1), not on σ(k, T): a clip
   of the smile would bring arbitrage back where it binds. The smile's minimum is
   √(1 − ρ²) × ATM (0.71 for ρ = −0.7, on the call side at k = −2ρ / φ) and its wings stay
   finite because T is read at no less than one day.

Defaults (`sigma.settings.VolSurfaceParams`): β clip [0.5, 3], long-run index 20, κ = 2 per
year, ρ = −0.7, η = 1, γ = ½, ATM levels in [5 %, 300 %]. With VIX 17, r = 4 %, q = 1.3 %, a 10 %-OTM
2-month SPY put is read at σ ≈ 26.0 % (ATM 17.5 %) and is worth about 0.78 % of spot.
"""

from __future__ import annotations

import numpy as np

from sigma.settings import VolSurfaceParams
from sigma.typing import AnyArray, FloatArray

Values = AnyArray | float  # an array (broadcast) or a scalar


def forward_moneyness(strike: Values, spot: Values, t: Values, rate: Values, q: Values) -> FloatArray:
    """k = ln(K / F) with F = S·exp((r − q)·T)."""
    return np.asarray(
        np.log(np.asarray(strike, float) / np.asarray(spot, float)) - (np.asarray(rate) - np.asarray(q)) * t,
        dtype=np.float64,
    )


def atm_levels(
    index_level: Values, beta: Values, own_index: Values, params: VolSurfaceParams
) -> tuple[FloatArray, FloatArray]:
    """(σ₀, σ∞): short-end and long-run ATM vols. `own_index` is NaN where the underlying has none."""
    own = np.asarray(own_index, dtype=float)
    has_own = np.isfinite(own)
    scale = np.where(
        has_own, 1.0, np.clip(np.nan_to_num(np.asarray(beta, float), nan=1.0), params.beta_min, params.beta_max)
    )
    level = np.where(has_own, own, np.asarray(index_level, dtype=float))
    short = np.clip(level / 100.0 * scale, params.vol_floor, params.vol_cap)
    long = np.clip(params.long_run_index / 100.0 * scale, params.vol_floor, params.vol_cap)
    short, long = np.broadcast_arrays(short, long)  # the same shape, whichever input carried it
    return np.array(short, dtype=np.float64), np.array(long, dtype=np.float64)


def atm_total_variance(t: Values, short_vol: Values, long_vol: Values, kappa: float) -> FloatArray:
    """θ(T) = v∞·T + (v₀ − v∞)(1 − e^{−κT}) / κ, with v₀ = σ₀², v∞ = σ∞² (κ = 0: v₀·T)."""
    t = np.asarray(t, dtype=float)
    v0, v_inf = np.asarray(short_vol, float) ** 2, np.asarray(long_vol, float) ** 2
    decay = -np.expm1(-kappa * t) / kappa if kappa > 0 else t
    return np.asarray(v_inf * t + (v0 - v_inf) * decay, dtype=np.float64)


def ssvi_total_variance(k: Values, theta: Values, rho: float, eta: float, gamma: float) -> FloatArray:
    """w(k, θ) = θ/2 (1 + ρφk + √((φk + ρ)² + 1 − ρ²)), φ = η / (θ^γ (1 + θ)^{1−γ})."""
    theta = np.asarray(theta, dtype=float)
    phi = eta / (theta**gamma * (1.0 + theta) ** (1.0 - gamma))
    x = phi * np.asarray(k, dtype=float)
    return np.asarray(theta / 2.0 * (1.0 + rho * x + np.sqrt((x + rho) ** 2 + 1.0 - rho**2)), dtype=np.float64)


def surface_vol(k: Values, t: Values, short_vol: Values, long_vol: Values, params: VolSurfaceParams) -> FloatArray:
    """σ(k, T) of the surface (module docstring), T floored at `min_years`; NaN where an ATM level is NaN."""
    t = np.maximum(np.asarray(t, dtype=float), params.min_years)
    theta = atm_total_variance(t, short_vol, long_vol, params.mean_reversion)
    w = ssvi_total_variance(k, theta, params.rho, params.eta, params.gamma)
    return np.asarray(np.sqrt(w / t), dtype=np.float64)
