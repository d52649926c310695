"""Factor paths of the simulated market: market, sectors, styles, commodities, crypto, rates, credit, VIX.

Conventions: arrays are (days,) or (days, k) on the business-day grid from `ORIGIN`; factor
returns are daily log returns; yields and spreads are in percent points; vols are annualised
fractions unless named `_var` (daily variance). Every shock array comes from its own numpy
Generator and is drawn in date order, and every recursion is causal, so values on a date do
not depend on how far the grid runs (prefix stability).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Final

import numpy as np

from sigma.conventions import GICS_SECTORS, TRADING_DAYS
from sigma.typing import BoolArray, FloatArray, IntArray

NU: Final = 5.0  # Student-t degrees of freedom of the shocks
CALM_VOL: Final = 0.11  # long-run market vol in the calm regime
CRISIS_VAR_MULT: Final = 2.0  # variance multiplier in the crisis regime
GJR: Final = (0.04, 0.10, 0.88)  # GARCH alpha, leverage gamma, beta (persistence 0.97)
P_ENTER_CRISIS, P_LEAVE_CRISIS = 1 / 1000, 1 / 40
CALM_DRIFT, CRISIS_DRIFT = 0.17, -0.10  # annual log drift of the market by regime
EPISODE_NOISE: Final = 0.75  # damps the wander of a pinned episode's path around its drift
VIX_KAPPA, VIX_SD, VIX_BETA = 0.06, 0.04, 5.0  # daily pull (half-life ~11 days), noise sd, -d log VIX / d return
VIX_PREMIUM: Final = 5.0  # percent points of implied over forecast realised vol
VIX_STEP: Final = (0.6, 2.0)  # daily ratio bounds: CBOE history 1990-2025, -30 % to +115 % (2018-02-05)
VIX_BOUNDS: Final = (9.0, 85.0)  # CBOE closes 1990-2025: 9.14 (2017-11-03) to 82.69 (2020-03-16)

# name: (annual vol, annual log drift, exponent on the market vol scaler)
SECTOR_FACTORS: Final[dict[str, tuple[float, float, float]]] = {
    "Information Technology": (0.10, 0.03, 0.6),
    "Financials": (0.09, -0.01, 0.8),
    "Health Care": (0.08, 0.0, 0.5),
    "Consumer Discretionary": (0.08, 0.01, 0.6),
    "Consumer Staples": (0.07, -0.01, 0.4),
    "Energy": (0.17, -0.03, 0.7),
    "Industrials": (0.06, 0.0, 0.6),
    "Utilities": (0.10, -0.01, 0.5),
    "Materials": (0.09, -0.01, 0.6),
    "Real Estate": (0.10, -0.02, 0.7),
    "Communication Services": (0.09, 0.0, 0.6),
}
OTHER_FACTORS: Final[dict[str, tuple[float, float, float]]] = {
    "size": (0.07, -0.01, 0.6),
    "value": (0.08, -0.01, 0.6),
    "momentum": (0.10, 0.02, 0.7),
    "quality": (0.05, 0.01, 0.5),
    "low_vol": (0.06, 0.0, 0.6),
    "intl": (0.08, -0.03, 0.6),
    "gold": (0.15, 0.06, 0.3),
    "oil": (0.32, 0.0, 0.6),
    "crypto": (0.55, 0.15, 0.5),
}
FACTOR_NAMES: Final[tuple[str, ...]] = ("market", *GICS_SECTORS, *OTHER_FACTORS, "rates")

# Yield curve: Nelson-Siegel loadings (decay 2 years) around the historical anchors.
NS_DECAY: Final = 2.0
OU_RATES: Final = ((0.055, 0.01, 1.5), (0.03, 0.012, 1.0), (0.02, 0.02, 0.0))  # (daily sd pp, kappa, market beta)
RATE_PULL: Final = 0.04  # daily reversion of the deviations from ANCHOR_DATE to PULL_END (half-life ~17 days)
IG_SPREAD, HY_MULT, SPREAD_KAPPA, SPREAD_MKT, SPREAD_SD = 1.2, 3.3, 0.01, -2.8, 0.02


@dataclass(frozen=True)
class MarketPath:
    """The market factor: daily log return, conditional daily variance, crisis flag, vol scaler, VIX."""

    ret: FloatArray
    var: FloatArray
    crisis: BoolArray
    scaler: FloatArray  # conditional vol / calm vol, clipped to [0.5, 6]
    vix: FloatArray


def standard_t(rng: np.random.Generator, shape: int | tuple[int, ...]) -> FloatArray:
    """Student-t (NU) shocks scaled to unit variance."""
    shocks: FloatArray = rng.standard_t(NU, size=shape) / np.sqrt(NU / (NU - 2.0))
    return shocks


def _garch_regime(
    z: FloatArray, u: FloatArray, floor: FloatArray, forced: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    # A scalar loop over dates: the GJR-GARCH and regime recursions are path-dependent, and
    # ~6,000 steps of float arithmetic take a few milliseconds; everything per-symbol is vectorised.
    alpha, gamma, beta = GJR
    calm_var = CALM_VOL**2 / TRADING_DAYS
    omega = calm_var * (1.0 - alpha - gamma / 2 - beta)
    n = len(z)
    var, next_var, crisis = np.empty(n), np.empty(n), np.zeros(n)
    h, state = calm_var, 0
    for t in range(n):
        if forced[t] >= 0:  # falling episodes are crises, recoveries calm
            state = int(forced[t])
        elif state == 0 and u[t] < P_ENTER_CRISIS:
            state = 1
        elif state == 1 and u[t] < P_LEAVE_CRISIS:
            state = 0
        mult = CRISIS_VAR_MULT if state else 1.0
        if floor[t] > 0.0:  # inside an episode its stated vol holds; GARCH carries it on afterwards
            h = floor[t] / mult
        var[t], crisis[t] = h * mult, state
        e2 = h * z[t] * z[t]
        h = omega + (alpha + (gamma if z[t] < 0 else 0.0)) * e2 + beta * h
        next_var[t] = max(h * mult, floor[t])
    return var, next_var, crisis


def simulate_market(
    rngs: dict[str, np.random.Generator],
    episodes: tuple[IntArray, FloatArray, FloatArray],
    vix_anchor: FloatArray,
) -> MarketPath:
    """The market factor: GJR-GARCH(1,1) with t shocks, a calm/crisis regime, and pinned episodes.

    `episodes` holds per day the episode index, pinned drift and variance floor; `vix_anchor` a
    VIX level the VIX is also pulled to (NaN on days without one).
    """
    ep_id, ep_drift, ep_floor = episodes
    n = len(ep_id)
    z = np.clip(standard_t(rngs["market"], n), -4.5, 4.5)  # no 10-sigma days on top of a crisis variance
    u = rngs["regime"].random(n)
    in_ep = ep_id >= 0
    forced = np.where(in_ep, (ep_drift < 0).astype(np.int64), -1)
    forced[1:][in_ep[:-1] & ~in_ep[1:]] = 0  # an episode hands over to the calm regime
    var, next_var, crisis = _garch_regime(z, u, ep_floor, forced)
    noise = np.sqrt(var) * z * np.where(in_ep & (ep_floor > 0.0), EPISODE_NOISE, 1.0)  # calm stretches wander freely
    drift = np.where(crisis > 0, CRISIS_DRIFT, CALM_DRIFT) / TRADING_DAYS
    ret = np.where(in_ep, ep_drift, drift) + noise
    if in_ep.any():  # pin each episode's total: remove its summed noise in proportion to the day's vol
        k = ep_id[in_ep]
        vol = np.sqrt(var[in_ep])
        total_noise = np.bincount(k, weights=noise[in_ep])
        total_vol = np.bincount(k, weights=vol)
        ret[in_ep] -= vol / total_vol[k] * total_noise[k]
    calm_var = CALM_VOL**2 / TRADING_DAYS
    scaler = np.clip(np.sqrt(var / calm_var), 0.5, 6.0)
    vix = simulate_vix(rngs["vix"].standard_normal(n), ret - drift, next_var, vix_anchor)
    return MarketPath(ret=ret, var=var, crisis=crisis > 0, scaler=scaler, vix=vix)


def simulate_vix(eps: FloatArray, surprise: FloatArray, next_var: FloatArray, anchor: FloatArray) -> FloatArray:
    """The VIX (percent points): a log-OU pulled to a level set by the market's GARCH vol forecast.

    log VIX moves by VIX_KAPPA x (log target - log VIX) - VIX_BETA x the market's surprise return
    + VIX_SD x noise, each daily step clipped to VIX_STEP and the level to VIX_BOUNDS. The target
    is VIX_PREMIUM + 100 x the annualised conditional vol (implied vol sits above realised); on
    days with an `anchor` level, the geometric mean of that and the anchor.
    """
    # A scalar loop over dates: the clipped log-OU is path-dependent (~6,000 steps, a few ms).
    target = np.log(VIX_PREMIUM + 100.0 * np.sqrt(next_var * TRADING_DAYS))
    target = np.where(np.isnan(anchor), target, 0.5 * (target + np.log(np.where(np.isnan(anchor), 1.0, anchor))))
    step = VIX_SD * eps - VIX_BETA * surprise
    lo_step, hi_step = (float(v) for v in np.log(VIX_STEP))
    lo, hi = (float(v) for v in np.log(VIX_BOUNDS))
    out = []
    x = float(target[0])
    for goal, shock in zip(target.tolist(), step.tolist(), strict=True):  # Python floats: ~1 us a step
        x = min(max(x + min(max(VIX_KAPPA * (goal - x) + shock, lo_step), hi_step), lo), hi)
        out.append(x)
    vix: FloatArray = np.clip(np.exp(np.array(out)), *VIX_BOUNDS)  # exp(log(bound)) may round past the bound
    return vix


def factor_vols(market: MarketPath) -> FloatArray:
    """Conditional daily vol of every factor in FACTOR_NAMES except rates, (days, k)."""
    specs = (*SECTOR_FACTORS.values(), *OTHER_FACTORS.values())
    vol = np.array([s[0] for s in specs]) / np.sqrt(TRADING_DAYS)
    power = np.array([s[2] for s in specs])
    return np.column_stack([np.sqrt(market.var), vol * market.scaler[:, None] ** power])


def simulate_factors(rngs: dict[str, np.random.Generator], market: MarketPath) -> FloatArray:
    """Daily log returns of every factor but rates, columns in FACTOR_NAMES order (rates appended later)."""
    n = len(market.ret)
    specs = (*SECTOR_FACTORS.values(), *OTHER_FACTORS.values())
    drift = np.array([s[1] for s in specs]) / TRADING_DAYS
    sd = factor_vols(market)[:, 1:]
    shocks = np.column_stack(
        [standard_t(rngs["sectors"], (n, len(SECTOR_FACTORS))), standard_t(rngs["styles"], (n, len(OTHER_FACTORS)))]
    )
    return np.column_stack([market.ret, drift + sd * shocks])


def ns_loadings(tenors: FloatArray) -> FloatArray:
    """Nelson-Siegel loadings (level, slope, curvature) at each tenor in years, (3, tenors)."""
    x = np.asarray(tenors, dtype=float) / NS_DECAY
    slope = (1.0 - np.exp(-x)) / x
    return np.vstack([np.ones_like(x), slope, slope - np.exp(-x)])


def _ou(shocks: FloatArray, kappa: FloatArray) -> FloatArray:
    """AR(1) deviation x_t = (1 - kappa_t) x_{t-1} + shock_t from x = 0, causal; `kappa` per day.

    `kappa` is piecewise constant: one lfilter per run, carrying the state across runs.
    """
    from scipy.signal import lfilter  # lazily: scipy.signal costs ~1 s of every process start

    out = np.empty_like(shocks)
    last = np.zeros(shocks.shape[1:])
    cuts = [0, *(np.flatnonzero(np.diff(kappa)) + 1).tolist(), len(kappa)]
    for lo, hi in itertools.pairwise(cuts):  # a handful of runs
        phi = 1.0 - float(kappa[lo])
        out[lo:hi] = lfilter([1.0], [1.0, -phi], shocks[lo:hi], axis=0, zi=phi * last[None, ...])[0]
        last = out[hi - 1]
    return out


def _smooth_floor(x: FloatArray) -> FloatArray:
    return 0.5 * (x + np.sqrt(x * x + 0.0004))  # ~max(x, 0), positive and smooth near zero


def simulate_curve(
    rngs: dict[str, np.random.Generator],
    market: MarketPath,
    anchors: tuple[FloatArray, FloatArray],
    tenors: FloatArray,
    pull: BoolArray,
) -> FloatArray:
    """Yields in percent points at `tenors` (years), (days, tenors): anchors + mean-reverting NS deviations.

    On days flagged in `pull` the deviations revert at RATE_PULL a day instead of their own speed.
    """
    short, long = anchors
    load = ns_loadings(np.array([0.25, 10.0]))
    slope_gap = load[1, 0] - load[1, 1]
    level = long - load[1, 1] * (short - long) / slope_gap
    anchor_betas = np.column_stack([level, (short - long) / slope_gap, np.zeros_like(short)])
    z = rngs["rates"].standard_normal((len(short), 3)) * market.scaler[:, None] ** 0.3
    mkt = market.ret - CALM_DRIFT / TRADING_DAYS
    dev = np.column_stack(
        [_ou(sd * z[:, i] + b * mkt, np.where(pull, RATE_PULL, kappa)) for i, (sd, kappa, b) in enumerate(OU_RATES)]
    )
    loads = ns_loadings(tenors)
    anchor_curve = anchor_betas @ loads
    damp = np.clip(anchor_curve / 1.5, 0.1, 1.0)  # deviations shrink near the zero bound
    return np.clip(_smooth_floor(anchor_curve + damp * (dev @ loads)), 0.0, 8.0)


def simulate_spreads(rngs: dict[str, np.random.Generator], market: MarketPath) -> tuple[FloatArray, FloatArray]:
    """Investment-grade and high-yield credit spreads (percent points), widening when the market falls."""
    n = len(market.ret)
    mkt = market.ret - CALM_DRIFT / TRADING_DAYS
    stress = np.sqrt(market.scaler)  # spreads react more to the same fall in a crisis
    shocks = SPREAD_SD * market.scaler * rngs["credit"].standard_normal(n) + SPREAD_MKT * stress * mkt
    ig = IG_SPREAD + _ou(shocks, np.full(n, SPREAD_KAPPA))
    ig = 0.3 + _smooth_floor(ig - 0.3)
    return ig, HY_MULT * ig
