"""Reference values of every insight rule: hand-computed inputs at, just above and just below each threshold."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sigma.insights import rules
from sigma.insights.card import Card, Rule, Severity
from sigma.insights.clusters import correlated_groups

NAV = 1_000_000.0


def _summary(cards: list[Card]) -> list[tuple[Rule, str, Severity]]:
    return [(c.rule, c.subject, c.severity) for c in cards]


def test_a_position_fires_above_20_percent_of_nav_and_is_critical_above_30() -> None:
    weights = pd.Series({"AT": 0.20, "ABOVE": 0.2000001, "BELOW": 0.1999, "SHORT": -0.35, "EDGE": 0.30})
    cards = rules.position_cards(weights, NAV)
    assert _summary(cards) == [
        (Rule.POSITION, "ABOVE", Severity.WARNING),
        (Rule.POSITION, "SHORT", Severity.CRITICAL),  # |−35 %| > 30 %
        (Rule.POSITION, "EDGE", Severity.WARNING),  # exactly 30 % is not above 30 %
    ]
    short = cards[1]
    assert short.title == "SHORT (short) is 35.0 % of NAV"
    # −0.35 × $1,000,000 = −$350,000
    assert short.numbers == {"weight": -0.35, "threshold": 0.20, "exposure": -350_000.0, "nav": NAV}
    assert "$350,000 of a $1,000,000 book" in short.body


def test_hhi_fires_above_018_and_is_critical_above_030() -> None:
    # six positions 2,2,2,2,1,1 of gross 10: 4 × 0.2² + 2 × 0.1² = 0.18 exactly (0.18000000000000005
    # in floating point, compared at 12 decimals): not above 0.18
    assert rules.hhi_cards(pd.Series([2.0, 2.0, 2.0, 2.0, 1.0, 1.0])) == []
    assert rules.hhi_cards(pd.Series([2.0, 2.0, 2.0, 2.0, 1.0, 0.99])) != []  # 0.1802
    assert rules.hhi_cards(pd.Series([1.0] * 6)) == []  # 6 × (1/6)² = 0.1667
    five = rules.hhi_cards(pd.Series([1.0] * 5))  # 5 × 0.2² = 0.20
    assert _summary(five) == [(Rule.HHI, "", Severity.WARNING)]
    assert five[0].numbers["hhi"] == pytest.approx(0.20)
    assert five[0].numbers["effective_n"] == pytest.approx(5.0)
    assert five[0].title == "Concentrated book: HHI 0.20"
    # 4, 1, 1, 1, −1 (a short counts by size): 0.5² + 4 × 0.125² = 0.3125 > 0.30
    loud = rules.hhi_cards(pd.Series([4.0, 1.0, 1.0, 1.0, -1.0]))
    assert _summary(loud) == [(Rule.HHI, "", Severity.CRITICAL)]
    assert loud[0].numbers["hhi"] == pytest.approx(0.3125)
    assert loud[0].numbers["effective_n"] == pytest.approx(3.2)
    assert rules.hhi_cards(pd.Series([0.0, 0.0])) == []  # nothing held: no card, no error


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40))
def test_the_hhi_rule_fires_exactly_when_the_direct_sum_of_squares_is_above_018(exposures: list[float]) -> None:
    e = np.abs(np.array(exposures))
    assume(e.sum() > 1e-6)
    direct = float(((e / e.sum()) ** 2).sum())
    assume(abs(direct - 0.18) > 1e-9 and abs(direct - 0.30) > 1e-9)
    cards = rules.hhi_cards(pd.Series(exposures))
    assert bool(cards) == (direct > 0.18)
    if cards:
        assert cards[0].numbers["hhi"] == pytest.approx(direct, rel=1e-12)
        assert cards[0].severity == (Severity.CRITICAL if direct > 0.30 else Severity.WARNING)


@given(st.dictionaries(st.sampled_from(list("ABCDEFGH")), st.floats(-2.0, 2.0, allow_nan=False), max_size=8))
def test_the_position_rule_flags_exactly_the_holdings_above_20_percent(weights: dict[str, float]) -> None:
    cards = rules.position_cards(pd.Series(weights, dtype=float), NAV)
    assert sorted(c.subject for c in cards) == sorted(s for s, w in weights.items() if abs(w) > 0.20)


def test_a_sector_tilt_fires_beyond_10_pp_and_warns_beyond_20() -> None:
    tilts = pd.DataFrame(
        {"portfolio_pp": [44.0, 23.5, 0.0, 25.0, math.nan], "benchmark_pp": [34.0, 13.0, 9.0, 3.0, 2.4]},
        index=["Information Technology", "Financials", "Health Care", "Energy", "Utilities"],
    )
    tilts["active_pp"] = tilts["portfolio_pp"] - tilts["benchmark_pp"]  # 10.0, 10.5, −9.0, 22.0, NaN
    cards = rules.sector_cards(tilts, "SPY")
    assert _summary(cards) == [
        (Rule.SECTOR, "Financials", Severity.INFO),
        (Rule.SECTOR, "Energy", Severity.WARNING),
    ]
    assert cards[0].title == "Financials overweight: +10.5 pp vs SPY"
    assert cards[1].numbers == {"active_pp": 22.0, "portfolio_pp": 25.0, "benchmark_pp": 3.0, "threshold_pp": 10.0}
    under = pd.DataFrame({"portfolio_pp": [0.0], "benchmark_pp": [10.5], "active_pp": [-10.5]}, index=["Materials"])
    assert rules.sector_cards(under)[0].title == "Materials underweight: -10.5 pp vs SPY"


@pytest.mark.parametrize(
    ("beta", "expected"),
    [
        (0.7, None),
        (1.3, None),
        (1.0, None),
        (0.69, Severity.INFO),
        (1.31, Severity.INFO),
        (0.5, Severity.INFO),  # the wide band [0.5, 1.5] is inclusive too
        (0.49, Severity.WARNING),
        (1.51, Severity.WARNING),
        (-0.2, Severity.WARNING),
        (math.nan, None),
    ],
)
def test_beta_fires_outside_07_13_and_warns_outside_05_15(beta: float, expected: Severity | None) -> None:
    cards = rules.beta_cards(beta, "SPY")
    assert [c.severity for c in cards] == ([] if expected is None else [expected])


def test_a_beta_card_says_how_far_the_book_moves_with_the_market() -> None:
    (card,) = rules.beta_cards(1.45, "QQQ")
    assert card.title == "High market beta: 1.45"
    assert "a 10 % move in QQQ moves it about 14.5 %" in card.body  # 1.45 × 10 %


def _returns(values: list[float]) -> pd.Series:
    return pd.Series(values, index=pd.bdate_range("2026-11-02", periods=len(values)))


def test_drawdown_fires_beyond_10_percent_below_the_peak_and_is_critical_beyond_20() -> None:
    # wealth 1.0 -> 1.10 -> 0.825: 0.825 / 1.10 − 1 = −25 %
    (card,) = rules.drawdown_cards(_returns([0.10, -0.25]))
    assert (card.rule, card.severity, card.title) == (Rule.DRAWDOWN, Severity.CRITICAL, "Down 25.0 % from the peak")
    assert card.numbers["drawdown"] == pytest.approx(-0.25)
    assert card.numbers["peak"] == "2026-11-02"
    # 0.9 / 1.0 − 1 = −10 % (−0.09999999999999998 in floating point): not beyond 10 %
    assert rules.drawdown_cards(_returns([-0.10])) == []
    (above,) = rules.drawdown_cards(_returns([-0.1001]))
    assert above.severity == Severity.WARNING
    assert above.numbers["peak"] == "2026-11-02"  # the starting 1.0 is the peak


def test_a_recovered_drawdown_does_not_fire_but_the_deepest_fall_is_in_the_numbers() -> None:
    # wealth 0.85 -> 1.02: a new high today; the window's worst was −15 %
    assert rules.drawdown_cards(_returns([-0.15, 0.20])) == []
    # 1.0 -> 0.85 -> 0.867 (−13.3 %): still below the start, deepest −15 %
    (card,) = rules.drawdown_cards(_returns([-0.15, 0.02]))
    assert card.numbers["drawdown"] == pytest.approx(0.85 * 1.02 - 1.0)
    assert card.numbers["max_drawdown"] == pytest.approx(-0.15)
    assert rules.drawdown_cards(_returns([])) == []


@pytest.mark.parametrize(
    ("percentile", "expected"),
    [(80.0, None), (79.9, None), (80.5, Severity.WARNING), (95.0, Severity.WARNING), (96.0, Severity.CRITICAL)],
)
def test_the_volatility_regime_fires_above_the_80th_percentile(percentile: float, expected: Severity | None) -> None:
    cards = rules.volatility_cards(percentile, 0.25)
    assert [c.severity for c in cards] == ([] if expected is None else [expected])


def test_a_volatility_card_names_the_percentile_and_the_vol() -> None:
    (card,) = rules.volatility_cards(87.0, 0.2345)
    assert card.title == "High-volatility regime: 87th percentile"
    assert "(23.4 % annualised)" in card.body
    assert rules.volatility_cards(math.nan, math.nan) == []


def test_a_style_tilt_fires_beyond_05_and_warns_beyond_1() -> None:
    exposures = pd.Series({"Size": 0.5, "Value": -0.51, "Momentum": 1.2, "Quality": math.nan, "Low vol": 1.0})
    cards = rules.style_cards(exposures)
    assert _summary(cards) == [
        (Rule.STYLE, "Value", Severity.INFO),
        (Rule.STYLE, "Momentum", Severity.WARNING),
        (Rule.STYLE, "Low vol", Severity.INFO),  # exactly 1.0 is not above 1.0
    ]
    assert cards[0].title == "Value tilt: β -0.51"


def _corr(names: str, pairs: dict[str, float]) -> pd.DataFrame:
    """A correlation matrix with unit diagonal, `pairs` {"AB": ρ} and 0.1 elsewhere."""
    frame = pd.DataFrame(0.1, index=list(names), columns=list(names))
    for pair, rho in pairs.items():
        frame.loc[pair[0], pair[1]] = frame.loc[pair[1], pair[0]] = rho
    for n in names:
        frame.loc[n, n] = 1.0
    return frame


def test_a_cluster_of_three_correlated_holdings_over_30_percent_fires() -> None:
    corr = _corr("ABCD", {"AB": 0.9, "AC": 0.9, "BC": 0.9})
    weights = pd.Series({"A": 0.15, "B": 0.10, "C": -0.10, "D": 0.65})
    (card,) = rules.cluster_cards(corr, weights)
    # |0.15| + |0.10| + |−0.10| = 35 % of NAV; average ρ 0.9
    assert (card.rule, card.subject, card.severity) == (Rule.CLUSTER, "A+B+C", Severity.WARNING)
    assert card.numbers["weight"] == pytest.approx(0.35)
    assert card.numbers["average_correlation"] == pytest.approx(0.9)
    assert card.numbers["members"] == ["A", "B", "C"]
    assert card.title == "3 holdings move as one: 35.0 % of NAV"
    heavy = rules.cluster_cards(corr, pd.Series({"A": 0.2, "B": 0.2, "C": 0.2, "D": 0.4}))
    assert [c.severity for c in heavy] == [Severity.CRITICAL]  # 60 % > 50 %


def test_a_cluster_at_the_thresholds_does_not_fire() -> None:
    weights = pd.Series({"A": 0.1, "B": 0.1, "C": 0.1})  # 0.30000000000000004: exactly 30 %, not above
    assert rules.cluster_cards(_corr("ABC", {"AB": 0.9, "AC": 0.9, "BC": 0.9}), weights) == []
    heavy = pd.Series({"A": 0.2, "B": 0.2, "C": 0.2})
    # average (0.8 + 0.8 + 0.8) / 3 = 0.8000000000000002 in floating point: exactly 0.8, not above
    assert rules.cluster_cards(_corr("ABC", {"AB": 0.8, "AC": 0.8, "BC": 0.8}), heavy) == []
    assert len(rules.cluster_cards(_corr("ABC", {"AB": 0.81, "AC": 0.81, "BC": 0.81}), heavy)) == 1
    assert rules.cluster_cards(_corr("AB", {"AB": 0.95}), pd.Series({"A": 0.5, "B": 0.5})) == []  # two is no cluster


def test_a_chain_of_correlations_is_not_a_cluster() -> None:
    # A~B and B~C at 0.9 but A~C at 0.5: complete linkage keeps them apart (connected components would not)
    corr = _corr("ABC", {"AB": 0.9, "BC": 0.9, "AC": 0.5})
    assert rules.cluster_cards(corr, pd.Series({"A": 0.3, "B": 0.3, "C": 0.3})) == []
    assert sorted(map(len, correlated_groups(corr, 0.8))) == [1, 2]


def test_stale_prices_fire_past_the_limit_and_are_critical_past_three_times_it() -> None:
    ref = date(2026, 11, 20)
    fresh = {"A": date(2026, 11, 20), "B": date(2026, 11, 16)}  # B is 4 days old: at the limit
    assert rules.stale_cards(fresh, ref, 4) == []
    (card,) = rules.stale_cards({**fresh, "C": date(2026, 11, 15)}, ref, 4)  # 5 days
    assert (card.severity, card.title) == (Severity.WARNING, "Stale prices: C")
    assert card.numbers == {"symbols": ["C"], "oldest_days": 5, "limit_days": 4, "reference": "2026-11-20"}
    (loud,) = rules.stale_cards({**fresh, "C": date(2026, 11, 15), "D": date(2026, 11, 7)}, ref, 4)  # 13 > 12
    assert (loud.severity, loud.title) == (Severity.CRITICAL, "Stale prices: 2 holdings")
    assert loud.numbers["symbols"] == ["D", "C"]  # oldest first
    assert "python -m jobs run market_data" in loud.body
