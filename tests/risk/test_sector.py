"""Sector look-through, tilts against the S&P 500, concentration (HHI) and diversification by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.errors import ValidationError
from sigma.risk.concentration import ConcentrationBand, concentration, diversification
from sigma.risk.sector import LOOK_THROUGH, SP500_SECTOR_WEIGHTS, sector_exposure, sector_vs_benchmark

PROFILES = {"AAPL": "Information Technology", "JPM": "Financials", "XLK": "Information Technology"}
CLASSES = {"TLT": "bond_etf", "GLD": "commodity_etf", "IBIT": "crypto_etf", "SGOV": "cash_etf"}


def test_every_look_through_sums_to_one_and_the_sp500_weights_are_normalised() -> None:
    for symbol, weights in LOOK_THROUGH.items():
        assert sum(weights.values()) == pytest.approx(1.0, abs=1e-12), symbol
    assert len(SP500_SECTOR_WEIGHTS) == 11
    assert SP500_SECTOR_WEIGHTS["Information Technology"] == pytest.approx(34.0 / 98.2)  # DOMAIN's figures sum to 98.2


def test_a_spy_holding_spreads_over_every_sector_and_sums_to_its_exposure() -> None:
    got = sector_exposure(pd.Series({"SPY": 1e6}), None, PROFILES)
    assert len(got) == 11
    assert got["exposure"].sum() == pytest.approx(1e6)
    assert got.loc["Information Technology", "exposure"] == pytest.approx(1e6 * 34.0 / 98.2)


def test_a_short_sector_etf_counts_negative_in_its_sector() -> None:
    got = sector_exposure(pd.Series({"AAPL": 3e5, "XLK": -2e5}), None, PROFILES)
    assert got.loc["Information Technology", "exposure"] == pytest.approx(1e5)
    got = sector_exposure(pd.Series({"XLK": -2e5, "JPM": 1e5}), None, PROFILES, nav=1e6)
    assert got.loc["Information Technology", "weight"] == pytest.approx(-0.2)


def test_non_equity_is_reported_by_asset_class_or_as_non_equity() -> None:
    e = pd.Series({"p1": 1e5, "p2": 2e5, "p3": 3e4, "p4": 4e4, "p5": 5e4})
    symbols = pd.Series({"p1": "TLT", "p2": "GLD", "p3": "IBIT", "p4": "SGOV", "p5": "MYSTERY"})
    got = sector_exposure(e, symbols, PROFILES, asset_classes=CLASSES)
    assert got["exposure"].to_dict() == {
        "Commodities": 2e5,
        "Bonds": 1e5,
        "Non-equity": 5e4,
        "Cash": 4e4,
        "Crypto": 3e4,
    }
    # weights of gross when no NAV is given: 2e5 / 4.2e5
    assert got.loc["Commodities", "weight"] == pytest.approx(2e5 / 4.2e5)


def test_a_pure_spy_book_has_no_sector_tilt_and_a_tech_stock_is_overweight_tech() -> None:
    flat = sector_vs_benchmark(sector_exposure(pd.Series({"SPY": 1e6}), None, PROFILES))
    np.testing.assert_allclose(flat["active_pp"], 0.0, atol=1e-9)
    tilted = sector_vs_benchmark(sector_exposure(pd.Series({"SPY": 5e5, "AAPL": 5e5}), None, PROFILES))
    # IT: (0.5 · 34/98.2 + 0.5) · 100 − 34/98.2 · 100 = 50 − 17.31 = 32.69 pp
    assert tilted.loc["Information Technology", "active_pp"] == pytest.approx(50.0 - 50 * 34 / 98.2)
    assert tilted["active_pp"].sum() == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("exposures", "hhi", "band"),
    [
        ([50.0, -30.0, 20.0], 0.38, ConcentrationBand.CONCENTRATED),  # 0.25 + 0.09 + 0.04; shorts by magnitude
        ([1.0] * 10, 0.10, ConcentrationBand.MODERATE),  # 10 × 0.01; 0.10 is the moderate band's floor
        ([1.0] * 20, 0.05, ConcentrationBand.DIVERSIFIED),
        ([3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 0.16, ConcentrationBand.MODERATE),  # (9 + 7 · 1) / 10² = 0.16
    ],
)
def test_hhi_effective_n_and_bands_by_hand(exposures, hhi, band) -> None:
    got = concentration(pd.Series(exposures))
    expected = sum((abs(e) / sum(map(abs, exposures))) ** 2 for e in exposures)
    assert got.hhi == pytest.approx(expected) and got.hhi == pytest.approx(hhi)
    assert got.effective_n == pytest.approx(1.0 / expected)
    assert got.band is band
    assert got.top1 == pytest.approx(max(map(abs, exposures)) / sum(map(abs, exposures)))


def test_concentration_of_an_empty_book_is_refused() -> None:
    with pytest.raises(ValidationError):
        concentration(pd.Series([0.0, 0.0]))


def test_diversification_of_two_uncorrelated_equal_assets_is_root_two() -> None:
    cov = pd.DataFrame(np.diag([0.04, 0.04]), index=["A", "B"], columns=["A", "B"])
    got = diversification(pd.Series({"A": 0.5, "B": 0.5}), cov)
    # Σ|w|σ = 0.2; σ_p = √(2 · 0.25 · 0.04) = 0.1414; ratio √2; correlation 0
    assert got.ratio == pytest.approx(np.sqrt(2.0))
    assert got.average_correlation == pytest.approx(0.0)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=6))
def test_sector_exposures_always_add_up_to_the_net_exposure(values) -> None:
    symbols = ["SPY", "QQQ", "XLK", "AAPL", "TLT", "EEM"][: len(values)]
    e = pd.Series(values, index=symbols)
    got = sector_exposure(e, None, PROFILES, asset_classes=CLASSES)
    assert got["exposure"].sum() == pytest.approx(sum(values), abs=1e-6)
