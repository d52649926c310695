"""Health score: each component at its breakpoints and midpoints, grade boundaries, HHI and DR values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.config import HealthThresholds
from sigma.errors import InsufficientHistory, ValidationError
from sigma.portfolio.health import grade, health_score
from sigma.risk.concentration import ConcentrationBand, concentration, diversification_ratio

TH = HealthThresholds()
PERFECT = {"beta": 1.0, "volatility": 0.10, "hhi": 0.05, "diversification": 2.0}


def _component(name: str, **inputs: float) -> float:
    score = health_score(**{**PERFECT, **inputs}, thresholds=TH)
    return next(c.score for c in score.components if c.name == name)


@pytest.mark.parametrize(
    ("beta", "expected"),
    [(1.0, 100.0), (1.5, 50.0), (0.5, 50.0), (2.0, 0.0), (0.0, 0.0), (-0.3, 0.0), (1.24, 76.0)],
)
def test_beta_component_is_100_at_one_and_0_at_a_gap_of_one(beta: float, expected: float) -> None:
    # score = (1 − |β − 1|) × 100, clipped: β 1.24 → 76
    assert _component("Beta", beta=beta) == pytest.approx(expected)


@pytest.mark.parametrize(("vol", "expected"), [(0.05, 100.0), (0.10, 100.0), (0.25, 50.0), (0.40, 0.0), (0.6, 0.0)])
def test_volatility_component_breakpoints_and_midpoint(vol: float, expected: float) -> None:
    # (0.40 − 0.25) / (0.40 − 0.10) = 0.5 → 50
    assert _component("Volatility", volatility=vol) == pytest.approx(expected)


@pytest.mark.parametrize(("hhi", "expected"), [(0.02, 100.0), (0.05, 100.0), (0.175, 50.0), (0.30, 0.0), (1.0, 0.0)])
def test_concentration_component_breakpoints_and_midpoint(hhi: float, expected: float) -> None:
    # (0.30 − 0.175) / 0.25 = 0.5 → 50
    assert _component("Concentration", hhi=hhi) == pytest.approx(expected)


@pytest.mark.parametrize(("ratio", "expected"), [(1.0, 0.0), (1.5, 50.0), (2.0, 100.0), (3.0, 100.0)])
def test_diversification_component_breakpoints_and_midpoint(ratio: float, expected: float) -> None:
    assert _component("Diversification", diversification=ratio) == pytest.approx(expected)


def test_overall_score_is_the_mean_of_the_four_components_with_reasons() -> None:
    # components 76, 50, 50, 50 → (76 + 150) / 4 = 56.5 → F
    result = health_score(beta=1.24, volatility=0.25, hhi=0.175, diversification=1.5, thresholds=TH)
    assert result.score == pytest.approx(56.5)
    assert result.grade == "F"
    assert result.components[0].reason == "Beta 1.24 is 0.24 from 1.0: 76/100"
    assert [c.name for c in result.components] == ["Beta", "Volatility", "Concentration", "Diversification"]


def test_a_missing_component_is_reported_and_the_rest_are_averaged() -> None:
    result = health_score(beta=math.nan, volatility=0.25, hhi=0.05, diversification=2.0, thresholds=TH)
    assert result.score == pytest.approx((50 + 100 + 100) / 3)
    assert "not available" in result.components[0].reason
    with pytest.raises(InsufficientHistory):
        health_score(beta=math.nan, volatility=math.nan, hhi=math.nan, diversification=math.nan, thresholds=TH)


def test_thresholds_are_taken_from_the_parameter() -> None:
    strict = HealthThresholds(vol_full=0.05, vol_zero=0.15)
    assert health_score(**{**PERFECT, "volatility": 0.10}, thresholds=strict).components[1].score == pytest.approx(50)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (100.0, "A+"),
        (96.67, "A+"),
        (96.66, "A"),
        (93.34, "A"),
        (93.33, "A-"),
        (90.0, "A-"),
        (89.99, "B+"),
        (86.67, "B+"),
        (86.66, "B"),
        (83.34, "B"),
        (83.33, "B-"),
        (80.0, "B-"),
        (79.99, "C+"),
        (70.0, "C-"),
        (69.99, "D+"),
        (60.0, "D-"),
        (59.99, "F"),
        (0.0, "F"),
    ],
)
def test_grade_boundaries_with_plus_and_minus_thirds(score: float, expected: str) -> None:
    # band thirds: lower + 10/3 = x3.33, lower + 20/3 = x6.67
    assert grade(score) == expected


def test_concentration_reference_values() -> None:
    # exposures 50, −30, 20 → weights 0.5, 0.3, 0.2; HHI = 0.25 + 0.09 + 0.04 = 0.38; N = 1/0.38
    result = concentration(np.array([50.0, -30.0, 20.0]))
    assert result.hhi == pytest.approx(0.38)
    assert result.effective_n == pytest.approx(1 / 0.38)
    assert (result.top1, result.top5, result.top10) == pytest.approx((0.5, 1.0, 1.0))
    assert result.band is ConcentrationBand.CONCENTRATED


@pytest.mark.parametrize(
    ("n", "band"),
    [(20, ConcentrationBand.DIVERSIFIED), (10, ConcentrationBand.MODERATE), (5, ConcentrationBand.CONCENTRATED)],
)
def test_equal_weight_books_fall_in_the_documented_bands(n: int, band: ConcentrationBand) -> None:
    # HHI of n equal weights = 1/n: 0.05 < 0.10; 0.10 is moderate; 0.20 > 0.18
    assert concentration(np.ones(n)).band is band


def test_concentration_of_an_empty_book_is_refused() -> None:
    with pytest.raises(ValidationError):
        concentration(np.zeros(3))


def test_diversification_ratio_reference_values() -> None:
    # two assets, σ = 20 % each, equal weights: ρ = 0 → σ_p = 0.2/√2, DR = 0.2 / (0.2/√2) = √2
    vols = np.array([0.2, 0.2])
    assert diversification_ratio(np.array([0.5, 0.5]), vols, np.diag(vols**2)) == pytest.approx(math.sqrt(2))
    # ρ = 1 → DR = 1
    assert diversification_ratio(np.array([0.5, 0.5]), vols, np.full((2, 2), 0.04)) == pytest.approx(1.0)


@settings(max_examples=30, deadline=None)
@given(
    exposures=st.lists(st.floats(-1e6, 1e6).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=15),
    k=st.floats(0.01, 100.0),
)
def test_scaling_exposures_leaves_concentration_and_health_unchanged(exposures: list[float], k: float) -> None:
    base, scaled = concentration(np.array(exposures)), concentration(k * np.array(exposures))
    assert scaled.hhi == pytest.approx(base.hhi, rel=1e-9)
    assert 1 / len(exposures) - 1e-12 <= base.hhi <= 1.0 + 1e-12
    h1 = health_score(1.1, 0.2, base.hhi, 1.4, TH)
    h2 = health_score(1.1, 0.2, scaled.hhi, 1.4, TH)
    assert h1.score == pytest.approx(h2.score, rel=1e-9)
