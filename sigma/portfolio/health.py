"""Portfolio health score (0–100) (DOMAIN.md, "Health score").

Conventions: five components, each scored 0–100 and linear between its breakpoints (from
`sigma.config.HealthThresholds`, passed in), combined as a weighted mean (defaults: beta 20 %,
volatility 20 %, concentration 25 %, diversification 20 %, leverage 15 %):

- beta to the book's own benchmark: 100 at β = 1, 0 at |β − 1| ≥ 1;
- volatility as a ratio of the book's annualized vol to its benchmark's over the same dates:
  100 at ≤ 1.0×, 0 at ≥ 2.5×;
- concentration: the worse of the HHI of NAV weights (100 at ≤ 0.05, 0 at ≥ 0.30) and the
  largest single-name position's share of NAV (100 at ≤ 5 %, 0 at ≥ 30 %); a weight is |net
  delta-adjusted exposure of one priced symbol| / NAV, so with leverage the weights sum to more
  than 1. "Single-name" leaves out diversified index funds (broad-market, international, style
  and allocation ETFs, bond and cash funds: `diversified_funds`): a 25 % SPY holding
  is 500 issuers, not one bet, so it counts in the HHI but not as the largest single position
  (a sector, commodity or crypto fund, a REIT fund and every stock do count);
- diversification ratio: 0 at 1.0, 100 at ≥ 2.0;
- leverage, gross exposure / NAV: 100 at ≤ 1.0, 0 at ≥ 3.0.

A component whose input is NaN (too little history, no benchmark prices) is reported without a
score and the weights of the others are renormalised; each component carries the weight it
actually received (0 when unscored). Grades: A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, else F; within
A–D a band's lower third gets "-" and its upper third "+" (B- [80, 83.33), B [83.33, 86.67),
B+ [86.67, 90); A+ ≥ 96.67); F has no +/-. Weights are fractions, volatilities annualized
fractions.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from sigma.config import HealthThresholds
from sigma.conventions import DIVERSIFIED_FUND_CLASSES, DIVERSIFIED_FUND_INDUSTRIES
from sigma.errors import InsufficientHistory

GRADE_FLOORS = (("A", 90.0), ("B", 80.0), ("C", 70.0), ("D", 60.0))
BAND_WIDTH = 10.0
NOT_SCORED = "not scored, and the other components' weights are renormalised"


@dataclass(frozen=True)
class HealthComponent:
    """One component: its input value, its 0–100 score (NaN when unavailable), why, and its weight.

    `weight` is the fraction of the total this component received (renormalised over the scored
    components; 0 when unscored), so the total is Σ weight × score.
    """

    name: str
    value: float
    score: float
    reason: str
    weight: float = 0.0


@dataclass(frozen=True)
class HealthScore:
    """Overall score (0–100), letter grade and the five components."""

    score: float
    grade: str
    components: tuple[HealthComponent, ...]


@dataclass(frozen=True)
class HealthInputs:
    """What a book is scored on; NaN marks an input that could not be measured."""

    beta: float  # OLS beta of the book's daily returns to the benchmark's
    volatility: float  # the book's annualized vol
    benchmark_volatility: float  # the benchmark's annualized vol over the same dates
    hhi: float  # Σ wᵢ², wᵢ = |net exposure of symbol i| / NAV
    largest_weight: float  # max wᵢ over single-name positions (0 when every holding is a diversified fund)
    diversification: float  # diversification ratio
    leverage: float  # gross exposure / NAV
    benchmark: str = "the benchmark"
    largest_symbol: str = ""


@dataclass(frozen=True)
class NavConcentration:
    """HHI of NAV weights, the largest weight and its symbol (NaN and "" without exposure)."""

    hhi: float
    largest_weight: float
    largest_symbol: str


def nav_concentration(exposure: pd.Series, nav: float, diversified: Collection[str] = ()) -> NavConcentration:
    """Concentration of exposures indexed by symbol (summed per symbol: an option nets with its stock).

    wᵢ = |Σ exposure of symbol i| / NAV; HHI = Σ wᵢ² over every symbol; the largest weight over the
    symbols not in `diversified` (0 and "" when there is none); NaN when NAV ≤ 0 or every wᵢ is 0.
    """
    weights = (exposure.groupby(level=0).sum().abs() / nav) if nav > 0 else pd.Series(dtype=float)
    weights = weights[weights > 0]
    if weights.empty:
        return NavConcentration(math.nan, math.nan, "")
    single = weights[~weights.index.isin(list(diversified))]
    if single.empty:
        return NavConcentration(float((weights**2).sum()), 0.0, "")
    return NavConcentration(float((weights**2).sum()), float(single.max()), str(single.idxmax()))


def diversified_funds(profiles: pd.DataFrame) -> list[str]:
    """The symbols of `profiles` (columns symbol, asset_class, industry) that are diversified index funds."""
    if profiles.empty:
        return []
    by_class = profiles["asset_class"].isin(DIVERSIFIED_FUND_CLASSES)
    by_industry = profiles["industry"].isin(DIVERSIFIED_FUND_INDUSTRIES)
    return [str(s) for s in profiles.loc[by_class | by_industry, "symbol"]]


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


def _component(name: str, value: float, score: float, text: str, why_missing: str) -> HealthComponent:
    """A component whose reason is `text` and its score, or an unscored one when the input is NaN."""
    if math.isnan(value) or math.isnan(score):
        return HealthComponent(name, math.nan, math.nan, f"{name} is not available ({why_missing}): {NOT_SCORED}.")
    return HealthComponent(name, value, score, f"{text}: {score:.0f}/100.")


def beta_component(x: HealthInputs, th: HealthThresholds) -> HealthComponent:
    """100 at β = 1, 0 at |β − 1| ≥ `beta_zero_at`."""
    gap = abs(x.beta - 1.0)
    text = (
        f"Beta to {x.benchmark} is {x.beta:.2f}, {gap:.2f} from 1.0 "
        f"(full marks at 1.0, zero at a gap of {th.beta_zero_at:.1f} or more)"
    )
    return _component("Beta", x.beta, linear_score(gap, 0.0, th.beta_zero_at), text, "too few daily returns")


def volatility_component(x: HealthInputs, th: HealthThresholds) -> HealthComponent:
    """The book's vol as a multiple of its benchmark's: 100 at ≤ 1.0×, 0 at ≥ 2.5×."""
    bench = x.benchmark_volatility
    ratio = x.volatility / bench if bench > 0 else math.nan
    text = (
        f"Volatility is {x.volatility:.1%} a year, {ratio:.2f}× {x.benchmark}'s {bench:.1%} over the same days "
        f"(full marks at ≤ {th.vol_ratio_full:.1f}×, zero at ≥ {th.vol_ratio_zero:.1f}×)"
    )
    score = linear_score(ratio, th.vol_ratio_full, th.vol_ratio_zero)
    return _component("Volatility", ratio, score, text, "too few daily returns or no benchmark prices")


def concentration_component(x: HealthInputs, th: HealthThresholds) -> HealthComponent:
    """The worse of the HHI score and the largest-position score; its value is the binding input."""
    by_hhi = linear_score(x.hhi, th.hhi_full, th.hhi_zero)
    by_top = linear_score(x.largest_weight, th.largest_full, th.largest_zero)
    name = f", {x.largest_symbol}," if x.largest_symbol else ""
    top = (
        f"the largest single-name position{name} is {x.largest_weight:.1%} of NAV "
        f"(full marks at ≤ {th.largest_full:.0%}, zero at ≥ {th.largest_zero:.0%}; diversified index "
        f"funds count in the HHI only): {by_top:.0f}/100"
    )
    effective = 1.0 / x.hhi if x.hhi > 0 else math.inf
    hhi = (
        f"the HHI of NAV weights is {x.hhi:.3f}, {effective:.1f} equal positions "
        f"(full marks at ≤ {th.hhi_full:.2f}, zero at ≥ {th.hhi_zero:.2f}): {by_hhi:.0f}/100"
    )
    worse, value = (by_top, x.largest_weight) if by_top <= by_hhi else (by_hhi, x.hhi)
    text = f"{top[0].upper()}{top[1:]}; {hhi}; the worse counts"
    return _component("Concentration", value, worse, text, "no open exposure or NAV ≤ 0")


def diversification_component(x: HealthInputs, th: HealthThresholds) -> HealthComponent:
    """Diversification ratio: 0 at 1.0, 100 at ≥ 2.0."""
    text = (
        f"Diversification ratio is {x.diversification:.2f} (zero at {th.dr_zero:.1f}, full marks at ≥ {th.dr_full:.1f})"
    )
    score = linear_score(x.diversification, th.dr_full, th.dr_zero)
    return _component("Diversification", x.diversification, score, text, "too few overlapping returns")


def leverage_component(x: HealthInputs, th: HealthThresholds) -> HealthComponent:
    """Gross exposure / NAV: 100 at ≤ 1.0, 0 at ≥ 3.0."""
    text = (
        f"Gross exposure is {x.leverage:.0%} of NAV, leverage {x.leverage:.2f}× "
        f"(full marks at ≤ {th.leverage_full:.1f}×, zero at ≥ {th.leverage_zero:.1f}×)"
    )
    score = linear_score(x.leverage, th.leverage_full, th.leverage_zero)
    return _component("Leverage", x.leverage, score, text, "NAV ≤ 0")


def health_score(inputs: HealthInputs, thresholds: HealthThresholds) -> HealthScore:
    """Score a book (see the module docstring); InsufficientHistory when no component can be scored."""
    th = thresholds
    weighted = (
        (beta_component(inputs, th), th.weight_beta),
        (volatility_component(inputs, th), th.weight_volatility),
        (concentration_component(inputs, th), th.weight_concentration),
        (diversification_component(inputs, th), th.weight_diversification),
        (leverage_component(inputs, th), th.weight_leverage),
    )
    total_weight = sum(w for c, w in weighted if not math.isnan(c.score))
    if not total_weight > 0:
        raise InsufficientHistory("No health component could be computed: the book needs price history first.")
    components = tuple(replace(c, weight=0.0 if math.isnan(c.score) else w / total_weight) for c, w in weighted)
    total = sum(c.weight * c.score for c in components if c.weight > 0)
    return HealthScore(total, grade(total), components)
