"""Correlation of daily returns: pairwise-complete matrices, clustered ordering, rolling pairs.

Conventions: `returns` is a DataFrame of simple daily returns (dates x assets); ±inf counts as
missing. A pair is correlated over the dates where both columns exist and gets NaN when that
overlap is shorter than `min_periods` or either side has zero variance on it. Matrices are
symmetric, in [−1, 1], with a unit diagonal for columns that have at least `min_periods`
observations and nonzero variance (NaN otherwise).

Pearson is computed for all pairs at once from matrix products of the mean-centred, zero-filled
values X and the observation mask M (X^T X, and X^T M, (X²)^T M, M^T M for the
columns with gaps only): pairwise-complete sums with
no loop over pairs. Centring each column by its own mean first keeps the cancellation small, so
the result agrees with pandas' `DataFrame.corr` to about 1e-14.

Spearman is Pearson on ranks. When no value is missing this equals pandas exactly. With missing
values pandas re-ranks every pair on its overlap; here each column is ranked once over its own
observations (average ranks for ties), which differs slightly for late-listed columns.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

_EPS = np.finfo(np.float64).eps


class CorrelationMethod(StrEnum):
    """Correlation estimators."""

    PEARSON = "pearson"
    SPEARMAN = "spearman"


def _pairwise_pearson(x: np.ndarray, min_periods: int) -> np.ndarray:
    """Pairwise-complete Pearson matrix of the columns of x (NaN = missing)."""
    mask = ~np.isnan(x)
    count = mask.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, x, 0.0).sum(axis=0) / count
    xc = np.where(mask, x - mean, 0.0)
    sxy = xc.T @ xc
    # s[i, j]: sum of column i's centred values over its overlap with j; ss the same for squares,
    # n the overlap count. Against a fully observed column j the overlap is all of column i.
    n = np.broadcast_to(count[:, None].astype(np.float64), sxy.shape).copy()
    s = np.broadcast_to(xc.sum(axis=0)[:, None], sxy.shape).copy()
    ss = np.broadcast_to((xc * xc).sum(axis=0)[:, None], sxy.shape).copy()
    gaps = np.flatnonzero(count < len(x))
    if gaps.size:
        m_gaps = mask[:, gaps].astype(np.float64)
        n[:, gaps] = mask.astype(np.float64).T @ m_gaps
        s[:, gaps] = xc.T @ m_gaps
        ss[:, gaps] = (xc * xc).T @ m_gaps
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - s * s.T / n
        var_i = ss - s * s / n
        var_j = var_i.T
        corr = cov / np.sqrt(var_i * var_j)
    scale = np.nanmax(np.abs(xc), axis=0, initial=0.0)
    floor = n * (64.0 * _EPS * scale[:, None]) ** 2  # variance indistinguishable from zero
    flat = (var_i <= floor) | (var_j <= floor.T)
    corr[(n < max(min_periods, 2)) | flat] = np.nan
    np.clip(corr, -1.0, 1.0, out=corr)
    corr = (corr + corr.T) / 2.0
    diag = np.diag(corr).copy()
    np.fill_diagonal(corr, np.where(np.isnan(diag), np.nan, 1.0))
    return np.asarray(corr)


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks per column over its own observations; NaN stays NaN."""
    frame = pd.DataFrame(x)
    return frame.rank(method="average", na_option="keep").to_numpy(dtype=np.float64)


def correlation_matrix(
    returns: pd.DataFrame,
    method: str = "pearson",
    min_periods: int = 60,
    cluster: bool = True,
) -> pd.DataFrame:
    """Pairwise-complete correlation matrix, ordered by hierarchical clustering when `cluster`."""
    x = np.array(returns, dtype=np.float64, ndmin=2, copy=True)
    x[np.isinf(x)] = np.nan
    if CorrelationMethod(method) is CorrelationMethod.SPEARMAN:
        x = _ranks(x)
    corr = pd.DataFrame(_pairwise_pearson(x, min_periods), index=returns.columns, columns=returns.columns)
    if cluster and len(corr) > 2:
        order = cluster_order(corr)
        corr = corr.loc[order, order]
    return corr


def cluster_order(corr: pd.DataFrame) -> list[str]:
    """Leaf order of average-linkage clustering on the distance 1 − ρ (NaN ρ counts as 0)."""
    labels = [str(c) for c in corr.columns]
    if len(labels) < 3:
        return labels
    rho = np.nan_to_num(corr.to_numpy(dtype=np.float64), nan=0.0)
    dist = np.clip(1.0 - (rho + rho.T) / 2.0, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    return [labels[i] for i in leaves_list(tree)]


def rolling_correlation(a: pd.Series, b: pd.Series, window: int = 60) -> pd.Series:
    """Rolling Pearson correlation of two return series over `window` dates where both exist."""
    pair = pd.concat([a, b], axis=1, join="inner").replace([np.inf, -np.inf], np.nan).dropna()
    out = pair.iloc[:, 0].rolling(window, min_periods=window).corr(pair.iloc[:, 1])
    return out.clip(-1.0, 1.0).rename(f"{a.name}~{b.name}")


def average_pairwise_correlation(corr: pd.DataFrame, weights: pd.Series | None = None) -> float:
    """Average off-diagonal correlation, weighted by |wᵢ|·|wⱼ| when weights are given; NaN pairs skipped."""
    rho = corr.to_numpy(dtype=np.float64)
    w = np.ones(len(rho)) if weights is None else np.abs(weights.reindex(corr.index).fillna(0.0).to_numpy(float))
    pair_w = np.outer(w, w)
    np.fill_diagonal(pair_w, 0.0)
    pair_w[np.isnan(rho)] = 0.0
    total = pair_w.sum()
    return float(np.sum(pair_w * np.nan_to_num(rho)) / total) if total > 0 else float("nan")
