"""Benchmark: factor exposures against a statsmodels OLS loop, Monte Carlo VaR against plain numpy.

Run: .venv/bin/python -m bench.risk_models [--rounds 5] [--only factors|mc|mc_options]

Through `bench.harness` (results checked, then both sides alternated for the same rounds; median
speed-up with its min-max; CPU beside wall). BLAS runs on its default threads (printed).

Factor rows: 500 assets x 10 years of returns driven by 6 seeded correlated factors, 20 % listed
late (NaN before listing, some inside the 252-day window, so several row patterns and a few
assets below `min_obs`); `factor_exposures` (public) against one statsmodels OLS per asset on the
same rows (its last 252 dates, the asset's non-NaN rows, NaN below 126 rows); t-stats agree.

Monte Carlo rows: 10,000 paths x 500 assets, covariance from 1,000 days. The baseline is the
plain-numpy simulation of the SAME distribution with the SAME draws: a multivariate Student-t
(ν = 5, unit variance: z·√((ν − 2)/W), one W ~ χ²ν per path) of the state the P&L needs (the
option underlyings' returns and the P&L of the other linear positions, covariance S Σ Sᵀ of the
sample Σ), drawn from `default_rng(0)` in chunks of 2,000 paths (normals, then χ²), options
repriced with a plain Black-Scholes formula. VaR and CVaR at 99 % must agree to 1e-9. Peak memory
by tracemalloc, in a separate run from the timing.
"""

from __future__ import annotations

import argparse
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from bench.harness import HEADER, Timing, compare
from sigma.risk.factors import factor_exposures
from sigma.risk.option_book import OptionBook
from sigma.risk.var import CHUNK, value_at_risk

N_ASSETS, N_FACTORS, SEED, WINDOW, MIN_OBS = 500, 6, 11, 252, 126
NU, LEVEL, N_PATHS = 5.0, 0.99, 10_000


