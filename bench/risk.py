"""Benchmark: Sigma's risk analytics against peer libraries, side by side through `bench.harness`.

Run: .venv/bin/python -m bench.risk [--rounds 5]

Data: `bench.harness.goal_returns()`, 500 assets x 10 years with 20 % listed late (NaN before
listing), and its market benchmark. Every row times a PUBLIC Sigma function and its peer on the
same inputs, alternating for the same number of rounds, after checking that they agree; it
prints the median speed-up with its min-max over rounds, and CPU time beside wall time.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from bench.harness import HEADER, Timing, clock, compare, goal_returns
from sigma.risk import beta as sbeta
from sigma.risk import correlation as scorr
from sigma.risk import performance as sperf
from sigma.risk import volatility as svol

QS_COLUMNS = ["cagr", "volatility", "sharpe", "sortino", "max_drawdown", "beta", "alpha", "cvar_95", "cvar_99"]
LIMIT_COLUMNS = [c for c in sperf.PROFILE_COLUMNS if c != "n_obs"]


def quantstats_profile(returns: pd.DataFrame, bench: pd.Series) -> pd.DataFrame:
    """quantstats' figures for the same columns (its greeks are per column)."""
    import quantstats as qs

    s = qs.stats
    greeks = pd.DataFrame({c: s.greeks(returns[c], bench) for c in returns.columns}).T  # type: ignore[no-untyped-call]  # quantstats: untyped; per column
    tails = [-s.conditional_value_at_risk(returns, confidence=lv, method="historical") for lv in (0.95, 0.99)]
    return pd.DataFrame(
        {
            "cagr": s.cagr(returns),
            "volatility": s.volatility(returns),
            "sharpe": s.sharpe(returns),
            "sortino": s.sortino(returns),
            "max_drawdown": s.max_drawdown(returns),
            "beta": greeks["beta"],
            "alpha": greeks["alpha"],
            "cvar_95": tails[0],
            "cvar_99": tails[1],
        }
    )


def empyrical_profile(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """empyrical's figures (cagr, vol, sharpe, sortino, max drawdown, beta, VaR 95) per column."""
    import empyrical as ep

    ab = np.array([ep.alpha_beta_aligned(x[:, i], b) for i in range(x.shape[1])])  # 1-D only
    var95 = np.array([ep.value_at_risk(x[:, i], 0.05) for i in range(x.shape[1])])  # flattens 2-D input
    cols = [ep.annual_return(x), ep.annual_volatility(x), ep.sharpe_ratio(x), ep.sortino_ratio(x)]
    return np.column_stack([*cols, ep.max_drawdown(x), ab[:, 1], -var95])


def bench_profiles(returns: pd.DataFrame, bench: pd.Series, rounds: int) -> list[Timing]:
    from bench.numpy_limit import profile_limit

    full = returns.loc[:, returns.notna().all()]  # quantstats and empyrical date a CAGR by rows incl. NaN
    qs_cols = full.iloc[:, :50]
    emp_cols = ["cagr", "volatility", "sharpe", "sortino", "max_drawdown", "beta", "var_95"]
    x, b = full.to_numpy(), bench.to_numpy()
    return [
        compare(
            "performance_profile 500 x 10y",
            "plain-numpy limit (bench/numpy_limit.py)",
            lambda: sperf.performance_profile(returns, bench),
            lambda: profile_limit(returns, bench),
            goal=1 / 1.5,
            goal_text="sigma <= 1.5x the limit",
            rounds=rounds,
            views=lambda got, exp: (got[LIMIT_COLUMNS].to_numpy(), exp),
        ),
        compare(
            "performance_profile (50 full columns)",
            "quantstats",
            lambda: sperf.performance_profile(qs_cols, bench),
            lambda: quantstats_profile(qs_cols, bench),
            goal=50.0,
            goal_text=">= 50x",
            rounds=max(1, rounds // 2),
            rtol=1e-9,
            views=lambda got, exp: (got[QS_COLUMNS].to_numpy(), exp.to_numpy()),
        ),
        compare(
            f"performance_profile ({x.shape[1]} full columns)",
            "empyrical 2-D",
            lambda: sperf.performance_profile(full, bench),
            lambda: empyrical_profile(x, b),
            goal=1.0,
            goal_text="not slower",
            rounds=rounds,
            rtol=1e-9,
            views=lambda got, exp: (got[emp_cols].to_numpy(), exp),
        ),
    ]


def arch_har(returns: pd.DataFrame, horizons: tuple[int, ...] = svol.HAR_LAGS) -> np.ndarray:
    """arch's HARX fitted and forecast one column at a time, as h-day annualised vols."""
    from arch.univariate import HARX

    out = []
    for col in returns.columns:  # arch fits one series at a time
        rv = (returns[col] ** 2).dropna().to_numpy()[-svol.HAR_WINDOW :]
        res = HARX(rv, lags=list(svol.HAR_LAGS), rescale=False).fit(disp="off")
        mean = res.forecast(horizon=max(horizons), reindex=False).mean.to_numpy()[0]
        out.append([np.sqrt(mean[:h].mean() * 252) for h in horizons])
    return np.array(out)


def bench_series_models(returns: pd.DataFrame, bench: pd.Series, rounds: int) -> list[Timing]:
    hs = [f"h{h}" for h in svol.HAR_LAGS]
    return [
        compare(
            "har_forecast 500 x 10y",
            "arch HARX looped",
            lambda: svol.har_forecast(returns),
            lambda: arch_har(returns),
            goal=15.0,
            goal_text=">= 15x",
            rounds=max(1, rounds // 2),
            views=lambda got, exp: (got[hs].to_numpy(), exp),
        ),
        compare(
            "correlation_matrix 500 x 10y",
            "pandas DataFrame.corr",
            lambda: scorr.correlation_matrix(returns, min_periods=60, cluster=False),
            lambda: returns.corr(min_periods=60),
            goal=5.0,
            goal_text=">= 5x",
            rounds=rounds,
            rtol=1e-12,
            atol=1e-12,
        ),
        compare(
            "rolling_beta 60d 500 x 10y",
            "pandas rolling cov / var",
            lambda: sbeta.rolling_beta(returns, bench, 60),
            lambda: returns.rolling(60).cov(bench).div(bench.rolling(60).var(), axis=0),
            goal=5.0,
            goal_text=">= 5x",
            rounds=rounds,
            rtol=1e-9,
            atol=1e-12,
        ),
    ]


def cluster_time(returns: pd.DataFrame, rounds: int) -> None:
    """Sigma alone (no peer): the clustered ordering of the 500 x 500 matrix, goal <= 25 ms."""
    corr = scorr.correlation_matrix(returns, min_periods=60, cluster=False)
    times = np.array([clock(lambda: scorr.cluster_order(corr))[:2] for _ in range(rounds)])
    wall, cpu = np.median(times, axis=0) * 1e3
    print(f"cluster_order 500 x 500 (no peer): median {wall:.1f} ms ({cpu:.1f} ms cpu) (goal <= 25 ms)")


def main(argv: list[str] | None = None) -> list[Timing]:
    """Print one line per row and return the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args(argv).rounds
    warnings.simplefilter("ignore")
    returns, bench = goal_returns()
    print(f"data: {returns.shape[1]} assets x {returns.shape[0]} days, {int(returns.isna().any().sum())} late-listed")
    print(HEADER)
    rows = bench_profiles(returns, bench, rounds) + bench_series_models(returns, bench, rounds)
    cluster_time(returns, rounds)
    return rows


if __name__ == "__main__":
    main()
