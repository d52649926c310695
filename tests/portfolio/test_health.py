"""Health score: each component at its breakpoints, the weighted total by hand, the issue's two books,
monotonicity properties, grade boundaries, and the HHI and DR measures it is built on."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.config import HealthThresholds
from sigma.errors import InsufficientHistory, ValidationError
from sigma.portfolio.health import HealthInputs, diversified_funds, grade, health_score, nav_concentration
from sigma.risk.concentration import ConcentrationBand, concentration, diversification_ratio

TH = HealthThresholds()
PERFECT = HealthInputs(
    beta=1.0,
    volatility=0.10,
    benchmark_volatility=0.10,
    hhi=0.05,
    largest_weight=0.05,
    diversification=2.0,
    leverage=1.0,
    benchmark="SPY",
)
NAMES = ["Beta", "Volatility", "Concentration", "Diversification", "Leverage"]


def _component(name: str, **inputs: float) -> float:
    score = health_score(replace(PERFECT, **inputs), TH)
    return next(c.score for c in score.components if c.name == name)


def test_the_default_weights_are_domain_md_s_and_sum_to_one() -> None:
    weights = (TH.weight_beta, TH.weight_volatility, TH.weight_concentration, TH.weight_diversification)
    assert (*weights, TH.weight_leverage) == (0.20, 0.20, 0.25, 0.20, 0.15)
    assert sum(weights) + TH.weight_leverage == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("beta", "expected"),
    [(1.0, 100.0), (1.5, 50.0), (0.5, 50.0), (2.0, 0.0), (0.0, 0.0), (-0.3, 0.0), (1.24, 76.0)],
)
def test_beta_component_is_100_at_one_and_0_at_a_gap_of_one(beta: float, expected: float) -> None:
    # score = (1 − |β − 1|) × 100, clipped: β 1.24 → 76
    assert _component("Beta", beta=beta) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("vol", "expected"), [(0.05, 100.0), (0.10, 100.0), (0.175, 50.0), (0.22, 20.0), (0.25, 0.0), (0.40, 0.0)]
)
def test_volatility_component_is_relative_to_the_benchmark_vol(vol: float, expected: float) -> None:
    # benchmark vol 10 %: ratio 1.75 → (2.5 − 1.75) / (2.5 − 1.0) = 0.5 → 50; ratio 2.2 → 0.3 / 1.5 → 20
    assert _component("Volatility", volatility=vol) == pytest.approx(expected)


def test_the_same_vol_scores_by_the_benchmark_it_is_judged_against() -> None:
    # 12 % against a 60/40 fund at 8 % is 1.5× → 66.7; against an equity index at 16 % it is 0.75× → 100
    assert _component("Volatility", volatility=0.12, benchmark_volatility=0.08) == pytest.approx(200 / 3)
    assert _component("Volatility", volatility=0.12, benchmark_volatility=0.16) == pytest.approx(100.0)


@pytest.mark.parametrize(
    ("hhi", "largest", "expected"),
    [
        (0.05, 0.05, 100.0),
        (0.175, 0.05, 50.0),  # HHI binds: (0.30 − 0.175) / 0.25 = 0.5
        (0.05, 0.175, 50.0),  # largest binds: (0.30 − 0.175) / 0.25 = 0.5
        (0.10, 0.26, 16.0),  # HHI 80, largest (0.30 − 0.26) / 0.25 = 0.16 → the worse, 16
        (0.30, 0.10, 0.0),
    ],
)
def test_concentration_is_the_worse_of_hhi_and_the_largest_position(
    hhi: float, largest: float, expected: float
) -> None:
    assert _component("Concentration", hhi=hhi, largest_weight=largest) == pytest.approx(expected)


@pytest.mark.parametrize(("ratio", "expected"), [(1.0, 0.0), (1.5, 50.0), (2.0, 100.0), (3.0, 100.0)])
def test_diversification_component_breakpoints_and_midpoint(ratio: float, expected: float) -> None:
    assert _component("Diversification", diversification=ratio) == pytest.approx(expected)


@pytest.mark.parametrize(("leverage", "expected"), [(0.6, 100.0), (1.0, 100.0), (1.88, 56.0), (2.0, 50.0), (3.5, 0.0)])
def test_leverage_component_is_gross_over_nav(leverage: float, expected: float) -> None:
    # (3.0 − 1.88) / (3.0 − 1.0) = 0.56 → 56
    assert _component("Leverage", leverage=leverage) == pytest.approx(expected)


def test_the_total_is_the_weighted_mean_and_each_reason_is_a_full_sentence() -> None:
    inputs = HealthInputs(
        beta=1.24,  # 76
        volatility=0.175,  # 0.175 / 0.10 = 1.75× → 50
        benchmark_volatility=0.10,
        hhi=0.175,  # 50
        largest_weight=0.10,  # 80; the worse is 50
        diversification=1.5,  # 50
        leverage=2.0,  # 50
        benchmark="SPY",
        largest_symbol="NVDA",
    )
    result = health_score(inputs, TH)
    # 0.20 × 76 + 0.20 × 50 + 0.25 × 50 + 0.20 × 50 + 0.15 × 50 = 15.2 + 10 + 12.5 + 10 + 7.5 = 55.2
    assert result.score == pytest.approx(55.2)
    assert result.grade == "F"
    assert [c.name for c in result.components] == NAMES
    assert [c.weight for c in result.components] == pytest.approx([0.20, 0.20, 0.25, 0.20, 0.15])
    assert [c.value for c in result.components] == pytest.approx([1.24, 1.75, 0.175, 1.5, 2.0])
    reasons = [c.reason for c in result.components]
    assert reasons[0] == "Beta to SPY is 1.24, 0.24 from 1.0 (full marks at 1.0, zero at a gap of 1.0 or more): 76/100."
    assert reasons[1] == (
        "Volatility is 17.5% a year, 1.75× SPY's 10.0% over the same days "
        "(full marks at ≤ 1.0×, zero at ≥ 2.5×): 50/100."
    )
    assert reasons[2] == (
        "The largest single-name position, NVDA, is 10.0% of NAV (full marks at ≤ 5%, zero at ≥ 30%; "
        "diversified index funds count in the HHI only): 80/100; "
        "the HHI of NAV weights is 0.175, 5.7 equal positions (full marks at ≤ 0.05, zero at ≥ 0.30): 50/100; "
        "the worse counts: 50/100."
    )
    assert reasons[3] == "Diversification ratio is 1.50 (zero at 1.0, full marks at ≥ 2.0): 50/100."
    assert reasons[4] == "Gross exposure is 200% of NAV, leverage 2.00× (full marks at ≤ 1.0×, zero at ≥ 3.0×): 50/100."


def test_missing_components_are_unscored_and_the_other_weights_renormalised() -> None:
    # no benchmark prices: beta and volatility unscored; the rest: 0.25 × 100 + 0.20 × 50 + 0.15 × 100 over 0.60
    result = health_score(replace(PERFECT, beta=math.nan, benchmark_volatility=math.nan, diversification=1.5), TH)
    assert result.score == pytest.approx((25.0 + 10.0 + 15.0) / 0.60)
    assert [c.weight for c in result.components] == pytest.approx([0, 0, 0.25 / 0.6, 0.20 / 0.6, 0.15 / 0.6])
    assert math.isnan(result.components[0].score) and math.isnan(result.components[1].value)
    assert result.components[0].reason.startswith("Beta is not available")
    assert "weights are renormalised" in result.components[1].reason
    nothing = HealthInputs(*(math.nan,) * 7)
    with pytest.raises(InsufficientHistory):
        health_score(nothing, TH)


def test_thresholds_and_weights_are_taken_from_the_parameter() -> None:
    strict = HealthThresholds(vol_ratio_full=0.5, vol_ratio_zero=1.5)
    assert health_score(PERFECT, strict).components[1].score == pytest.approx(50)  # ratio 1.0 halfway
    others = ("weight_volatility", "weight_concentration", "weight_diversification", "weight_leverage")
    beta_only = replace(TH, **dict.fromkeys(others, 0.0))
    assert health_score(replace(PERFECT, beta=1.3), beta_only).score == pytest.approx(70)


def _issue_book() -> pd.Series:
    """NAV 100: one stock at 26, fifteen longs of 6 and twelve shorts of −6 → gross 188, net 44."""
    longs = {f"L{i}": 6.0 for i in range(15)}
    shorts = {f"S{i}": -6.0 for i in range(12)}
    return pd.Series({"NVDA": 26.0, **longs, **shorts})


def test_the_issue_s_188_percent_gross_book_with_one_stock_at_26_percent_is_not_an_a() -> None:
    exposure = _issue_book()
    conc = nav_concentration(exposure, nav=100.0)
    # HHI of NAV weights: 0.26² + 27 × 0.06² = 0.0676 + 0.0972 = 0.1648 (the gross-weight HHI was 0.047: 100/100)
    assert (conc.hhi, conc.largest_weight, conc.largest_symbol) == (pytest.approx(0.1648), pytest.approx(0.26), "NVDA")
    leverage = float(exposure.abs().sum()) / 100.0  # 1.88
    result = health_score(replace(PERFECT, hhi=conc.hhi, largest_weight=0.26, leverage=leverage), TH)
    # even with beta, vol and DR perfect: concentration min(54.1, 16) = 16, leverage (3 − 1.88) / 2 = 56
    # 20 + 20 + 0.25 × 16 + 20 + 0.15 × 56 = 60 + 4 + 8.4 = 72.4 → C-
    assert result.score == pytest.approx(72.4)
    assert result.grade == "C-"


def test_a_balanced_book_benchmarked_to_60_40_grades_well_and_is_not_penalised_for_a_low_equity_beta() -> None:
    balanced = HealthInputs(
        beta=0.97,  # to the 60/40 fund: 97
        volatility=0.095,  # 0.095 / 0.098 = 0.97× → 100
        benchmark_volatility=0.098,
        hhi=0.08,  # 88
        largest_weight=0.11,  # (0.30 − 0.11) / 0.25 = 76: binds
        diversification=1.8,  # 80
        leverage=0.92,  # 100
        benchmark="AOR",
    )
    result = health_score(balanced, TH)
    # 0.2 × 97 + 0.2 × 100 + 0.25 × 76 + 0.2 × 80 + 0.15 × 100 = 19.4 + 20 + 19 + 16 + 15 = 89.4 → B+
    assert result.score == pytest.approx(89.4)
    assert result.grade == "B+"
    # judged against SPY instead (β 0.45, SPY vol 16 %): beta 45 → 10.4 points lower, vol still 100
    against_spy = health_score(replace(balanced, beta=0.45, benchmark_volatility=0.16, benchmark="SPY"), TH)
    assert against_spy.score == pytest.approx(89.4 - 0.2 * 52)


def test_nav_concentration_nets_an_option_with_its_stock_and_ignores_zero_exposure() -> None:
    # AAA stock 30 and a protective put's delta exposure −10 net to 20; BBB −20; CCC 0; NAV 50
    exposure = pd.Series([30.0, -10.0, -20.0, 0.0], index=["AAA", "AAA", "BBB", "CCC"])
    conc = nav_concentration(exposure, 50.0)
    # weights 0.4 and 0.4: HHI 0.32, largest 0.4
    assert (conc.hhi, conc.largest_weight) == (pytest.approx(0.32), pytest.approx(0.4))
    assert math.isnan(nav_concentration(exposure, 0.0).hhi)
    assert nav_concentration(pd.Series([0.0], index=["X"]), 10.0).largest_symbol == ""


_unit = st.floats(0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(hhi=_unit, largest=_unit, more=st.floats(0.0, 0.5), lev=st.floats(0.0, 4.0), vol=st.floats(0.01, 0.6))
def test_more_concentration_leverage_or_vol_never_raises_the_score(
    hhi: float, largest: float, more: float, lev: float, vol: float
) -> None:
    base = replace(PERFECT, hhi=hhi, largest_weight=largest, leverage=lev, volatility=vol, beta=0.8)
    score = health_score(base, TH).score
    for worse in (
        replace(base, hhi=hhi + more),
        replace(base, largest_weight=largest + more),
        replace(base, leverage=lev + more),
        replace(base, volatility=vol + more),
        replace(base, diversification=base.diversification - more),
    ):
        assert health_score(worse, TH).score <= score + 1e-9
    assert 0.0 <= score <= 100.0


@settings(max_examples=40, deadline=None)
@given(exposure=st.lists(st.floats(-1e6, 1e6).filter(lambda x: abs(x) > 1e-3), min_size=1, max_size=15))
def test_nav_concentration_equals_gross_hhi_for_an_unlevered_long_book_and_scales_with_nav(
    exposure: list[float],
) -> None:
    longs = pd.Series(np.abs(exposure), index=[f"S{i}" for i in range(len(exposure))])
    nav = float(longs.sum())
    conc = nav_concentration(longs, nav)
    assert conc.hhi == pytest.approx(concentration(longs).hhi, rel=1e-9)
    # halving NAV (2× leverage) doubles every weight: HHI × 4, largest × 2
    half = nav_concentration(longs, nav / 2)
    assert (half.hhi, half.largest_weight) == (pytest.approx(4 * conc.hhi), pytest.approx(2 * conc.largest_weight))


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


def test_diversified_index_funds_count_in_the_hhi_but_not_as_the_largest_single_name() -> None:
    exposure = pd.Series({"SPY": 40.0, "AGG": 30.0, "AAPL": 10.0, "XLE": 20.0})
    conc = nav_concentration(exposure, 100.0, diversified=["SPY", "AGG"])
    assert conc.hhi == pytest.approx(0.4**2 + 0.3**2 + 0.1**2 + 0.2**2)  # 0.30: every holding
    assert (conc.largest_weight, conc.largest_symbol) == (pytest.approx(0.20), "XLE")  # a sector fund counts
    only_funds = nav_concentration(pd.Series({"SPY": 60.0, "AGG": 40.0}), 100.0, diversified=["SPY", "AGG"])
    assert (only_funds.largest_weight, only_funds.largest_symbol) == (0.0, "")


def test_diversified_funds_are_read_from_the_profiles() -> None:
    profiles = pd.DataFrame(
        {
            "symbol": ["SPY", "AGG", "XLE", "GLD", "AAPL", "AOR", "SGOV"],
            "asset_class": ["etf", "bond_etf", "etf", "commodity_etf", "equity", "etf", "cash_etf"],
            "industry": ["Broad Market ETF", "Aggregate Bonds", "Sector ETF", "Gold", "Hardware", "Allocation ETF", ""],
        }
    )
    assert sorted(diversified_funds(profiles)) == ["AGG", "AOR", "SGOV", "SPY"]