def synthetic(n_days: int, late: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Asset returns driven by 6 correlated factors plus noise; optionally 20 % listed late."""
    rng = np.random.default_rng(SEED)
    dates = pd.bdate_range("2016-01-04", periods=n_days)
    mix = np.eye(N_FACTORS) + 0.3 * rng.standard_normal((N_FACTORS, N_FACTORS))
    f = 0.008 * rng.standard_t(5, (n_days, N_FACTORS)) @ mix / np.sqrt(5 / 3)
    betas = rng.normal(0.0, 0.5, (N_FACTORS, N_ASSETS)) + np.r_[1.0, np.zeros(N_FACTORS - 1)][:, None]
    y = f @ betas + rng.uniform(0.005, 0.02, N_ASSETS) * rng.standard_normal((n_days, N_ASSETS))
    if late:
        cols = rng.choice(N_ASSETS, N_ASSETS // 5, replace=False)
        for col, start in zip(cols, rng.integers(1, n_days - 60, cols.size), strict=True):  # data set-up only
            y[:start, col] = np.nan
    factors = pd.DataFrame(f, index=dates, columns=[f"F{i}" for i in range(N_FACTORS)])
    return pd.DataFrame(y, index=dates, columns=[f"A{i:03d}" for i in range(N_ASSETS)]), factors


def statsmodels_tstats(returns: pd.DataFrame, factors: pd.DataFrame) -> np.ndarray:
    """The obvious reference: one statsmodels OLS per asset on its rows of the last 252 dates."""
    import statsmodels.api as sm

    design = sm.add_constant(factors.iloc[-WINDOW:])
    out = np.full((returns.shape[1], N_FACTORS), np.nan)
    for i, col in enumerate(returns.columns):  # the reference loop being benchmarked
        y = returns[col].iloc[-WINDOW:].dropna()
        if len(y) >= MIN_OBS:
            out[i] = sm.OLS(y, design.loc[y.index]).fit().tvalues.to_numpy()[1:]
    return out


def bench_factors(rounds: int) -> Timing:
    returns, factors = synthetic(2520, late=True)
    short = int((returns.iloc[-WINDOW:].notna().sum() < MIN_OBS).sum())
    return compare(
        f"factor_exposures 500 x 6, 10y, 20 % late ({short} short)",
        "statsmodels OLS loop",
        lambda: factor_exposures(returns, factors, window=WINDOW, min_obs=MIN_OBS),
        lambda: statsmodels_tstats(returns, factors),
        goal=50.0,
        goal_text=">= 50x",
        rounds=rounds,
        rtol=1e-9,
        atol=1e-9,
        views=lambda fit, exp: (fit.tstats.to_numpy(), exp),
    )


def _bsm_price(spot: np.ndarray, book: OptionBook, t: np.ndarray) -> np.ndarray:
    """Plain Black-Scholes price (no dividend) of every option at `spot` (rows x options)."""
    k, r, v = book.strike, book.rate, book.vol
    d1 = (np.log(spot / k) + (r + 0.5 * v**2) * t) / (v * np.sqrt(t))
    d2 = d1 - v * np.sqrt(t)
    call = spot * ndtr(d1) - k * np.exp(-r * t) * ndtr(d2)
    put = k * np.exp(-r * t) * ndtr(-d2) - spot * ndtr(-d1)
    return np.asarray(np.where(book.kind == "call", call, put))


def plain_numpy_var(returns: pd.DataFrame, e: np.ndarray, book: OptionBook | None) -> tuple[float, float]:
    """VaR and CVaR at 99 % (1 day) of the same multivariate-t simulation with the same draws."""
    x = returns.to_numpy()
    x = x[np.isfinite(x).all(axis=1)]
    under = np.unique(book.underlying) if book is not None else np.array([], dtype=np.int64)
    rest = e.copy()
    rest[under] = 0.0
    chol = np.linalg.cholesky(np.atleast_2d(np.cov(np.column_stack([x[:, under], x @ rest]), rowvar=False)))
    rng = np.random.default_rng(0)
    pnl = np.empty(N_PATHS)
    for lo in range(0, N_PATHS, CHUNK):  # the same chunks of draws as sigma: normals, then chi-square
        z = rng.standard_normal((min(CHUNK, N_PATHS - lo), len(chol)))
        state = (z @ chol.T) * np.sqrt((NU - 2.0) / rng.chisquare(NU, len(z)))[:, None]
        part = state[:, : under.size] @ e[under] + state[:, -1]
        if book is not None:
            col = np.searchsorted(under, book.underlying)
            moved = _bsm_price(book.spot * (1 + state[:, col]), book, book.t_years - 1 / 252)
            part += ((moved - _bsm_price(book.spot, book, book.t_years)) * book.units).sum(axis=1)
        pnl[lo : lo + len(z)] = part
    q = np.quantile(pnl, 1 - LEVEL)
    return -q, -pnl[pnl <= q].mean()


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak traced memory of one call, in MB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def option_book(n: int = 20) -> OptionBook:
    """20 options, one per underlying (the first 20 assets), strikes 80-120 on a spot of 100."""
    return OptionBook(
        np.arange(n),
        np.full(n, 100.0),
        np.linspace(80, 120, n),
        np.full(n, 0.25),
        np.full(n, 0.04),
        np.full(n, 0.25),
        np.where(np.arange(n) % 2, "call", "put"),
        np.full(n, 500.0),
    )


def bench_monte_carlo(with_options: bool, rounds: int) -> Timing:
    returns, _ = synthetic(1000)
    e = pd.Series(np.random.default_rng(3).normal(0, 1e5, N_ASSETS), index=returns.columns)
    book = option_book() if with_options else None

    def sigma() -> Any:
        return value_at_risk(
            e, returns, 1e8, options=book, method="monte_carlo", levels=(LEVEL,), horizons=(1,), nu=NU, seed=0
        )

    def peer() -> tuple[float, float]:
        return plain_numpy_var(returns, e.to_numpy(), book)

    name = "Monte Carlo VaR 10,000 x 500" + (" + 20 options" if with_options else "")
    timing = compare(
        name,
        "plain numpy, same draws",
        sigma,
        peer,
        goal=1 / 1.5,
        goal_text="sigma <= 1.5x numpy",
        rounds=rounds,
        rtol=1e-9,
        views=lambda res, exp: (
            [res.var("monte_carlo", LEVEL, 1), res.cvar("monte_carlo", LEVEL, 1)],
            list(exp),
        ),
    )
    print(f"  peak memory {peak_mb(sigma):.1f} MB (sigma) vs {peak_mb(peer):.1f} MB (numpy); goal <= 175 MB")
    return timing


ROWS: dict[str, Callable[[int], Timing]] = {
    "factors": bench_factors,
    "mc": lambda rounds: bench_monte_carlo(False, rounds),
    "mc_options": lambda rounds: bench_monte_carlo(True, rounds),
}


def main(argv: list[str] | None = None) -> list[Timing]:
    """Print one line per row and return the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=sorted(ROWS), help="run one row: " + ", ".join(sorted(ROWS)))
    args = parser.parse_args(argv)
    rounds = args.rounds
    warnings.simplefilter("ignore")
    from threadpoolctl import threadpool_info

    blas = [f"{p['internal_api']} {p['num_threads']} threads" for p in threadpool_info() if p["user_api"] == "blas"]
    print(f"BLAS: {', '.join(blas) or 'unknown'} (default threads)")
    print(HEADER)
    return [ROWS[name](rounds) for name in ([args.only] if args.only else ROWS)]


if __name__ == "__main__":
    main()
