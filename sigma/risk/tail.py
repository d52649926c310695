"""Tail risk of daily returns: historical and normal 1-day VaR and CVaR per column.

Conventions: simple daily returns (dates x assets); VaR and CVaR are positive losses (fractions);
the historical quantile is numpy's default 'linear' interpolation (`np.quantile(r, 1 - level)`);
CVaR = −mean(r[r ≤ −VaR]). Parametric figures use σ with ddof = 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from sigma.risk.columns import nanmean, nanstd, safe_div, series, values
from sigma.typing import FloatArray


def sorted_tail(x: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Historical VaR and CVaR (positive losses) from columns sorted ascending with NaN last."""
    n = np.sum(~np.isnan(x), axis=0)
    pos = (n - 1) * (1.0 - level)  # numpy 'linear': virtual index (n − 1)·q
    lo = np.clip(np.floor(pos).astype(np.int64), 0, max(x.shape[0] - 1, 0))
    hi = np.clip(lo + 1, 0, np.maximum(n - 1, 0))
    cols = np.arange(x.shape[1])
    if x.shape[0] == 0:
        return np.full(x.shape[1], np.nan), np.full(x.shape[1], np.nan)
    a, b, t = x[lo, cols], x[hi, cols], pos - lo
    quantile = np.where(t >= 0.5, b - (b - a) * (1.0 - t), a + (b - a) * t)  # numpy's _lerp
    with np.errstate(invalid="ignore"):
        tail = x <= quantile
        cvar = -safe_div(np.where(tail, x, 0.0).sum(axis=0), tail.sum(axis=0))
    ok = n > 0
    return np.where(ok, -quantile, np.nan), np.where(ok, cvar, np.nan)


def historical_tails(returns: pd.DataFrame, levels: tuple[float, ...] = (0.95, 0.99)) -> pd.DataFrame:
    """Historical VaR and CVaR at several levels from one sort: columns var_95, cvar_95, var_99, …"""
    ordered = np.sort(values(returns), axis=0)
    out: dict[str, FloatArray] = {}
    for level in levels:
        out[f"var_{round(level * 100)}"], out[f"cvar_{round(level * 100)}"] = sorted_tail(ordered, level)
    return pd.DataFrame(out, index=returns.columns)


def historical_var(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Historical 1-day VaR as a positive loss: −quantile(r, 1 − level), numpy 'linear' interpolation."""
    var, _ = sorted_tail(np.sort(values(returns), axis=0), level)
    return series(var, returns, f"var_{round(level * 100)}")


def historical_cvar(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Historical 1-day CVaR as a positive loss: −mean(r[r ≤ −VaR]); always ≥ VaR."""
    _, cvar = sorted_tail(np.sort(values(returns), axis=0), level)
    return series(cvar, returns, f"cvar_{round(level * 100)}")


def parametric_var(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Normal 1-day VaR as a positive loss: −(μ + z_{1−level}·σ), σ with ddof=1."""
    x = values(returns)
    out = -(nanmean(x) + norm.ppf(1.0 - level) * nanstd(x))
    return series(out, returns, f"pvar_{round(level * 100)}")


def parametric_cvar(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Normal 1-day CVaR (expected shortfall) as a positive loss: −μ + σ·φ(z)/(1 − level)."""
    x = values(returns)
    z = norm.ppf(1.0 - level)
    out = -nanmean(x) + nanstd(x) * norm.pdf(z) / (1.0 - level)
    return series(out, returns, f"pcvar_{round(level * 100)}")
