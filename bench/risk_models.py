"""Benchmark: factor exposures against a statsmodels OLS loop, Monte Carlo VaR against plain numpy.

Run: .venv/bin/python -m bench.risk_models (bench.risk calls `main()` at its end).

Data: seeded 6-factor returns. Factor rows: 500 assets x 6 factors x 252 days (complete, then with
20 % of the assets listed late, so several row patterns). Monte Carlo rows: 10,000 paths x 500
assets; the covariance is estimated from 1,000 days of history on both sides (one Cholesky in
the baseline: L = cholesky(Σ); R = Z @ L.T; P&L = R @ exposures). Peak memory by tracemalloc,
measured in a separate run from the timing.
"""

from __future__ import annotations

import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sigma.risk.factors import factor_exposures
from sigma.risk.option_book import OptionBook
from sigma.risk.var import value_at_risk

N_ASSETS, N_FACTORS, SEED = 500, 6, 11


def synthetic(n_days: int, late: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Asset returns driven by 6 correlated factors plus noise; optionally 20 % listed late."""
    rng = np.random.default_rng(SEED)
    dates = pd.bdate_range("2021-01-04", periods=n_days)
    mix = np.eye(N_FACTORS) + 0.3 * rng.standard_normal((N_FACTORS, N_FACTORS))
    f = 0.008 * rng.standard_t(5, (n_days, N_FACTORS)) @ mix / np.sqrt(5 / 3)
    betas = rng.normal(0.0, 0.5, (N_FACTORS, N_ASSETS)) + np.r_[1.0, np.zeros(N_FACTORS - 1)][:, None]
    y = f @ betas + rng.uniform(0.005, 0.02, N_ASSETS) * rng.standard_normal((n_days, N_ASSETS))
    if late:
        cols = rng.choice(N_ASSETS, N_ASSETS // 5, replace=False)
        for col, start in zip(cols, rng.integers(1, 100, cols.size), strict=True):  # data set-up only
            y[:start, col] = np.nan
    factors = pd.DataFrame(f, index=dates, columns=[f"F{i}" for i in range(N_FACTORS)])
    return pd.DataFrame(y, index=dates, columns=[f"A{i:03d}" for i in range(N_ASSETS)]), factors


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of `repeat` runs and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def peak_mb(fn: Callable[[], Any]) -> float:
    """Peak traced memory of one call, in MB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 1e6


def statsmodels_tstats(returns: pd.DataFrame, factors: pd.DataFrame) -> pd.DataFrame:
    """The obvious reference: one statsmodels OLS per asset."""
    import statsmodels.api as sm

    rows = {}
    design = sm.add_constant(factors)
    for col in returns.columns:  # the reference loop being benchmarked
        y = returns[col].dropna()
        rows[col] = sm.OLS(y, design.loc[y.index]).fit().tvalues.iloc[1:]
    return pd.DataFrame(rows).T


def bench_factors(late: bool) -> tuple[str, ...]:
    returns, factors = synthetic(252, late)
    statsmodels_tstats(returns.iloc[:, :5], factors)  # warm-up: imports are not timed
    t_peer, expected = timed(lambda: statsmodels_tstats(returns, factors), repeat=1)
    t_sigma, fit = timed(lambda: factor_exposures(returns, factors, min_obs=126), repeat=7)
    diff = float(np.nanmax(np.abs(fit.tstats.to_numpy() - expected.to_numpy())))
    name = "factor_exposures 500x6x252" + (" (20 % late)" if late else "")
    return _row(name, "statsmodels OLS loop", t_peer, t_sigma, f"{diff:.2e}", ">= 50x, t-stats 1e-10")


def plain_numpy_var(returns: pd.DataFrame, exposures: np.ndarray, n_paths: int, seed: int) -> float:
    """The obvious full-matrix Monte Carlo: Z (paths x assets) @ cholesky(Σ).T @ exposures."""
    cov = np.cov(returns.to_numpy(), rowvar=False)
    chol = np.linalg.cholesky(cov)
    z = np.random.default_rng(seed).standard_normal((n_paths, len(cov)))
    pnl = (z @ chol.T) @ exposures
    return float(-np.quantile(pnl, 0.01))


def bench_monte_carlo(with_options: bool) -> tuple[str, ...]:
    returns, _ = synthetic(1000)
    e = pd.Series(np.random.default_rng(3).normal(0, 1e5, N_ASSETS), index=returns.columns)
    book = None
    if with_options:
        n = 20
        book = OptionBook(
            np.arange(n),
            np.full(n, 100.0),
            np.linspace(80, 120, n),
            np.full(n, 0.25),
            np.full(n, 0.04),
            np.full(n, 0.25),
            np.where(np.arange(n) % 2, "call", "put"),
            np.full(n, 500.0),
        )

    def sigma() -> Any:
        return value_at_risk(e, returns, 1e8, options=book, method="monte_carlo", levels=(0.99,), horizons=(1,))

    def peer() -> float:
        return plain_numpy_var(returns, e.to_numpy(), 10_000, 0)

    t_peer, v_peer = timed(peer)
    t_sigma, res = timed(sigma)
    mem = f"peak {peak_mb(sigma):.1f} MB vs {peak_mb(peer):.1f} MB"
    v_sigma = res.var("monte_carlo", 0.99, 1)
    detail = f"VaR99 {v_sigma:,.0f} (t, ν=5) vs {v_peer:,.0f} (normal); {mem}"
    name = "Monte Carlo VaR 10,000x500" + (" + 20 options" if with_options else "")
    return _row(name, "plain numpy (no options)", t_peer, t_sigma, detail, "<= 1.5x of numpy time, <= 175 MB")


def _row(name: str, peer: str, t_peer: float, t_sigma: float, detail: str, goal: str) -> tuple[str, ...]:
    ratio = t_peer / t_sigma if t_sigma > 0 else float("inf")
    line = (name, peer, f"{t_peer * 1e3:9.1f} ms", f"{t_sigma * 1e3:8.1f} ms", f"{ratio:7.1f}x", detail, goal)
    print(" | ".join(line), flush=True)
    return line


def main() -> list[tuple[str, ...]]:
    """Print one line per benchmark row and return them."""
    warnings.simplefilter("ignore")
    print("row | peer | peer time | sigma time | speed-up | detail | goal")
    return [bench_factors(False), bench_factors(True), bench_monte_carlo(False), bench_monte_carlo(True)]


if __name__ == "__main__":
    main()
