"""Black–Scholes–Merton option prices, analytic Greeks and implied volatility (DOMAIN.md, "Options").

Conventions: spot S and strike K in price units; time T in years (calendar days / 365); rate r
and dividend yield q continuously compounded, as fractions (0.05 = 5 %); volatility σ annualised,
as a fraction. Greeks are in Sigma's units: delta and gamma per $1 of spot, theta per calendar day
(annual theta / 365), vega per 1 vol point (σ + 0.01, i.e. vega / 100), rho per 1 rate point
(r + 0.01, i.e. rho / 100). Every argument broadcasts as a numpy array. `kind` is an
`OptionKind`, or the sign w itself (+1 call, −1 put; scalar or array, what the vectorised code
uses), or at the edge "call"/"put" (or "c"/"p", any case) as a string or an array of strings,
converted once to w. Scalars in give 0-d arrays out.

Edge cases: T <= 0 is an expired option, worth its intrinsic value with delta ±1 in the money
(0 otherwise) and every other Greek 0; σ <= 0 (with T > 0) is worth the discounted intrinsic value
of the forward, max(±(S e^{-qT} − K e^{-rT}), 0), with the Greeks of that limit (gamma = vega = 0).
No warnings are raised for either. NaN inputs give NaN outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import ndtr

from sigma.conventions import CALENDAR_DAYS, OptionKind
from sigma.typing import BoolArray, FloatArray

Kind = OptionKind | str | ArrayLike  # see the module docstring

VOL_MIN = 1e-4
VOL_MAX = 5.0
_INV_SQRT_2PI = 1.0 / np.sqrt(2.0 * np.pi)
_KIND_WORDS = {"call": OptionKind.CALL, "c": OptionKind.CALL, "put": OptionKind.PUT, "p": OptionKind.PUT}
_MAX_ITER = 100
_HALLEY_TOL = 1e-6  # a Halley step this small leaves an error of order its cube (~1e-18 × a modest factor)
_BISECT_TOL = 1e-13  # a bisection step this small means the bracket is this narrow
_EDGE = 1e-10  # roots within this of 1e-4 or 5 are taken to lie outside the bracket
_ROUNDING_ULPS = 16  # a time value below this many ulps of the price is rounding, not information


@dataclass(frozen=True)
class Greeks:
    """Price and Greeks of options in Sigma's units (see the module docstring), one value per element."""

    price: FloatArray
    delta: FloatArray
    gamma: FloatArray
    theta_per_day: FloatArray
    vega_per_point: FloatArray
    rho_per_point: FloatArray


def _parse_kind(text: str) -> OptionKind:
    kind = _KIND_WORDS.get(text.strip().lower())
    if kind is None:
        raise ValueError(f"Unknown option kind {text!r}: use 'call' or 'put' (or 'c' / 'p').")
    return kind


def kind_sign(kind: Kind) -> FloatArray:
    """The sign w of `kind` (+1.0 calls, -1.0 puts); raises ValueError naming any other value."""
    if isinstance(kind, str):  # an OptionKind is a str too
        return np.asarray(float(_parse_kind(kind).sign))
    values = np.asarray(kind)
    if values.dtype.kind in "USO":  # strings at the edge: converted once
        words, where = np.unique(values, return_inverse=True)
        signs = np.array([float(_parse_kind(str(word)).sign) for word in words])
        return signs[where].reshape(values.shape)
    w = values.astype(float)
    bad = np.abs(w) != 1.0
    if bad.any():
        raise ValueError(f"Unknown option kind {w[bad].flat[0]!r}: use +1 (call) or -1 (put).")
    return w


def intrinsic(spot: ArrayLike, strike: ArrayLike, kind: Kind) -> FloatArray:
    """Intrinsic value max(±(S − K), 0) of calls (+) and puts (−)."""
    sign = kind_sign(kind)
    value: FloatArray = np.maximum(sign * (np.asarray(spot, dtype=float) - np.asarray(strike, dtype=float)), 0.0)
    return value


