"""The reference universe: profiles of the ~150 symbols the simulated market carries.

Profiles ship as `sigma/market/data/universe.csv` (approximate late-2025 reference data):
`PROFILE_COLUMNS` plus the simulation columns, `ref_price` (the price the simulated close is
anchored to on `ANCHOR_DATE` in sigma.market.simulated.calendar, 2025-10-31: rounded Yahoo
Finance closes of that day; for the VIX and the yields their level that day), `beta` (loading on
the market factor), `idio_vol` (annualised stock-specific volatility, a fraction) and
`inception` (the first day the symbol has a price: fund inception dates from the issuers' fact
sheets, IPO or spin-off dates for stocks; NaT when before the simulation origin 2005-01-03).

Conventions: `dividend_yield` is a fraction (0.025 = 2.5 %); `market_cap` is in USD (assets
under management for ETFs; empty for indices); `sector` is one of the 11 GICS sector names, or
empty for ETFs that are not a sector; `asset_class` is one of `ASSET_CLASSES`. Yields and the
VIX (`asset_class == "index"`) are levels in percent points, not prices. `isin` is the
ISO 6166 code of the listed share class (empty for indices and symbols without one); every
code is checked with python-stdnum when the file is read.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Final

import pandas as pd
from stdnum import isin as iso6166

from sigma.conventions import GICS_SECTORS as GICS_SECTORS  # re-exported
from sigma.conventions import SECTOR_ETFS as SECTOR_ETFS  # re-exported
from sigma.market.standard import PROFILE_COLUMNS

BROAD_ETFS: Final[tuple[str, ...]] = ("SPY", "QQQ", "IWM", "DIA", "VTI", "EFA", "EEM", "ACWX")
STYLE_ETFS: Final[tuple[str, ...]] = ("IWD", "IWF", "MTUM", "QUAL", "USMV", "VLUE")
TREASURY_ETFS: Final[tuple[str, ...]] = ("BIL", "SHY", "IEI", "IEF", "TLT")  # along the curve, short to long
BOND_ETFS: Final[tuple[str, ...]] = (*TREASURY_ETFS, "AGG", "LQD", "HYG", "TIP")
CASH_ETFS: Final[tuple[str, ...]] = ("SGOV", "BIL")
COMMODITY_ETFS: Final[tuple[str, ...]] = ("GLD", "SLV", "USO", "DBC")
CRYPTO_ETFS: Final[tuple[str, ...]] = ("IBIT", "ETHA")
REIT_ETFS: Final[tuple[str, ...]] = ("VNQ",)
ALLOCATION_ETFS: Final[tuple[str, ...]] = ("AOR",)  # multi-asset: ~60 % equity, ~40 % aggregate bonds
YIELD_SYMBOLS: Final[tuple[str, ...]] = ("^IRX", "^FVX", "^TNX", "^TYX")  # 3-month, 5-, 10-, 30-year
YIELD_TENORS: Final[dict[str, float]] = {"^IRX": 0.25, "^FVX": 5.0, "^TNX": 10.0, "^TYX": 30.0}  # years
VIX_SYMBOL: Final = "^VIX"
ASSET_CLASSES: Final[tuple[str, ...]] = (
    "equity",
    "etf",
    "bond_etf",
    "commodity_etf",
    "crypto_etf",
    "reit_etf",
    "cash_etf",
    "index",
)
SIMULATION_COLUMNS: Final[tuple[str, ...]] = ("ref_price", "beta", "idio_vol", "inception")

_TEXT_COLUMNS = ("symbol", "name", "asset_class", "sector", "industry", "isin")
_NUMBER_COLUMNS = ("market_cap", "dividend_yield", "ref_price", "beta", "idio_vol")


@functools.cache
def _read_universe() -> pd.DataFrame:
    with resources.files("sigma.market").joinpath("data/universe.csv").open("r", encoding="utf-8") as fh:
        raw = pd.read_csv(fh, dtype=str, keep_default_na=False)
    frame = pd.DataFrame({c: raw[c].astype(object) for c in _TEXT_COLUMNS})
    for col in ("sector", "isin"):
        frame[col] = frame[col].where(frame[col] != "", None)
    pairs = zip(frame["symbol"], frame["isin"], strict=True)
    wrong = [f"{symbol} {code}" for symbol, code in pairs if code and not iso6166.is_valid(code)]
    if wrong:
        raise ValueError(f"universe.csv: ISINs with a wrong check digit: {', '.join(wrong)}")
    for col in _NUMBER_COLUMNS:
        frame[col] = pd.to_numeric(raw[col].replace("", None), errors="raise").astype("float64")
    frame["inception"] = pd.to_datetime(raw["inception"].replace("", None), format="%Y-%m-%d")
    return frame.loc[:, [*PROFILE_COLUMNS, *SIMULATION_COLUMNS]]


def load_universe() -> pd.DataFrame:
    """The universe, one row per symbol in file order: `PROFILE_COLUMNS` + `SIMULATION_COLUMNS`.

    A fresh copy each call (the file is read once); empty sectors are None, missing numbers NaN,
    missing inception dates NaT.
    """
    return _read_universe().copy()


def universe_symbols() -> list[str]:
    """Every symbol of the universe, in file order."""
    return _read_universe()["symbol"].tolist()


def universe_profiles() -> pd.DataFrame:
    """The universe restricted to `PROFILE_COLUMNS`, indexed 0..n-1."""
    return _read_universe().loc[:, list(PROFILE_COLUMNS)].copy()
