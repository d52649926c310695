"""Clusters of highly correlated holdings: complete-linkage groups on the distance 1 − ρ.

Conventions: `corr` is a symmetric correlation matrix of the holdings' daily returns (symbols on
both axes); a NaN ρ (too little overlap) counts as 0, i.e. unrelated. Cutting a complete-linkage
tree at distance 1 − ρ_min puts two holdings in one group only when *every* pair of the group has
ρ ≥ ρ_min, so a chain of moderately related names never merges into one "cluster" (single linkage
and connected components would). Groups are returned largest first, members sorted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform


@dataclass(frozen=True)
class Cluster:
    """A group of holdings: members, their average pairwise correlation and combined |weight|."""

    members: tuple[str, ...]
    average_correlation: float
    weight: float


def correlated_groups(corr: pd.DataFrame, min_correlation: float) -> list[tuple[str, ...]]:
    """Complete-linkage groups in which every pair has ρ ≥ `min_correlation` (singletons included)."""
    labels = [str(c) for c in corr.columns]
    if len(labels) < 2:
        return [tuple(labels)] if labels else []
    rho = np.nan_to_num(corr.to_numpy(dtype=np.float64), nan=0.0)
    dist = np.clip(1.0 - (rho + rho.T) / 2.0, 0.0, 2.0)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="complete")
    ids = fcluster(tree, t=1.0 - min_correlation, criterion="distance")
    groups: dict[int, list[str]] = {}
    for label, group in zip(labels, ids, strict=True):
        groups.setdefault(int(group), []).append(label)
    return sorted((tuple(sorted(g)) for g in groups.values()), key=lambda g: (-len(g), g))


def average_correlation(corr: pd.DataFrame, members: tuple[str, ...]) -> float:
    """The plain mean of the off-diagonal correlations among `members` (NaN pairs count as 0)."""
    n = len(members)
    if n < 2:
        return float("nan")
    block = np.nan_to_num(corr.loc[list(members), list(members)].to_numpy(dtype=np.float64), nan=0.0)
    return float((block.sum() - np.trace(block)) / (n * (n - 1)))


def clusters(corr: pd.DataFrame, weights: pd.Series, min_correlation: float, min_size: int) -> list[Cluster]:
    """Groups of at least `min_size` holdings with every pair at ρ ≥ `min_correlation`, with their
    average correlation and combined |weight| (weights by symbol, fractions of NAV; missing = 0)."""
    found = []
    magnitude = weights.abs()
    for members in correlated_groups(corr, min_correlation):
        if len(members) >= min_size:
            weight = float(magnitude.reindex(list(members)).fillna(0.0).sum())
            found.append(Cluster(members, average_correlation(corr, members), weight))
    return found
