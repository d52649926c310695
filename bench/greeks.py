"""Benchmark: sigma.instruments.options against py_vollib_vectorized and a plain numpy reference.

Run from the repo root in the bench environment (py_vollib_vectorized's pins clash with the
test oracles, see bench/requirements-greeks.txt):

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -r bench/requirements-greeks.txt
    .venv-bench/bin/python -m bench.greeks [--n 100000] [--rounds 7]

Through `bench.harness`: each comparison checks that the results agree (stated tolerance) before
timing, then alternates sigma and the peer for the same number of rounds and prints the median
speed-up with its min-max over rounds, CPU time beside wall time, and the goal.
py_vollib_vectorized's Greeks are finite differences (and its rho bumps r and
q together), so only its prices and implied vols are compared with sigma's; Greeks are compared
with py_vollib's scalar analytical functions on a 1,000-option subset (same units as Sigma's:
theta per calendar day, vega and rho per point).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from scipy.special import ndtr

from bench.harness import HEADER, compare
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


# --- helpers ------------------------------------------------------------------------------------


def max_abs(a, b) -> float:
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.max(np.abs(np.asarray(a)[both] - np.asarray(b)[both]))) if both.any() else float("nan")


def stacked(g: Any) -> np.ndarray:
    """Price and Greeks of a sigma result (or of the plain reference's dict) as one array."""
    get = g.get if isinstance(g, dict) else lambda name: getattr(g, name)
    return np.stack([np.asarray(get(name), dtype=float) for name in GREEK_NAMES])


# --- the comparisons -----------------------------------------------------------------------------


def run_greeks(d: dict[str, np.ndarray], rounds: int, pvv: Any) -> Any:
    """Price + all Greeks: sigma against the plain reference, then against py_vollib_vectorized."""
    S, K, t, r, sigma, q, flag = (d[k] for k in ("S", "K", "t", "r", "sigma", "q", "flag"))
    call = flag == "c"
    w = np.where(call, 1.0, -1.0)  # the call/put sign sigma's vectorised code takes
    print(f"\nPrice + Greeks, {S.size:,} options")

    def ours() -> Any:
        return bsm(S, K, t, r, sigma, w, q)

    compare(
        "bsm price + Greeks",
        "plain numpy/scipy reference",
        ours,
        lambda: plain_greeks(call, S, K, t, r, sigma, q),
        goal=1 / GOAL_VS_PLAIN,
        goal_text=f"sigma <= {GOAL_VS_PLAIN}x plain",
        rounds=rounds,
        rtol=1e-9,
        atol=1e-12,
        views=lambda g, ref: (stacked(g), stacked(ref)),
    )
    if pvv is not None:

        def pvv_all() -> Any:
            price = pvv.vectorized_black_scholes_merton(flag, S, K, t, r, sigma, q, return_as="numpy")
            return price, pvv.get_all_greeks(flag, S, K, t, r, sigma, q, model="black_scholes_merton", return_as="dict")

        compare(  # the check call also JIT-compiles py_vollib_vectorized: not timed
            "bsm price + Greeks",
            "py_vollib_vectorized (price + get_all_greeks)",
            ours,
            pvv_all,
            goal=GOAL_VS_PVV_GREEKS,
            goal_text=f">= {GOAL_VS_PVV_GREEKS}x",
            rounds=rounds,
            rtol=1e-7,
            atol=1e-9,
            views=lambda g, theirs: (g.price, np.ravel(theirs[0])),  # its Greeks are finite differences
        )
    return ours()


def run_implied_vol(d: dict[str, np.ndarray], g: Any, rounds: int, pvv: Any) -> None:
    """Implied vols of the prices just computed: sigma, plain bisection and py_vollib_vectorized."""
    S, K, t, r, sigma, q, flag = (d[k] for k in ("S", "K", "t", "r", "sigma", "q", "flag"))
    prices = np.asarray(g.price)
    well = np.asarray(g.vega_per_point) > 1e-4 * S  # well-conditioned: the price pins sigma down
    w = np.where(flag == "c", 1.0, -1.0)
    print(f"\nImplied vol, {S.size:,} options; {int(well.sum()):,} well-conditioned (vega > 1e-4 S per point)")

    def ours() -> np.ndarray:
        return np.asarray(implied_vol(prices, S, K, t, r, w, q))

    iv = ours()
    print(
        f"  sigma: NaN {int(np.isnan(iv).sum())} (well-cond. {int(np.isnan(iv[well]).sum())}), "
        f"max |iv - true| well-cond. {max_abs(iv[well], sigma[well]):.2e}"
    )
    compare(
        "implied_vol",
        "plain vectorised bisection (52 steps)",
        ours,
        lambda: plain_implied_vol(prices, flag == "c", S, K, t, r, q),
        goal=1.0,
        goal_text="faster",
        rounds=max(1, rounds // 3),
        rtol=0.0,
        atol=1e-8,
        views=lambda a, b: (a[well], b[well]),
    )
    if pvv is not None:

        def pvv_iv() -> np.ndarray:
            return np.ravel(
                pvv.vectorized_implied_volatility(
                    prices, S, K, t, r, flag, q, model="black_scholes_merton", return_as="numpy", on_error="ignore"
                )
            )

        compare(
            "implied_vol",
            "py_vollib_vectorized",
            ours,
            pvv_iv,
            goal=GOAL_VS_PVV_IV,
            goal_text=f">= {GOAL_VS_PVV_IV}x",
            rounds=rounds,
            rtol=0.0,
            atol=1e-8,
            views=lambda a, b: (a[well], b[well]),
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
    parser.add_argument("--rounds", type=int, default=7)
    opts = parser.parse_args(argv)
    pvv = load_pvv()
    data = sample(opts.n)
    print(HEADER)
    g = run_greeks(data, opts.rounds, pvv)
    run_implied_vol(data, g, opts.rounds, pvv)
    run_analytical_subset(data, g, min(1000, opts.n))


if __name__ == "__main__":
    main()
