"""Market and rate betas: OLS slopes of daily returns on a benchmark or on yield changes.

Conventions: `returns` is a DataFrame of simple daily returns (dates x assets); the benchmark
and the yield changes are Series on dates, aligned by date. Slopes use the dates where both the
column and the regressor exist, with cov and var at the same ddof (so the slope is the OLS
slope). Yields are in percent points, so a change of +1.00 is +100 bp and the rate beta is
already "return per +100 bp": −0.07 means the asset loses 7 % when the 10-year yield rises 1 pp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigma.risk.performance import beta as _paired_beta

MARKET_WINDOW = 252
MARKET_MIN_OBS = 60
ROLLING_WINDOW = 60


def market_beta(
    returns: pd.DataFrame, benchmark: pd.Series, window: int = MARKET_WINDOW, min_obs: int = MARKET_MIN_OBS
) -> pd.Series:
    """OLS beta of each column on the benchmark over the last `window` dates; NaN below `min_obs` pairs."""
    recent = returns.iloc[-window:]
    return _paired_beta(recent, benchmark, min_obs=min_obs).rename("beta")


def rate_beta(returns: pd.DataFrame, yield_changes: pd.Series, min_obs: int = MARKET_MIN_OBS) -> pd.Series:
    """Slope of daily returns on daily 10-year yield changes (pp): return per +100 bp."""
    return _paired_beta(returns, yield_changes, min_obs=min_obs).rename("rate_beta")


def _window_sums(values: np.ndarray, window: int) -> np.ndarray:
    """Sums over trailing windows via a cumulative sum: row t covers t − window + 1 … t (t ≥ window − 1)."""
    csum = np.cumsum(values, axis=0)
    out = csum[window - 1 :]
    out[1:] -= csum[: len(csum) - window]  # in place, from the bottom: reads rows not yet overwritten
    return out


def rolling_beta(returns: pd.DataFrame, benchmark: pd.Series, window: int = ROLLING_WINDOW) -> pd.DataFrame:
    """Rolling `window`-day beta per column; NaN unless all `window` dates have both values.

    Matches `returns.rolling(w).cov(benchmark) / benchmark.rolling(w).var()`. Computed with
    cumulative sums of values centred by their full-sample means, which keeps the cancellation
    in sum(xy) − sum(x)·sum(y)/n small (agreement with pandas about 1e-13). Only windows with
    every date observed are reported, so the benchmark's sums are shared by all columns. A window
    where the benchmark is constant has no beta (NaN), as in pandas.
    """
    x = returns.to_numpy(dtype=np.float64)
    b = benchmark.reindex(returns.index).to_numpy(dtype=np.float64)
    out = np.full(x.shape, np.nan)
    if len(x) < window:
        return pd.DataFrame(out, index=returns.index, columns=returns.columns)
    b_ok = np.isfinite(b)
    bc = np.where(b_ok, b - (b[b_ok].mean() if b_ok.any() else 0.0), 0.0)
    missing = ~np.isfinite(x) | ~b_ok[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        xc = np.where(missing, 0.0, x - np.where(missing, 0.0, x).sum(axis=0) / (~missing).sum(axis=0))
    gaps = _window_sums(missing.astype(np.int32), window)
    sx, sxb = _window_sums(xc, window), _window_sums(xc * bc[:, None], window)
    sb, sbb = _window_sums(bc, window), _window_sums(bc * bc, window)
    var = sbb - sb * sb / window
    # Window sums are differences of running totals, so a window where the benchmark does not move
    # keeps a rounding residue of order eps × the total: below `tiny` the variance is zero (NaN beta).
    tiny = 1e3 * np.finfo(np.float64).eps * float((bc * bc).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        beta = (sxb - sx * (sb / window)[:, None]) / np.where(var > tiny, var, np.nan)[:, None]
    beta[gaps > 0] = np.nan
    out[window - 1 :] = beta
    return pd.DataFrame(out, index=returns.index, columns=returns.columns)
