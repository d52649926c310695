"""Portfolio health score (0–100) (DOMAIN.md, "Health score"); its inputs come from `sigma.risk.concentration`.

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

import numpy as np

from sigma.config import HealthThresholds
from sigma.errors import InsufficientHistory

GRADE_FLOORS = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
BAND_WIDTH = 10.0


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
        _component(
            "Volatility",
            volatility,
            linear_score(volatility, th.vol_full, th.vol_zero),
            f"Volatility {volatility:.1%} (full marks ≤ {th.vol_full:.0%}, zero ≥ {th.vol_zero:.0%})",
        ),
        _component(
            "Concentration",
            hhi,
            linear_score(hhi, th.hhi_full, th.hhi_zero),
            f"HHI {hhi:.3f} (effective N {1 / hhi if hhi > 0 else math.inf:.1f})",
        ),
        _component(
            "Diversification",
            diversification,
            linear_score(diversification, th.dr_full, th.dr_zero),
            f"Diversification ratio {diversification:.2f} (zero at {th.dr_zero:.1f}, full at {th.dr_full:.1f})",
        ),
    )
    scores = [c.score for c in components if not math.isnan(c.score)]
    if not scores:
        raise InsufficientHistory("No health component could be computed: the book needs price history first.")
    total = sum(scores) / len(scores)
    return HealthScore(total, grade(total), components)