def bsm(
    spot: ArrayLike,
    strike: ArrayLike,
    t_years: ArrayLike,
    rate: ArrayLike,
    vol: ArrayLike,
    kind: Kind,
    dividend_yield: ArrayLike = 0.0,
) -> Greeks:
    """Black–Scholes–Merton price and analytic Greeks, broadcast over all arguments."""
    w = kind_sign(kind)
    s, k, t, r, v, q = (np.asarray(x, dtype=float) for x in (spot, strike, t_years, rate, vol, dividend_yield))
    shape = np.broadcast_shapes(s.shape, k.shape, t.shape, r.shape, v.shape, q.shape, w.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        greeks = _bsm_core(s, k, t, r, v, q, w, shape)
    degenerate = (t <= 0.0) | (v <= 0.0)
    if degenerate.any():
        _fill_degenerate(greeks, np.broadcast_to(degenerate, shape), s, k, t, r, q, w)
    return greeks


def _bsm_core(
    s: FloatArray,
    k: FloatArray,
    t: FloatArray,
    r: FloatArray,
    v: FloatArray,
    q: FloatArray,
    w: FloatArray,
    shape: tuple[int, ...],
) -> Greeks:
    """The closed forms, each shared term computed once; calls and puts through the sign w."""
    sqrt_t = np.sqrt(t)
    v_sqrt_t = v * sqrt_t
    div_disc = np.exp(-q * t)
    fwd_spot = s * div_disc  # S e^{-qT}
    disc_strike = k * np.exp(-r * t)  # K e^{-rT}
    d1 = np.log(fwd_spot / disc_strike) / v_sqrt_t + 0.5 * v_sqrt_t
    n_d1 = ndtr(w * d1)  # N(w d1)
    n_d2 = ndtr(w * (d1 - v_sqrt_t))  # N(w d2)
    pdf_s = fwd_spot * np.exp(-0.5 * d1 * d1) * _INV_SQRT_2PI  # S e^{-qT} n(d1)
    spot_leg = fwd_spot * n_d1
    strike_leg = disc_strike * n_d2
    theta = w * (q * spot_leg - r * strike_leg) - 0.5 * pdf_s * v / sqrt_t
    return Greeks(
        price=_full(w * (spot_leg - strike_leg), shape),
        delta=_full(w * div_disc * n_d1, shape),
        gamma=_full(pdf_s / (s * s * v_sqrt_t), shape),
        theta_per_day=_full(theta / CALENDAR_DAYS, shape),
        vega_per_point=_full(pdf_s * sqrt_t / 100.0, shape),
        rho_per_point=_full(w * t * strike_leg / 100.0, shape),
    )


def _full(values: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    """The array itself when it already has the broadcast shape, else a writeable broadcast copy (0-d for scalars)."""
    values = np.asarray(values)
    return values if values.shape == shape else np.broadcast_to(values, shape).copy()


def _fill_degenerate(
    g: Greeks,
    mask: BoolArray,
    s: FloatArray,
    k: FloatArray,
    t: FloatArray,
    r: FloatArray,
    q: FloatArray,
    w: FloatArray,
) -> None:
    """Overwrite the expired (T <= 0) and zero-volatility elements with their limits, in place."""
    s, k, t, r, q, w = (np.broadcast_to(x, mask.shape)[mask] for x in (s, k, t, r, q, w))
    expired = t <= 0.0
    t = np.where(expired, 0.0, t)
    div_disc = np.exp(-q * t)
    fwd_spot, disc_strike = s * div_disc, k * np.exp(-r * t)
    itm = w * (fwd_spot - disc_strike) > 0.0
    theta = np.where(expired, 0.0, w * (q * fwd_spot - r * disc_strike) / CALENDAR_DAYS)
    g.price[mask] = np.where(itm, w * (fwd_spot - disc_strike), 0.0)
    g.delta[mask] = np.where(itm, w * div_disc, 0.0)
    g.gamma[mask] = 0.0
    g.vega_per_point[mask] = 0.0
    g.theta_per_day[mask] = np.where(itm, theta, 0.0)
    g.rho_per_point[mask] = np.where(itm, w * t * disc_strike / 100.0, 0.0)


def implied_vol(
    price: ArrayLike,
    spot: ArrayLike,
    strike: ArrayLike,
    t_years: ArrayLike,
    rate: ArrayLike,
    kind: Kind,
    dividend_yield: ArrayLike = 0.0,
) -> FloatArray:
    """Black–Scholes–Merton implied volatility in [1e-4, 5], NaN where the price admits none.

    Method: by put–call parity the price is first turned into that of the out-of-the-money option,
    whose time value is then not a small difference of large numbers. NaN when T <= 0, when that
    time value is not strictly inside the no-arbitrage bounds (the price is at or below the
    discounted intrinsic value of the forward, max(0, ±(S e^{-qT} − K e^{-rT})), or at or above
    S e^{-qT} for calls, K e^{-rT} for puts), when it is below the price's own rounding (16 ulp),
    or when the volatility is not inside (1e-4, 5). Otherwise Halley's method on ln price(σ)
    (the log keeps deep out-of-the-money prices, which are exponentially small, well scaled),
    started from the Corrado–Miller approximation and safeguarded by a bisection bracket on
    [1e-4, 5] that every iterate narrows: a step leaving the bracket is replaced by the bracket's
    midpoint, so every element converges. Only elements not yet converged are iterated (typically
    2–3 passes). An element stops after a Halley step under 1e-6 (the error left is of the order of
    its cube) or a bisection step under 1e-13; any still unconverged after 100 iterations is NaN.
    The result is accurate to ~1e-13 where vega is not tiny. Returns an array of the broadcast
    shape (0-d for scalar inputs).
    """
    w = kind_sign(kind)
    arrays = np.broadcast_arrays(
        *(np.asarray(x, dtype=float) for x in (price, spot, strike, t_years, rate, dividend_yield)), w
    )
    shape = arrays[0].shape
    p, s, k, t, r, q, w = (a.ravel() for a in arrays)
    result = np.full(p.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        fwd_spot, disc_strike = s * np.exp(-q * t), k * np.exp(-r * t)
        itm_value = np.maximum(w * (fwd_spot - disc_strike), 0.0)
        otm_price = p - itm_value
        w_otm = np.where(itm_value > 0.0, -w, w)
        upper = np.where(w_otm > 0.0, fwd_spot, disc_strike)
        floor = _ROUNDING_ULPS * np.finfo(float).eps * p
        solvable = np.flatnonzero((t > 0.0) & (otm_price > floor) & (otm_price < upper))
        if solvable.size:
            args = (otm_price, fwd_spot, disc_strike, np.sqrt(t), w_otm)
            result[solvable] = _solve_otm(*(a[solvable] for a in args))
    return result.reshape(shape)


def _corrado_miller(
    otm_price: FloatArray, fwd_spot: FloatArray, disc_strike: FloatArray, sqrt_t: FloatArray, w: FloatArray
) -> FloatArray:
    """Corrado–Miller (1996) approximation of the implied volatility, clipped into [1e-4, 5]."""
    gap = fwd_spot - disc_strike
    call = otm_price + np.maximum(gap, 0.0)  # the call's price, by parity, whichever side is out of the money
    a = call - 0.5 * gap
    guess = np.sqrt(2.0 * np.pi) / (fwd_spot + disc_strike) * (a + np.sqrt(np.maximum(a * a - gap * gap / np.pi, 0.0)))
    clipped: FloatArray = np.clip(guess / sqrt_t, 2.0 * VOL_MIN, 0.5 * VOL_MAX)
    return clipped


def _halley_step(
    sig: FloatArray,
    log_target: FloatArray,
    fwd_spot: FloatArray,
    disc_strike: FloatArray,
    sqrt_t: FloatArray,
    w: FloatArray,
    log_m: FloatArray,
) -> tuple[FloatArray, BoolArray]:
    """One Halley step on ln price(σ) = ln target (σ − step), and where the model price is above the target."""
    v_sqrt_t = sig * sqrt_t
    d1 = log_m / v_sqrt_t + 0.5 * v_sqrt_t
    wd1 = w * d1
    model = w * (fwd_spot * ndtr(wd1) - disc_strike * ndtr(wd1 - w * v_sqrt_t))
    vega_over_model = fwd_spot * np.exp(-0.5 * d1 * d1) * (_INV_SQRT_2PI * sqrt_t) / model
    log_diff = np.log(model) - log_target
    newton = log_diff / vega_over_model
    # f = ln P − ln x: f' = V/P, f''/f' = vomma/V − V/P with vomma/V = d1·d2/σ; the bracket guards the rest.
    curvature = d1 * (d1 - v_sqrt_t) / sig - vega_over_model
    return newton / (1.0 - 0.5 * newton * curvature), log_diff > 0.0


def _solve_otm(
    otm_price: FloatArray, fwd_spot: FloatArray, disc_strike: FloatArray, sqrt_t: FloatArray, w: FloatArray
) -> FloatArray:
    """Safeguarded Halley iteration for out-of-the-money prices; NaN where no root lies inside (1e-4, 5)."""
    result = np.full(otm_price.size, np.nan)
    pos = np.arange(otm_price.size)
    guess = _corrado_miller(otm_price, fwd_spot, disc_strike, sqrt_t, w)
    lo, hi = np.full(pos.size, VOL_MIN), np.full(pos.size, VOL_MAX)
    # One stacked state so that dropping converged elements is a single gather; rows are views.
    state = np.stack(
        [np.log(otm_price), fwd_spot, disc_strike, sqrt_t, w, np.log(fwd_spot / disc_strike), guess, lo, hi]
    )
    for _ in range(_MAX_ITER):
        *params, sig, lo, hi = state
        step, above = _halley_step(sig, *params)
        np.copyto(hi, sig, where=above)  # the price rises with σ: above the target, the root is below sig
        np.copyto(lo, sig, where=~above)
        new = sig - step
        inside = (new >= lo) & (new <= hi)  # False for NaN
        np.copyto(new, 0.5 * (lo + hi), where=~inside)
        done = (inside & (np.abs(step) < _HALLEY_TOL)) | (np.abs(new - sig) < _BISECT_TOL)
        sig[:] = new
        if done.any():
            result[pos[done]] = new[done]
            keep = np.flatnonzero(~done)
            pos, state = pos.take(keep), state.take(keep, axis=1)
            if not pos.size:
                break
    edge = VOL_MIN + _EDGE, VOL_MAX - _EDGE  # a root pinned to the bracket's ends lies outside it
    result[(result <= edge[0]) | (result >= edge[1])] = np.nan
    return result
