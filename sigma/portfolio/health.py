"""Portfolio health score (0–100), concentration and diversification ratio (DOMAIN.md, "Health score").

Conventions: four components of 25 % each, each scored 0–100 and linear between its breakpoints
(from `sigma.config.HealthThresholds`, passed in): beta (100 at β = 1, 0 at |β − 1| ≥ 1),
annualized volatility (100 at ≤ 10 %, 0 at ≥ 40 %), concentration HHI of |exposure| / gross
(100 at ≤ 0.05, 0 at ≥ 0.30), diversification ratio (0 at 1.0, 100 at ≥ 2.0). A component whose
input is NaN (e.g. too little history for a beta) is reported without a score and the others are
averaged. Grades: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F; within A–D a band's lower third gets
"-" and its upper third "+" (B- [80, 83.33), B [83.33, 86.67), B+ [86.67, 90); A+ ≥ 96.67); F has
no +/-. Weights are fractions; volatilities annualized fractions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from sigma.config import HealthThresholds
from sigma.errors import InsufficientHistory, ValidationError

GRADE_FLOORS = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
BAND_WIDTH = 10.0


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


@dataclass(frozen=True)
class HealthComponent:
    """One component: its input value, its 0–100 score (NaN when unavailable) and why."""

    name: str
    value: float
    score: float
    reason: str


@dataclass(frozen=True)
class HealthScore:
    """Overall score (0–100), letter grade and the four components."""

    score: float
    grade: str
    components: tuple[HealthComponent, ...]


def linear_score(value: float, full_at: float, zero_at: float) -> float:
    """100 at `full_at`, 0 at `zero_at`, linear between and clipped (works for either direction)."""
    return float(np.clip((value - zero_at) / (full_at - zero_at), 0.0, 1.0) * 100.0)


def concentration(exposures: pd.Series | np.ndarray) -> Concentration:
    """Concentration of a book from position exposures (signs ignored: weights are |e| / Σ|e|)."""
    magnitude = np.abs(np.asarray(exposures, dtype=float))
    gross = magnitude.sum()
    if not gross > 0:
        raise ValidationError("Concentration needs at least one position with non-zero exposure.")
    weights = np.sort(magnitude / gross)[::-1]
    hhi = float((weights**2).sum())
    band = (ConcentrationBand.DIVERSIFIED if hhi < 0.10
            else ConcentrationBand.MODERATE if hhi <= 0.18 else ConcentrationBand.CONCENTRATED)  # fmt: skip
    return Concentration(hhi, 1.0 / hhi, float(weights[:1].sum()), float(weights[:5].sum()),
                         float(weights[:10].sum()), band)  # fmt: skip


def diversification_ratio(weights: np.ndarray, vols: np.ndarray, cov: np.ndarray) -> float:
    """Σ|wᵢ|σᵢ / σ_p with σ_p = √(wᵀ Σ w); ≥ 1 when `vols` are the square roots of diag(cov)."""
    w = np.asarray(weights, dtype=float)
    portfolio_vol = math.sqrt(float(w @ np.asarray(cov, dtype=float) @ w))
    return float(np.abs(w) @ np.asarray(vols, dtype=float)) / portfolio_vol if portfolio_vol > 0 else math.nan


def grade(score: float) -> str:
    """Letter grade with +/- at the upper/lower third of the A–D bands (F has none)."""
    for letter, floor in GRADE_FLOORS:
        if score >= floor:
            position = (score - floor) / BAND_WIDTH
            return letter + ("-" if position < 1 / 3 else "+" if position >= 2 / 3 else "")
    return "F"


def _component(name: str, value: float, score: float, text: str) -> HealthComponent:
    """A component with its reason sentence, or a 'not available' one when the input is NaN."""
    if math.isnan(value):
        return HealthComponent(name, value, math.nan, f"{name} not available (too little data): not scored")
    return HealthComponent(name, value, score, f"{text}: {score:.0f}/100")


def health_score(
    beta: float, volatility: float, hhi: float, diversification: float, thresholds: HealthThresholds
) -> HealthScore:
    """Score a book from its beta, annualized vol, HHI and diversification ratio (see the module docstring)."""
    th = thresholds
    gap = abs(beta - 1.0)
    components = (
        _component("Beta", beta, linear_score(gap, 0.0, th.beta_zero_at), f"Beta {beta:.2f} is {gap:.2f} from 1.0"),
        _component("Volatility", volatility, linear_score(volatility, th.vol_full, th.vol_zero),
                   f"Volatility {volatility:.1%} (full marks ≤ {th.vol_full:.0%}, zero ≥ {th.vol_zero:.0%})"),
        _component("Concentration", hhi, linear_score(hhi, th.hhi_full, th.hhi_zero),
                   f"HHI {hhi:.3f} (effective N {1 / hhi if hhi > 0 else math.inf:.1f})"),
        _component("Diversification", diversification, linear_score(diversification, th.dr_full, th.dr_zero),
                   f"Diversification ratio {diversification:.2f} (zero at {th.dr_zero:.1f}, full at {th.dr_full:.1f})"),
    )  # fmt: skip
    scores = [c.score for c in components if not math.isnan(c.score)]
    if not scores:
        raise InsufficientHistory("No health component could be computed: the book needs price history first.")
    total = sum(scores) / len(scores)
    return HealthScore(total, grade(total), components)
