"""Concentration and diversification of a book (DOMAIN.md, "Health score").

Conventions: concentration uses each position's |exposure| / gross exposure (signs ignored);
HHI bands are < 0.10 diversified, 0.10–0.18 moderate, > 0.18 concentrated. The diversification
ratio is Σ|wᵢ|σᵢ / σ_p with σ_p = √(wᵀ Σ w), daily or annualised alike (the ratio is unit-free).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from sigma.errors import ValidationError
from sigma.risk.correlation import average_pairwise_correlation
from sigma.typing import FloatArray

DIVERSIFIED_BELOW = 0.10
CONCENTRATED_ABOVE = 0.18


class ConcentrationBand(StrEnum):
    """HHI bands: < 0.10 diversified, 0.10–0.18 moderate, > 0.18 concentrated."""

    DIVERSIFIED = "diversified"
    MODERATE = "moderate"
    CONCENTRATED = "concentrated"


@dataclass(frozen=True)
class Concentration:
    """HHI of |exposure| / gross, effective number of positions, top-1/5/10 shares and the band."""

    hhi: float
    effective_n: float
    top1: float
    top5: float
    top10: float
    band: ConcentrationBand


def concentration_band(hhi: float) -> ConcentrationBand:
    """The band of an HHI (0.10 is moderate, 0.18 still moderate)."""
    if hhi < DIVERSIFIED_BELOW:
        return ConcentrationBand.DIVERSIFIED
    if hhi <= CONCENTRATED_ABOVE:
        return ConcentrationBand.MODERATE
    return ConcentrationBand.CONCENTRATED


def concentration(exposures: pd.Series | FloatArray) -> Concentration:
    """Concentration of a book from position exposures (signs ignored: weights are |e| / Σ|e|)."""
    magnitude = np.abs(np.asarray(exposures, dtype=np.float64))
    gross = magnitude.sum()
    if not gross > 0:
        raise ValidationError("Concentration needs at least one position with non-zero exposure.")
    weights = np.sort(magnitude / gross)[::-1]
    hhi = float((weights**2).sum())
    return Concentration(
        hhi,
        1.0 / hhi,
        float(weights[:1].sum()),
        float(weights[:5].sum()),
        float(weights[:10].sum()),
        concentration_band(hhi),
    )


def diversification_ratio(weights: FloatArray, vols: FloatArray, cov: FloatArray) -> float:
    """Σ|wᵢ|σᵢ / σ_p with σ_p = √(wᵀ Σ w); ≥ 1 when `vols` are the square roots of diag(cov)."""
    w = np.asarray(weights, dtype=np.float64)
    portfolio_vol = math.sqrt(float(w @ np.asarray(cov, dtype=np.float64) @ w))
    if not portfolio_vol > 0:
        return math.nan
    return float(np.abs(w) @ np.asarray(vols, dtype=np.float64)) / portfolio_vol


@dataclass(frozen=True)
class Diversification:
    """Diversification ratio Σ|wᵢ|σᵢ / σ_p, the |wᵢ||wⱼ|-weighted average pairwise correlation,
    and the holdings left out for want of a covariance."""

    ratio: float
    average_correlation: float
    left_out: tuple[str, ...] = ()


def diversification(weights: pd.Series, cov: pd.DataFrame) -> Diversification:
    """Diversification ratio and weighted average pairwise correlation from weights and a covariance."""
    c = cov.reindex(index=weights.index, columns=weights.index).to_numpy(dtype=np.float64)
    vols = np.sqrt(np.diag(c))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = pd.DataFrame(c / np.outer(vols, vols), index=weights.index, columns=weights.index)
    ratio = diversification_ratio(weights.to_numpy(dtype=np.float64), vols, c)
    return Diversification(ratio, average_pairwise_correlation(corr, weights))


def diversification_of_returns(weights: pd.Series, returns: pd.DataFrame, min_pairs: int) -> Diversification:
    """Diversification of the non-zero `weights` from daily `returns` (dates x symbols).

    The covariance needs `min_pairs` common returns per pair; holdings without one are left
    out (named in `left_out`); NaN ratio and correlation when none is usable.
    """
    held = weights[weights != 0]
    cov = returns.reindex(columns=held.index).cov(min_periods=min_pairs)
    usable = cov.index[cov.notna().all(axis=1)]
    left_out = tuple(str(s) for s in held.index.difference(usable))
    if usable.empty:
        return Diversification(math.nan, math.nan, left_out)
    found = diversification(held[usable], cov.loc[usable, usable])
    return Diversification(found.ratio, found.average_correlation, left_out)
