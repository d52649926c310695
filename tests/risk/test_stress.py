"""Stress tests: exact linear P&L, conditional propagation by hand, option repricing against bsm."""

from __future__ import annotations

from datetime import date

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
    historical_replay,
    propagate,
    run_scenario,
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
