"""Benchmark: sigma.instruments.options against py_vollib_vectorized and a plain numpy reference.

Run from the repo root in the bench environment (py_vollib_vectorized's pins clash with the
test oracles, see bench/requirements-greeks.txt):

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements-greeks.txt
    .venv-bench/bin/python -m bench.greeks [--n 100000] [--repeats 7]

Prints times (best of several repeats), speed ratios and maximum absolute differences, with the
goals next to them. py_vollib_vectorized's Greeks are finite differences (and its rho bumps r and
q together), so only its prices and implied vols are compared with sigma's; Greeks are compared
with py_vollib's scalar analytical functions on a 1,000-option subset (same units as Sigma's:
theta per calendar day, vega and rho per point).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import ndtr

from sigma.instruments.options import bsm, implied_vol

GREEK_NAMES = ("price", "delta", "gamma", "theta_per_day", "vega_per_point", "rho_per_point")
GOAL_VS_PVV_GREEKS = 15.0  # sigma at least 15x faster than py_vollib_vectorized for price + Greeks
GOAL_VS_PVV_IV = 1.0  # at least as fast for implied vol
GOAL_VS_PLAIN = 1.5  # within 1.5x of the plain reference for price + Greeks


def sample(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Random but realistic contracts: moneyness 0.7-1.3, 1 week to 2 years, vol 8-90 %."""
    rng = np.random.default_rng(seed)
    spot = rng.uniform(20.0, 500.0, n)
    return {
        "S": spot,
        "K": spot * rng.uniform(0.7, 1.3, n),
        "t": rng.uniform(7 / 365, 2.0, n),
        "r": rng.uniform(0.0, 0.06, n),
        "sigma": rng.uniform(0.08, 0.9, n),
        "q": rng.uniform(0.0, 0.04, n),
        "flag": rng.choice(np.array(["c", "p"]), n),
    }


# --- plain reference: the obvious formulas, each Greek on its own -------------------------------


def _d1(S, K, t, r, sigma, q):
    return (np.log(S / K) + (r - q + 0.5 * sigma**2) * t) / (sigma * np.sqrt(t))


def _d2(S, K, t, r, sigma, q):
    return _d1(S, K, t, r, sigma, q) - sigma * np.sqrt(t)


def _pdf(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def plain_price(call, S, K, t, r, sigma, q):
    d1, d2 = _d1(S, K, t, r, sigma, q), _d2(S, K, t, r, sigma, q)
    c = S * np.exp(-q * t) * ndtr(d1) - K * np.exp(-r * t) * ndtr(d2)
    p = K * np.exp(-r * t) * ndtr(-d2) - S * np.exp(-q * t) * ndtr(-d1)
    return np.where(call, c, p)


def plain_greeks(call, S, K, t, r, sigma, q) -> dict[str, np.ndarray]:
    d1, d2 = _d1(S, K, t, r, sigma, q), _d2(S, K, t, r, sigma, q)
    delta = np.where(call, np.exp(-q * t) * ndtr(d1), -np.exp(-q * t) * ndtr(-d1))
    gamma = np.exp(-q * t) * _pdf(d1) / (S * sigma * np.sqrt(t))
    decay = -S * np.exp(-q * t) * _pdf(d1) * sigma / (2 * np.sqrt(t))
    theta_c = decay + q * S * np.exp(-q * t) * ndtr(d1) - r * K * np.exp(-r * t) * ndtr(d2)
    theta_p = decay - q * S * np.exp(-q * t) * ndtr(-d1) + r * K * np.exp(-r * t) * ndtr(-d2)
    vega = S * np.exp(-q * t) * _pdf(d1) * np.sqrt(t)
    rho = np.where(call, K * t * np.exp(-r * t) * ndtr(d2), -K * t * np.exp(-r * t) * ndtr(-d2))
    return {
        "price": plain_price(call, S, K, t, r, sigma, q),
        "delta": delta,
        "gamma": gamma,
        "theta_per_day": np.where(call, theta_c, theta_p) / 365.0,
        "vega_per_point": vega / 100.0,
        "rho_per_point": rho / 100.0,
    }


def plain_implied_vol(price, call, S, K, t, r, q, iterations: int = 52):
    """Vectorised bisection on [1e-4, 5]; NaN where the price is outside the bracket's prices."""
    lo, hi = np.full_like(price, 1e-4), np.full_like(price, 5.0)
    outside = (plain_price(call, S, K, t, r, lo, q) >= price) | (plain_price(call, S, K, t, r, hi, q) <= price)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = plain_price(call, S, K, t, r, mid, q) > price
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return np.where(outside, np.nan, 0.5 * (lo + hi))


# --- timing helpers ------------------------------------------------------------------------------


def best_of(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Best wall time over `repeats` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def max_abs(a, b) -> float:
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(np.asarray(a)[both] - np.asarray(b)[both]))) if both.any() else float("nan")


