"""Stress tests: exact linear P&L, conditional propagation by hand, option repricing against bsm."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.errors import InsufficientHistory, ValidationError
from sigma.instruments.options import bsm
from sigma.risk.option_book import OptionBook
from sigma.risk.stress import (
    SCENARIO_CATALOGUE,
    Scenario,
    ScenarioKind,
    _historical,
    _hypothetical,
    historical_replay,
    propagate,
    run_scenario,
    run_scenarios,
)

BETAS = pd.DataFrame(
    {"market": [1.0, 1.3, 0.2], "rates": [0.0, -0.02, -0.17]}, index=["SPY", "NVDA", "TLT"]
)  # rates: return per +100 bp
SECTORS = pd.Series({"SPY": "Broad", "NVDA": "Information Technology", "TLT": "Bonds"})


def _call(units: float = 100.0) -> OptionBook:
    return OptionBook(
        np.array([1]),
        np.array([180.0]),
        np.array([200.0]),
        np.array([0.5]),
        np.array([0.04]),
        np.array([0.45]),
        np.array(["call"]),
        np.array([units]),
        labels=("NVDA 200C",),
    )


@pytest.mark.parametrize("shock", [-0.10, -0.339, -0.568])
def test_a_spy_book_loses_exactly_the_market_shock(shock) -> None:
    got = run_scenario(Scenario("m", {"market": shock}), pd.Series({"SPY": 1e6}), BETAS, 1e6)
    assert got.total == pytest.approx(shock * 1e6, abs=1e-12 * 1e6)
    assert got.total_pct == pytest.approx(shock, abs=1e-12)


def test_unshocked_factors_move_by_their_conditional_expectation() -> None:
    # σ_m = 1 %, σ_r = 0.05 pp, ρ = −0.4: E[r | m] = ρ σ_r / σ_m · m = −0.4 · 0.05 / 0.01 · (−0.20) = +0.40 pp
    cov = pd.DataFrame(
        [[1e-4, -0.4 * 0.01 * 0.05], [-0.4 * 0.01 * 0.05, 0.05**2]],
        index=["market", "rates"],
        columns=["market", "rates"],
    )
    moves = propagate({"market": -0.20}, cov, cov.index)
    assert moves["rates"] == pytest.approx(0.40, rel=1e-12)
    got = run_scenario(Scenario("m", {"market": -0.20}), pd.Series({"TLT": 1e5}), BETAS, 1e6, factor_cov=cov)
    # TLT: 0.2 · (−0.20) − 0.17 · 0.40 = −0.04 − 0.068 = −0.108
    assert got.positions.loc["TLT", "return"] == pytest.approx(-0.108, rel=1e-12)
    assert got.propagated == ("rates",)


def test_a_short_position_gains_in_a_down_scenario() -> None:
    got = run_scenario(Scenario("down", {"market": -0.2}), pd.Series({"NVDA": -5e5}), BETAS, 1e6)
    assert got.positions.loc["NVDA", "pnl"] == pytest.approx(0.26 * 5e5)  # −5e5 · 1.3 · −0.2
    assert got.total > 0


def test_a_rates_shock_in_bp_is_converted_to_percent_points() -> None:
    got = run_scenario(Scenario("r", {"rates_bp": 100.0}), pd.Series({"TLT": 1e5}), BETAS, 1e6)
    assert got.total == pytest.approx(-0.17 * 1e5)  # +100 bp = +1.00 pp; rate beta −0.17 per +1.00
    assert got.factor_moves["rates"] == pytest.approx(1.0)


def test_options_are_repriced_at_the_shocked_spot_exactly_as_bsm() -> None:
    book = _call(100.0)
    got = run_scenario(Scenario("m", {"market": -0.10}), pd.Series(dtype=float), BETAS, 1e6, options=book)
    spot = 180.0 * (1 + 1.3 * -0.10)  # NVDA's predicted return −13 %
    expected = 100.0 * (
        bsm(spot, 200.0, 0.5, 0.04, 0.45, "call").price - bsm(180.0, 200.0, 0.5, 0.04, 0.45, "call").price
    )
    assert got.positions.loc["NVDA 200C", "pnl"] == pytest.approx(float(expected), rel=1e-12)


def test_a_vix_shock_scales_option_vols_by_the_vix_ratio() -> None:
    book = _call(100.0)
    got = run_scenario(Scenario("v", {"vix": 40.0}), pd.Series(dtype=float), BETAS, 1e6, options=book, vix_level=20.0)
    expected = 100.0 * (
        bsm(180.0, 200.0, 0.5, 0.04, 0.90, "call").price - bsm(180.0, 200.0, 0.5, 0.04, 0.45, "call").price
    )
    assert got.positions.loc["NVDA 200C", "pnl"] == pytest.approx(float(expected), rel=1e-12)
    assert got.factor_moves["vix"] == pytest.approx(20.0)
    with pytest.raises(ValidationError, match="VIX"):
        run_scenario(Scenario("v", {"vix": 40.0}), pd.Series(dtype=float), BETAS, 1e6, options=book)


def test_sector_totals_add_up_to_the_book_total() -> None:
    e = pd.Series({"SPY": 3e5, "NVDA": 2e5, "TLT": 1e5})
    got = run_scenario(
        Scenario("x", {"market": -0.3, "rates_bp": -100.0}), e, BETAS, 1e6, sectors=SECTORS, options=_call()
    )
    assert got.sectors["pnl"].sum() == pytest.approx(got.total)
    assert got.positions.loc["NVDA 200C", "sector"] == "Information Technology"
    assert set(got.sectors.index) == {"Broad", "Information Technology", "Bonds"}


@settings(max_examples=25, deadline=None)
@given(st.floats(-0.6, 0.6), st.floats(0.0, 3.0))
def test_linear_pnl_scales_with_the_shock_and_the_book(shock, k) -> None:
    e = pd.Series({"SPY": 2e5, "NVDA": -1e5})
    base = run_scenario(Scenario("x", {"market": shock}), e, BETAS, 1e6).total
    scaled = run_scenario(Scenario("x", {"market": shock}), k * e, BETAS, 1e6).total
    assert scaled == pytest.approx(k * base, abs=1e-6)
    assert base == pytest.approx(shock * (2e5 - 1.3e5), abs=1e-6)


def test_historical_replay_compounds_returns_and_sums_rate_changes() -> None:
    days = pd.bdate_range("2020-02-19", periods=3)
    factors = pd.DataFrame({"market": [-0.1, -0.1, 0.05], "rates": [-0.2, -0.3, 0.1]}, index=days)
    got = historical_replay(factors, days[0], days[2])
    # market 0.9 · 0.9 · 1.05 − 1 = −0.1495; rates −0.2 − 0.3 + 0.1 = −0.4 pp = −40 bp
    assert got.shocks["market"] == pytest.approx(-0.1495)
    assert got.shocks["rates_bp"] == pytest.approx(-40.0)
    assert got.kind is ScenarioKind.HISTORICAL
    with pytest.raises(InsufficientHistory):
        historical_replay(factors, date(2007, 10, 9), date(2009, 3, 9))


def test_the_catalogue_holds_domains_scenarios() -> None:
    by_name = {s.name: s for s in SCENARIO_CATALOGUE}
    assert len(by_name) == len(SCENARIO_CATALOGUE) == 16
    assert by_name["GFC 2007–09"].shocks == {"market": -0.568}
    assert by_name["2022 inflation & rates"].shocks == {"market": -0.254, "rates_bp": 240.0}
    assert by_name["Dot-com 2000–02"].shocks["sector:Information Technology"] == -0.78
    for s in SCENARIO_CATALOGUE:
        has_window = s.window_start is not None and s.window_end is not None
        assert has_window == (s.kind is ScenarioKind.HISTORICAL)
        assert not has_window or s.window_start <= s.window_end


def test_a_hand_scenario_to_the_dollar_with_shares_of_nav_sectors_and_missing_betas() -> None:
    betas = BETAS.copy()
    betas.loc["NVDA", "rates"] = np.nan  # a missing beta moves nothing
    book = pd.Series({"SPY": 1e5, "NVDA": -2e4, "TLT": 5e4})
    got = run_scenario(
        Scenario("Hand", {"market": -0.10, "rates": 1.0}), book, betas, 4e5, sectors=SECTORS.drop("NVDA")
    )
    # SPY 1e5·(−0.10) = −10,000; NVDA −2e4·(1.3·−0.10) = +2,600; TLT 5e4·(0.2·−0.10 − 0.17·1) = −9,500
    assert got.scenario == "Hand" and got.propagated == ()
    assert got.positions["pnl"].to_dict() == pytest.approx({"SPY": -10_000.0, "NVDA": 2_600.0, "TLT": -9_500.0})
    assert got.positions["pnl_pct"].to_dict() == pytest.approx({"SPY": -0.025, "NVDA": 0.0065, "TLT": -0.02375})
    assert got.positions["sector"].to_dict() == {"SPY": "Broad", "NVDA": "Unclassified", "TLT": "Bonds"}
    assert list(got.sectors.index) == ["Bonds", "Broad", "Unclassified"]  # sorted by label
    assert got.sectors["pnl_pct"].tolist() == pytest.approx([-0.02375, -0.025, 0.0065])
    assert (got.total, got.total_pct) == pytest.approx((-16_900.0, -0.04225))
    assert got.factor_moves.to_dict() == {"market": -0.10, "rates": 1.0}


def test_the_nav_must_be_positive_and_any_positive_nav_will_do() -> None:
    book = pd.Series({"SPY": 1e5})
    with pytest.raises(ValidationError) as info:
        run_scenario(Scenario("x", {"market": -0.1}), book, BETAS, 0.0)
    assert str(info.value) == "NAV must be positive to express stress P&L as a share of it; got 0.0."
    assert run_scenario(Scenario("x", {"market": -0.1}), book, BETAS, 0.5).total_pct == pytest.approx(-20_000.0)


def test_a_replay_is_a_whole_named_scenario_without_the_vix_and_refuses_a_window_before_the_history() -> None:
    days = pd.bdate_range("2020-02-19", periods=4)
    factors = pd.DataFrame(
        {"market": [0.0, -0.1, -0.1, 0.05], "credit": [0.0, 0.1, 0.2, 0.0], "vix": [0.0, 5.0, 10.0, -3.0]}, index=days
    )
    got = historical_replay(factors, days[1].date(), days[3].date())
    # market 0.9 · 0.9 · 1.05 − 1 = −0.1495; credit 0.1 + 0.2 + 0 = 0.3 pp = 30 bp; the VIX is left to propagation
    assert got.shocks == pytest.approx({"market": -0.1495, "credit_bp": 30.0})
    assert got.name == "Replay 2020-02-20 – 2020-02-24"
    assert (got.kind, got.window_start, got.window_end) == (
        ScenarioKind.HISTORICAL,
        date(2020, 2, 20),
        date(2020, 2, 24),
    )
    assert got.description == "Compounded factor moves of the stored window (VIX left to propagation)."
    assert historical_replay(factors, days[1], days[3], name="Mine").name == "Mine"
    with pytest.raises(InsufficientHistory) as info:  # starts a day before the history: not covered
        historical_replay(factors, date(2020, 2, 18), date(2020, 2, 20))
    assert str(info.value) == (
        "Stored factor returns do not cover 2020-02-18 – 2020-02-20: the window predates the history. "
        "Use the catalogue's shocks instead."
    )
    with pytest.raises(InsufficientHistory):  # inside the history but every value missing
        historical_replay(factors.astype(float).assign(market=np.nan, credit=np.nan, vix=np.nan), days[2], days[3])


def test_propagate_keeps_the_factor_order_and_leaves_an_unshocked_factor_at_zero_without_a_covariance() -> None:
    got = propagate({"oil": 0.5, "rates": 1.0}, None, pd.Index(["rates", "market"]))
    # the betas' factor order first, then new shocked keys; "market" is neither shocked nor propagated
    expected = pd.Series([1.0, 0.0, 0.5], index=["rates", "market", "oil"], name="move")
    pd.testing.assert_series_equal(got, expected)


def test_a_shock_outside_the_covariance_propagates_nothing_and_a_zero_move_is_not_propagated() -> None:
    cov = pd.DataFrame([[1e-4, -2e-5], [-2e-5, 2.5e-3]], index=["market", "rates"], columns=["market", "rates"])
    moves = propagate({"oil": 0.5}, cov, pd.Index(["market", "rates"]))
    assert moves.to_dict() == {"market": 0.0, "rates": 0.0, "oil": 0.5}
    betas = BETAS.assign(oil=[0.0, 0.0, 0.0])  # oil is outside the covariance: it stays at zero, unlisted
    got = run_scenario(Scenario("m", {"market": -0.2}), pd.Series({"SPY": 1e5}), betas, 1e6, factor_cov=cov)
    assert got.propagated == ("rates",)
    # E[rates | market] = (−2e-5 / 1e-4) · (−0.2) = +0.04 pp
    assert got.factor_moves.to_dict() == pytest.approx({"market": -0.2, "rates": 0.04, "oil": 0.0}, rel=1e-12)


def test_a_short_positions_return_is_its_pnl_over_its_absolute_value() -> None:
    got = run_scenario(Scenario("down", {"market": -0.2}), pd.Series({"NVDA": -5e5}), BETAS, 1e6)
    # pnl +130,000 on |−500,000|: +26 %, a gain shown as a positive return
    assert list(got.positions.loc["NVDA", ["value", "pnl", "return"]]) == pytest.approx([-5e5, 1.3e5, 0.26])


def test_option_rows_carry_their_value_pnl_share_and_return_and_unlabelled_options_get_a_name() -> None:
    book = replace(_call(100.0), labels=())
    got = run_scenario(
        Scenario("m", {"market": -0.10}), pd.Series({"SPY": 1e5}), BETAS, 1e6, options=book, vix_level=20.0
    )
    value = 100.0 * float(bsm(180.0, 200.0, 0.5, 0.04, 0.45, "call").price)
    pnl = 100.0 * float(bsm(180.0 * 0.87, 200.0, 0.5, 0.04, 0.45, "call").price) - value  # vol unchanged: no VIX shock
    assert list(got.positions.index) == ["SPY", "option 0"]
    assert list(got.positions.columns) == ["sector", "value", "pnl", "pnl_pct", "return"]
    row = got.positions.loc["option 0"]
    assert row["sector"] == "Unclassified"
    assert [row["value"], row["pnl"], row["pnl_pct"], row["return"]] == pytest.approx(
        [value, pnl, pnl / 1e6, pnl / value], rel=1e-12
    )
    assert got.total == pytest.approx(-1e4 + pnl, rel=1e-12)


@pytest.mark.parametrize("level", [0.0, -5.0])
def test_a_vix_scenario_needs_a_positive_vix_level(level: float) -> None:
    with pytest.raises(ValidationError) as info:
        run_scenario(Scenario("VIX to 40", {"vix": 40.0}), pd.Series({"SPY": 1e5}), BETAS, 1e6, vix_level=level)
    assert str(info.value) == "Scenario 'VIX to 40' sets the VIX level: pass today's VIX level."


def test_a_replay_works_on_an_index_of_plain_dates() -> None:
    days = [date(2020, 3, 2), date(2020, 3, 3), date(2020, 3, 4)]
    factors = pd.DataFrame({"market": [-0.1, 0.2, -0.5], "rates": [0.1, 0.2, 0.3]}, index=days)
    got = historical_replay(factors, days[0], days[1])
    assert got.shocks == pytest.approx({"market": 0.08, "rates_bp": 30.0})  # 0.9 · 1.2 − 1; 0.1 + 0.2 pp


IT_SECTOR = "sector:Information Technology"
CATALOGUE = [  # name, window (historical), shocks, description: the reference data of docs/DOMAIN.md
    (
        "GFC 2007–09",
        (date(2007, 10, 9), date(2009, 3, 9)),
        {"market": -0.568},
        "Global financial crisis, S&P 500 peak to trough −56.8 %.",
    ),
    (
        "COVID crash 2020",
        (date(2020, 2, 19), date(2020, 3, 23)),
        {"market": -0.339},
        "S&P 500 −33.9 % in 23 trading days.",
    ),
    (
        "2022 inflation & rates",
        (date(2022, 1, 3), date(2022, 10, 12)),
        {"market": -0.254, "rates_bp": 240.0},
        "S&P 500 −25.4 %, 10-year +240 bp.",
    ),
    (
        "Dot-com 2000–02",
        (date(2000, 3, 24), date(2002, 10, 9)),
        {"market": -0.491, IT_SECTOR: -0.78},
        "S&P 500 −49.1 %, Nasdaq −78 % (as a tech sector shock).",
    ),
    ("Black Monday 1987", (date(1987, 10, 19), date(1987, 10, 19)), {"market": -0.205}, "S&P 500 −20.5 % in one day."),
    ("Q4 2018", (date(2018, 9, 20), date(2018, 12, 24)), {"market": -0.198}, "S&P 500 −19.8 %."),
    ("2011 US downgrade", (date(2011, 4, 29), date(2011, 10, 3)), {"market": -0.194}, "S&P 500 −19.4 %."),
    ("Taper tantrum 2013", (date(2013, 5, 2), date(2013, 9, 5)), {"rates_bp": 140.0}, "10-year +140 bp."),
    ("Market −10 %", None, {"market": -0.10}, "Equity market −10 %."),
    ("Market −20 %", None, {"market": -0.20}, "Equity market −20 %."),
    ("Market −30 %", None, {"market": -0.30}, "Equity market −30 %."),
    ("Rates +100 bp", None, {"rates_bp": 100.0}, "Parallel +100 bp."),
    ("Rates −100 bp", None, {"rates_bp": -100.0}, "Parallel −100 bp."),
    ("Tech −25 %", None, {IT_SECTOR: -0.25}, "Information Technology sector −25 %."),
    ("Oil +50 %", None, {"oil": 0.50}, "Oil +50 %."),
    ("VIX to 40", None, {"vix": 40.0}, "VIX jumps to 40."),
]


def test_the_catalogue_is_the_domains_reference_data_scenario_by_scenario() -> None:
    assert len(SCENARIO_CATALOGUE) == len(CATALOGUE)
    for got, (name, window, shocks, description) in zip(SCENARIO_CATALOGUE, CATALOGUE, strict=True):
        kind = ScenarioKind.HYPOTHETICAL if window is None else ScenarioKind.HISTORICAL
        assert (got.name, got.kind, got.description) == (name, kind, description)
        assert dict(got.shocks) == shocks
        assert (got.window_start, got.window_end) == (window or (None, None))


def test_the_catalogue_constructors_build_whole_scenarios() -> None:
    # the catalogue is built at import; these are the two helpers it is written with
    crash = _historical("Crash", date(1987, 10, 16), date(1987, 10, 19), "Two days.", market=-0.25, rates_bp=-50.0)
    assert crash == Scenario(
        "Crash",
        {"market": -0.25, "rates_bp": -50.0},
        ScenarioKind.HISTORICAL,
        "Two days.",
        date(1987, 10, 16),
        date(1987, 10, 19),
    )
    shocks = {"oil": 0.5}
    spike = _hypothetical("Oil spike", "Oil +50 %.", shocks)
    assert spike == Scenario("Oil spike", {"oil": 0.5}, ScenarioKind.HYPOTHETICAL, "Oil +50 %.", None, None)
    assert spike.shocks is not shocks  # a copy: editing the caller's dict does not edit the catalogue


def test_any_positive_vix_level_is_accepted() -> None:
    got = run_scenario(Scenario("v", {"vix": 40.0}), pd.Series({"SPY": 1e5}), BETAS, 1e6, vix_level=0.5)
    assert got.factor_moves["vix"] == pytest.approx(39.5)  # the shocked level 40 less today's 0.5


def test_the_catalogue_at_once_equals_each_scenario_alone() -> None:
    cov = pd.DataFrame(
        [[1e-4, -2e-5, 3e-4], [-2e-5, 0.0025, -1e-4], [3e-4, -1e-4, 4.0]],
        index=["market", "rates", "vix"],
        columns=["market", "rates", "vix"],
    )
    betas = BETAS.assign(vix=[0.0, -0.001, 0.0005])
    exposures, options = pd.Series({"SPY": 4e5, "NVDA": -1e5, "TLT": 2e5}), _call(-300.0)
    kwargs: dict[str, Any] = {"factor_cov": cov, "options": options, "sectors": SECTORS, "vix_level": 18.0}
    together = run_scenarios(SCENARIO_CATALOGUE, exposures, betas, 1e6, **kwargs)
    assert [r.scenario for r in together] == [s.name for s in SCENARIO_CATALOGUE]
    for scenario, got in zip(SCENARIO_CATALOGUE, together, strict=True):
        alone = run_scenario(scenario, exposures, betas, 1e6, **kwargs)
        pd.testing.assert_frame_equal(got.positions, alone.positions, rtol=1e-14)
        pd.testing.assert_frame_equal(got.sectors, alone.sectors, rtol=1e-14)
        pd.testing.assert_series_equal(got.factor_moves, alone.factor_moves, rtol=1e-14)
        assert got.total == pytest.approx(alone.total, rel=1e-14) and got.propagated == alone.propagated
    vix = together[-1]  # VIX 18 → 40: the option repriced at 40/18 of its vol, on the underlying's predicted move
    move = vix.factor_moves
    under = float(betas.loc["NVDA"].fillna(0.0) @ move.reindex(betas.columns).fillna(0.0))
    expected = (
        bsm(180.0 * (1 + under), 200.0, 0.5, 0.04, 0.45 * 40 / 18, "call").price
        - bsm(180, 200, 0.5, 0.04, 0.45, "call").price
    )
    assert vix.positions.loc["NVDA 200C", "pnl"] == pytest.approx(-300.0 * float(expected), rel=1e-12)
