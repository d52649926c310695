"""The reference universe: coverage, valid reference data, and that every symbol is simulated."""

from __future__ import annotations

import pandas as pd

from sigma.market.standard import PROFILE_COLUMNS
from sigma.market.universe import (
    ASSET_CLASSES,
    BOND_ETFS,
    BROAD_ETFS,
    CASH_ETFS,
    COMMODITY_ETFS,
    CRYPTO_ETFS,
    GICS_SECTORS,
    REIT_ETFS,
    SECTOR_ETFS,
    SIMULATION_COLUMNS,
    STYLE_ETFS,
    VIX_SYMBOL,
    YIELD_SYMBOLS,
    load_universe,
    universe_profiles,
    universe_symbols,
)

REQUIRED = {
    *SECTOR_ETFS.values(),
    *BROAD_ETFS,
    *STYLE_ETFS,
    *BOND_ETFS,
    *CASH_ETFS,
    *COMMODITY_ETFS,
    *CRYPTO_ETFS,
    *REIT_ETFS,
    *YIELD_SYMBOLS,
    VIX_SYMBOL,
    "AAPL",
    "MSFT",
    "NVDA",
    "GOOGL",
    "AMZN",
    "META",
    "TSLA",
    "JPM",
    "XOM",
    "JNJ",
    "LLY",
    "BRK-B",
    "NEE",
    "PLD",
}


def test_the_universe_has_about_150_unique_symbols() -> None:
    symbols = universe_symbols()
    assert 140 <= len(symbols) <= 160
    assert len(set(symbols)) == len(symbols)


def test_every_required_symbol_is_present() -> None:
    assert REQUIRED - set(universe_symbols()) == set()


def test_the_group_constants_match_the_brief() -> None:
    assert sorted(SECTOR_ETFS.values()) == sorted(
        ["XLK", "XLF", "XLV", "XLY", "XLP", "XLE", "XLI", "XLU", "XLB", "XLRE", "XLC"]
    )
    assert set(SECTOR_ETFS) == set(GICS_SECTORS) and len(GICS_SECTORS) == 11
    assert YIELD_SYMBOLS == ("^IRX", "^FVX", "^TNX", "^TYX") and VIX_SYMBOL == "^VIX"


def test_every_gics_sector_has_at_least_four_stocks_and_the_big_three_more() -> None:
    uni = load_universe()
    counts = uni[uni["asset_class"] == "equity"]["sector"].value_counts()
    assert set(counts.index) == set(GICS_SECTORS)
    assert counts.min() >= 4
    assert min(counts["Information Technology"], counts["Financials"], counts["Health Care"]) >= 10
    assert counts.sum() >= 80


def test_sector_etfs_are_labelled_with_their_sector() -> None:
    uni = load_universe().set_index("symbol")
    for sector, etf in SECTOR_ETFS.items():
        assert uni.loc[etf, "sector"] == sector and uni.loc[etf, "asset_class"] == "etf"


def test_reference_data_is_valid() -> None:
    uni = load_universe()
    assert set(uni["asset_class"]) <= set(ASSET_CLASSES)
    assert uni["sector"].dropna().isin(GICS_SECTORS).all()
    priced = uni[uni["asset_class"] != "index"]
    assert (priced["market_cap"] > 0).all() and (priced["ref_price"] > 0).all()
    assert priced["dividend_yield"].between(0.0, 0.10).all()  # a fraction, not percent
    assert priced["idio_vol"].between(0.0, 0.40).all()
    stocks = uni[uni["asset_class"] == "equity"]
    assert stocks["sector"].notna().all() and stocks["beta"].between(0.4, 1.7).all()
    indices = uni[uni["asset_class"] == "index"]
    assert set(indices["symbol"]) == {*YIELD_SYMBOLS, VIX_SYMBOL}
    assert indices["sector"].isna().all()


def test_bonds_commodities_and_broad_etfs_have_no_sector() -> None:
    uni = load_universe().set_index("symbol")
    for symbol in (*BOND_ETFS, *COMMODITY_ETFS, *CRYPTO_ETFS, *BROAD_ETFS, *STYLE_ETFS):
        assert uni.loc[symbol, "sector"] is None, symbol


def test_load_universe_returns_a_fresh_copy() -> None:
    first = load_universe()
    first.loc[0, "name"] = "changed"
    assert load_universe().loc[0, "name"] != "changed"
    assert list(load_universe().columns) == [*PROFILE_COLUMNS, *SIMULATION_COLUMNS]


def test_profiles_carry_exactly_the_profile_columns() -> None:
    profiles = universe_profiles()
    assert list(profiles.columns) == list(PROFILE_COLUMNS)
    assert pd.api.types.is_float_dtype(profiles["market_cap"])


def test_every_universe_symbol_is_simulated(small_market) -> None:  # type: ignore[no-untyped-def]
    assert small_market.symbols == universe_symbols()
    assert small_market.close.iloc[-1].notna().all()  # every symbol is listed by the end (NaN only before inception)
