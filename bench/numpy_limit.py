"""The plain-numpy limit of `performance_profile`: the least numpy that computes the same numbers.

No pandas beyond reading the frame, no notes, no argument checks, rf = 0, 252 days a year, the
input's NaN handled (each column on its own non-NaN rows, beta and friends on the dates both
exist), ±inf not handled (the bench inputs have none). Each array pass is one the numbers need:
one mask, one sum for the means, one for the squared deviations, one product for the CAGR, one
cumulative product and maximum for the drawdown, the benchmark cross-moments, one sort for the
tails. Output: an array (assets x 14) in the order of `PROFILE_COLUMNS` without n_obs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PPY = 252


def _tails(x: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """numpy 'linear' quantile of each sorted column (NaN last) and the mean at or below it."""
    pos = (n - 1) * (1.0 - level)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, n - 1)
    cols = np.arange(x.shape[1])
    a, b, t = x[lo, cols], x[hi, cols], pos - lo
    q = np.where(t >= 0.5, b - (b - a) * (1.0 - t), a + (b - a) * t)
    tail = x <= q
    return -q, -np.where(tail, x, 0.0).sum(axis=0) / tail.sum(axis=0)


def profile_limit(returns: pd.DataFrame, benchmark: pd.Series) -> np.ndarray:
    """cagr, volatility, sharpe, sortino, max dd, calmar, beta, alpha, TE, IR, VaR/CVaR 95 and 99."""
    x = returns.to_numpy(dtype=np.float64)
    b = benchmark.to_numpy(dtype=np.float64)[:, None]
    ok = ~np.isnan(x)
    n = ok.sum(axis=0)
    x0 = np.where(ok, x, 0.0)
    mean = x0.sum(axis=0) / n
    dev = np.where(ok, x - mean, 0.0)
    std = np.sqrt(np.einsum("ij,ij->j", dev, dev) / (n - 1))
    down = np.minimum(x0, 0.0)
    sortino = mean / np.sqrt(np.einsum("ij,ij->j", down, down) / n) * np.sqrt(PPY)
    wealth = np.cumprod(np.add(x0, 1.0, out=down), axis=0, out=down)  # in place: no new temporaries
    cagr = wealth[-1] ** (PPY / n) - 1.0
    peak = np.maximum(np.maximum.accumulate(wealth, axis=0, out=x0), 1.0, out=x0)
    mdd = np.minimum(np.divide(wealth, peak, out=wealth).min(axis=0), 1.0) - 1.0
    mb = np.where(ok, b, 0.0).sum(axis=0) / n
    db = np.where(ok, b - mb, 0.0)
    beta = np.einsum("ij,ij->j", dev, db) / np.einsum("ij,ij->j", db, db)
    active = dev - db
    te = np.sqrt(np.einsum("ij,ij->j", active, active) / (n - 1) * PPY)
    ordered = np.sort(x, axis=0)
    var95, cvar95 = _tails(ordered, n, 0.95)
    var99, cvar99 = _tails(ordered, n, 0.99)
    alpha = (mean - beta * mb) * PPY
    ir = (mean - mb) * PPY / te
    head = [cagr, std * np.sqrt(PPY), mean / std * np.sqrt(PPY), sortino, mdd, cagr / -mdd]
    return np.column_stack([*head, beta, alpha, te, ir, var95, cvar95, var99, cvar99])
