"""Sector look-through, tilts against the S&P 500, concentration (HHI) and diversification by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.errors import ValidationError
from sigma.risk.concentration import ConcentrationBand, concentration, diversification
from sigma.risk.sector import (
    LOOK_THROUGH,
    SP500_SECTOR_WEIGHTS,
    _normalised,
    holding_labels,
    sector_exposure,
    sector_vs_benchmark,
)

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


def test_raw_weights_are_normalised_to_one_and_zero_weights_are_dropped() -> None:
    # the look-through table is built at import with this helper: 11 GICS weights in percent
    got = _normalised((40.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0))
    assert got == pytest.approx({"Information Technology": 0.5, "Health Care": 0.125, "Communication Services": 0.375})
    with pytest.raises(ValueError):  # a row that is not 11 sectors long is an error, not silently cut
        _normalised((50.0, 50.0))


def test_holding_labels_prefer_the_sector_then_the_asset_class_then_non_equity() -> None:
    sectors = pd.Series({"AAPL": "Information Technology", "TLT": None, "GLD": "", "ODD": np.nan})
    classes = pd.Series({"AAPL": "stock", "TLT": "bond_etf", "GLD": "commodity_etf", "ODD": "other"})
    got = holding_labels(sectors, classes)
    assert got.to_dict() == {
        "AAPL": "Information Technology",
        "TLT": "Bonds",
        "GLD": "Commodities",
        "ODD": "Non-equity",
    }
    assert holding_labels(sectors, classes, missing="Other")["ODD"] == "Other"


def test_sector_exposure_maps_positions_to_symbols_by_label_and_sorts_largest_first() -> None:
    e = pd.Series({"p1": 1e5, "p2": 3e5, "p3": -5e4})
    symbols = pd.Series({"p3": "TLT", "p2": "JPM", "p1": "AAPL"})  # not in the exposures' order
    got = sector_exposure(e, symbols, PROFILES, asset_classes=CLASSES)
    assert list(got.index) == ["Financials", "Information Technology", "Bonds"]
    assert got["exposure"].tolist() == [3e5, 1e5, -5e4]
    assert got["weight"].tolist() == pytest.approx([3e5 / 4.5e5, 1e5 / 4.5e5, -5e4 / 4.5e5])  # of gross
    assert sector_exposure(e, symbols, PROFILES, asset_classes=CLASSES, nav=0.0)["weight"].isna().all()


def test_tilts_accept_a_series_fill_missing_sectors_with_zero_and_need_a_net_equity_sleeve() -> None:
    it = "Information Technology"
    got = sector_vs_benchmark(pd.Series({it: 2e5, "Bonds": 5e5}), benchmark={it: 0.4, "Financials": 0.6})
    assert len(got) == 11
    assert list(got.loc[it]) == pytest.approx([100.0, 40.0, 60.0])
    assert list(got.loc["Financials"]) == pytest.approx([0.0, 60.0, -60.0])
    assert list(got.loc["Energy"]) == [0.0, 0.0, 0.0]  # in neither: 0 pp, not NaN
    netted = sector_vs_benchmark(pd.Series({it: 1e5, "Financials": -1e5}))  # long/short netting to zero
    assert netted["portfolio_pp"].isna().all() and netted["benchmark_pp"].notna().all()