def line(label: str, seconds: float, note: str = "") -> None:
    print(f"  {label:<44s} {seconds * 1e3:9.2f} ms  {note}")


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


# --- the comparisons -----------------------------------------------------------------------------


def run_greeks(d: dict[str, np.ndarray], repeats: int, pvv: Any) -> tuple[Any, dict[str, np.ndarray]]:
    """Price + all Greeks: sigma, the plain reference and py_vollib_vectorized."""
    S, K, t, r, sigma, q, flag = (d[k] for k in ("S", "K", "t", "r", "sigma", "q", "flag"))
    call = flag == "c"
    w = np.where(call, 1.0, -1.0)  # the call/put sign sigma's vectorised code takes
    t_sigma, g = best_of(lambda: bsm(S, K, t, r, sigma, w, q), repeats)
    t_plain, ref = best_of(lambda: plain_greeks(call, S, K, t, r, sigma, q), repeats)
    print(f"\nPrice + Greeks, {S.size:,} options (best of {repeats})")
    line("sigma.instruments.options.bsm", t_sigma)
    ratio = t_sigma / t_plain
    line(
        "plain numpy/scipy reference",
        t_plain,
        f"sigma/plain = {ratio:.2f}x  (goal <= {GOAL_VS_PLAIN}x: {verdict(ratio <= GOAL_VS_PLAIN)})",
    )
    for name in GREEK_NAMES:
        print(f"    max |sigma - plain| {name:<15s} {max_abs(getattr(g, name), ref[name]):.3e}")
    if pvv is not None:

        def pvv_all():
            price = pvv.vectorized_black_scholes_merton(flag, S, K, t, r, sigma, q, return_as="numpy")
            return price, pvv.get_all_greeks(flag, S, K, t, r, sigma, q, model="black_scholes_merton", return_as="dict")

        pvv_all()  # first call JIT-compiles; not timed
        t_pvv, (pvv_price, _) = best_of(pvv_all, max(3, repeats // 2))
        speedup = t_pvv / t_sigma
        line(
            "py_vollib_vectorized (price + get_all_greeks)",
            t_pvv,
            f"sigma is {speedup:.1f}x faster  (goal >= {GOAL_VS_PVV_GREEKS}x: "
            f"{verdict(speedup >= GOAL_VS_PVV_GREEKS)})",
        )
        print(
            f"    max |sigma - pvv| price           {max_abs(g.price, np.ravel(pvv_price)):.3e}"
            "  (its Greeks are finite differences: not compared)"
        )
    return g, ref


def run_implied_vol(d: dict[str, np.ndarray], g: Any, repeats: int, pvv: Any) -> None:
    """Implied vols of the prices just computed: sigma, plain bisection and py_vollib_vectorized."""
    S, K, t, r, sigma, q, flag = (d[k] for k in ("S", "K", "t", "r", "sigma", "q", "flag"))
    prices = np.asarray(g.price)
    well = np.asarray(g.vega_per_point) > 1e-4 * S  # well-conditioned: the price pins sigma down
    w = np.where(flag == "c", 1.0, -1.0)
    t_sigma, iv = best_of(lambda: implied_vol(prices, S, K, t, r, w, q), repeats)
    t_plain, iv_plain = best_of(lambda: plain_implied_vol(prices, flag == "c", S, K, t, r, q), max(1, repeats // 3))
    print(
        f"\nImplied vol, {S.size:,} options (best of {repeats}); "
        f"{int(well.sum()):,} well-conditioned (vega > 1e-4 S per point)"
    )
    line(
        "sigma.instruments.options.implied_vol",
        t_sigma,
        f"NaN: {int(np.isnan(iv).sum())} (well-cond.: "
        f"{int(np.isnan(iv[well]).sum())}), max |iv - true| well-cond. {max_abs(iv[well], sigma[well]):.2e}",
    )
    line(
        "plain vectorised bisection (52 steps)",
        t_plain,
        f"sigma is {t_plain / t_sigma:.1f}x faster, "
        f"max |sigma - plain| well-cond. {max_abs(iv[well], iv_plain[well]):.2e}",
    )
    if pvv is not None:
        _pvv_implied_vol(d, prices, iv, well, t_sigma, repeats, pvv)


def _pvv_implied_vol(
    d: dict[str, np.ndarray],
    prices: np.ndarray,
    iv: np.ndarray,
    well: np.ndarray,
    t_sigma: float,
    repeats: int,
    pvv: Any,
) -> None:
    """py_vollib_vectorized's implied vols of the same prices, timed and compared with sigma's."""
    S, K, t, r, sigma, q, flag = (d[k] for k in ("S", "K", "t", "r", "sigma", "q", "flag"))

    def pvv_iv():
        return pvv.vectorized_implied_volatility(
            prices, S, K, t, r, flag, q, model="black_scholes_merton", return_as="numpy", on_error="ignore"
        )

    pvv_iv()  # JIT warm-up
    t_pvv, iv_pvv = best_of(pvv_iv, max(3, repeats // 2))
    iv_pvv = np.ravel(iv_pvv)
    speedup = t_pvv / t_sigma
    line(
        "py_vollib_vectorized implied vol",
        t_pvv,
        f"sigma is {speedup:.2f}x faster  (goal >= {GOAL_VS_PVV_IV}x: {verdict(speedup >= GOAL_VS_PVV_IV)})",
    )
    print(
        f"    py_vollib_vectorized: NaN {int(np.isnan(iv_pvv).sum())}, max |iv - true| well-cond. "
        f"{max_abs(iv_pvv[well], sigma[well]):.2e}; max |sigma - pvv| well-cond. {max_abs(iv[well], iv_pvv[well]):.2e}"
    )


def run_analytical_subset(d: dict[str, np.ndarray], g: Any, n: int = 1000) -> None:
    """Greeks against py_vollib's scalar analytical functions (units already Sigma's) on a subset."""
    try:
        from py_vollib.black_scholes_merton.greeks import analytical as pv
    except Exception as err:  # report any import problem and go on
        print(f"\npy_vollib analytical Greeks unavailable ({type(err).__name__}: {err}); skipped")
        return
    names = {
        "delta": pv.delta,
        "gamma": pv.gamma,
        "theta_per_day": pv.theta,
        "vega_per_point": pv.vega,
        "rho_per_point": pv.rho,
    }
    print(f"\nGreeks vs py_vollib analytical (scalar Python), first {n:,} options")
    args = [(str(d["flag"][i]), *(float(d[k][i]) for k in ("S", "K", "t", "r", "sigma", "q"))) for i in range(n)]
    for name, fn in names.items():
        theirs = np.array([fn(*a) for a in args])
        print(f"    max |sigma - py_vollib| {name:<15s} {max_abs(getattr(g, name)[:n], theirs):.3e}")


def load_pvv() -> Any:
    """py_vollib_vectorized, or None with the reason printed."""
    try:
        import py_vollib_vectorized
    except Exception as err:  # any failure is reported; the other comparisons still run
        print(
            f"py_vollib_vectorized unavailable ({type(err).__name__}: {err}); comparing with the plain reference only"
        )
        return None
    return py_vollib_vectorized


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, run every comparison, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    opts = parser.parse_args(argv)
    pvv = load_pvv()
    data = sample(opts.n)
    g, _ = run_greeks(data, opts.repeats, pvv)
    run_implied_vol(data, g, opts.repeats, pvv)
    run_analytical_subset(data, g, min(1000, opts.n))


if __name__ == "__main__":
    main()
