"""Benchmark: Sigma's risk analytics against peer libraries, side by side in one process.

Run: .venv/bin/python -m bench.risk

Data: 500 assets x 2,520 days of seeded, fat-tailed (Student-t, ν=4), factor-correlated
returns; 20 % of the columns are listed late (leading NaN). Each row prints the peer's time,
Sigma's time, the speed ratio and the maximum absolute (or relative) difference.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from sigma.risk import beta as sbeta
from sigma.risk import correlation as scorr
from sigma.risk import performance as sperf
from sigma.risk import volatility as svol

N_ASSETS, N_DAYS, SEED = 500, 2520, 7


def synthetic_returns(
    n_assets: int = N_ASSETS, n_days: int = N_DAYS, seed: int = SEED
) -> tuple[pd.DataFrame, pd.Series]:
    """Fat-tailed, factor-correlated daily returns with late listings, and a market benchmark."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2016-01-04", periods=n_days)
    market = 0.0004 + 0.011 * rng.standard_t(4, n_days) / np.sqrt(2.0)
    sectors = 0.006 * rng.standard_t(5, (n_days, 11)) / np.sqrt(5 / 3)
    loadings = rng.uniform(0.5, 1.5, n_assets)
    sector_of = rng.integers(0, 11, n_assets)
    noise = rng.uniform(0.008, 0.02, n_assets) * rng.standard_t(4, (n_days, n_assets)) / np.sqrt(2.0)
    values = market[:, None] * loadings + sectors[:, sector_of] + noise
    late = rng.choice(n_assets, n_assets // 5, replace=False)
    starts = rng.integers(50, 1800, late.size)
    for col, start in zip(late, starts, strict=True):  # data set-up, not a measured path
        values[:start, col] = np.nan
    columns = [f"A{i:03d}" for i in range(n_assets)]
    return pd.DataFrame(values, index=dates, columns=columns), pd.Series(market, index=dates, name="MKT")


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of `repeat` runs and the last result."""
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def row(name: str, peer: str, t_peer: float, t_sigma: float, diff: float, goal: str) -> tuple[str, ...]:
    ratio = t_peer / t_sigma if t_sigma > 0 else float("inf")
    line = (name, peer, f"{t_peer * 1e3:9.1f} ms", f"{t_sigma * 1e3:8.1f} ms", f"{ratio:7.1f}x", f"{diff:.2e}", goal)
    print(" | ".join(line), flush=True)
    return line


def _maxdiff(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    both_nan = np.isnan(a) & np.isnan(b)
    d = np.abs(a - b)
    d[both_nan] = 0.0
    return float(np.nanmax(np.where(np.isnan(d), np.inf, d)))


def bench_quantstats(returns: pd.DataFrame, bench: pd.Series, n_cols: int = 50) -> list[tuple[str, ...]]:
    import quantstats as qs

    sub = returns.iloc[:, :n_cols]

    def peer() -> pd.DataFrame:
        s = qs.stats
        greeks = pd.DataFrame({c: s.greeks(sub[c], bench) for c in sub.columns}).T  # type: ignore[no-untyped-call]  # quantstats: untyped; per column
        hist_cvar = [s.conditional_value_at_risk(sub, confidence=lv, method="historical") for lv in (0.95, 0.99)]
        return pd.DataFrame(
            {
                "cagr": s.cagr(sub),
                "volatility": s.volatility(sub),
                "sharpe": s.sharpe(sub),
                "sortino": s.sortino(sub),
                "max_drawdown": s.max_drawdown(sub),
                "calmar": s.calmar(sub),
                "beta": greeks["beta"],
                "alpha": greeks["alpha"],
                "cvar_95": -hist_cvar[0],
                "cvar_99": -hist_cvar[1],
            }
        )

    t_peer, expected = timed(peer, repeat=1)
    t_sigma, got = timed(lambda: sperf.performance_profile(sub, bench))
    diff = _maxdiff(got[expected.columns].to_numpy(), expected.to_numpy())
    per_asset = t_peer / n_cols * 1e3
    print(f"  quantstats on {n_cols} assets ({per_asset:.1f} ms per asset; x{N_ASSETS // n_cols} for 500)")
    return [row("performance_profile", f"quantstats ({n_cols} assets)", t_peer, t_sigma, diff, ">= 50x, 1e-12")]


def bench_empyrical(returns: pd.DataFrame, bench: pd.Series) -> list[tuple[str, ...]]:
    import empyrical as ep

    full = returns.loc[:, returns.notna().all()]  # empyrical's annual_return counts NaN rows as years
    x = full.to_numpy()
    b = bench.to_numpy()

    def peer() -> pd.DataFrame:
        ab = np.array([ep.alpha_beta_aligned(x[:, i], b) for i in range(x.shape[1])])  # 1-D only
        var95 = np.array([ep.value_at_risk(x[:, i], 0.05) for i in range(x.shape[1])])  # flattens 2-D input
        return pd.DataFrame(
            {
                "cagr": ep.annual_return(x),
                "volatility": ep.annual_volatility(x),
                "sharpe": ep.sharpe_ratio(x),
                "sortino": ep.sortino_ratio(x),
                "max_drawdown": ep.max_drawdown(x),
                "beta": ab[:, 1],
                "var_95": -var95,
            },
            index=full.columns,
        )

    t_peer, expected = timed(peer)
    t_sigma, got = timed(lambda: sperf.performance_profile(full, bench))
    diff = _maxdiff(got[expected.columns].to_numpy(), expected.to_numpy())  # calmar_ratio is 1-D only: left out
    return [row("performance_profile", f"empyrical 2-D ({x.shape[1]} full cols)", t_peer, t_sigma, diff, "not slower")]


def bench_correlation(returns: pd.DataFrame) -> list[tuple[str, ...]]:
    t_peer, expected = timed(lambda: returns.corr(min_periods=60), repeat=1)
    t_sigma, got = timed(lambda: scorr.correlation_matrix(returns, min_periods=60, cluster=False))
    lines = [
        row("correlation_matrix", "pandas DataFrame.corr", t_peer, t_sigma, _maxdiff(got, expected), ">= 5x, 1e-12")
    ]
    t_cluster, _ = timed(lambda: scorr.cluster_order(got), repeat=5)
    lines.append(row("clustered ordering", "(goal <= 25 ms)", t_cluster, t_cluster, 0.0, "<= 25 ms"))
    return lines


def bench_har(returns: pd.DataFrame, n_cols: int = 100) -> list[tuple[str, ...]]:
    from arch.univariate import HARX

    sub = returns.iloc[:, :n_cols].dropna(axis=1)
    rv = sub**2

    def peer() -> np.ndarray:
        out = []
        for col in rv.columns:  # arch fits one series at a time
            res = HARX(rv[col].to_numpy()[-svol.HAR_WINDOW :], lags=[1, 5, 22]).fit(disp="off")
            mean = res.forecast(horizon=22, reindex=False).mean.to_numpy()[0]
            out.append(np.concatenate([res.params[:4], mean]))
        return np.array(out)

    t_peer, expected = timed(peer, repeat=1)

    def ours() -> np.ndarray:
        params, window, _ = svol._fit_frame(rv)
        return np.concatenate([params, svol._iterate(params, window, 22)], axis=1)

    t_sigma, got = timed(ours)
    t_full, _ = timed(lambda: svol.har_forecast(sub))
    rel = float(np.max(np.abs(got - expected) / np.abs(expected)))
    print(f"  har_forecast (params + 22 forecasts) on {rv.shape[1]} assets; full har_forecast {t_full * 1e3:.1f} ms")
    return [row("har_forecast", f"arch HARX looped ({rv.shape[1]} assets)", t_peer, t_sigma, rel, ">= 15x, 1e-10 rel")]


def bench_rolling_beta(returns: pd.DataFrame, bench: pd.Series) -> list[tuple[str, ...]]:
    def peer() -> pd.DataFrame:
        return returns.rolling(60).cov(bench).div(bench.rolling(60).var(), axis=0)

    t_peer, expected = timed(peer, repeat=1)
    t_sigma, got = timed(lambda: sbeta.rolling_beta(returns, bench, 60))
    return [
        row("rolling 60-day beta", "pandas rolling cov / var", t_peer, t_sigma, _maxdiff(got, expected), ">= 5x, 1e-12")
    ]


def main() -> list[tuple[str, ...]]:
    """Print one line per benchmark row and return them."""
    warnings.simplefilter("ignore")
    returns, bench = synthetic_returns()
    print(f"data: {returns.shape[1]} assets x {returns.shape[0]} days, {int(returns.isna().any().sum())} late-listed")
    print("row | peer | peer time | sigma time | speed-up | max diff | goal")
    lines = bench_quantstats(returns, bench)
    lines += bench_empyrical(returns, bench)
    lines += bench_correlation(returns)
    lines += bench_har(returns)
    lines += bench_rolling_beta(returns, bench)
    try:
        from bench import risk_models
    except ImportError:
        print("(bench.risk_models not present: factor_exposures and Monte Carlo VaR rows skipped)")
    else:
        risk_models.main()
    return lines


if __name__ == "__main__":
    main()
