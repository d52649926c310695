"""Sector exposure with ETF look-through, sector tilts against the S&P 500, concentration, diversification.

Conventions: exposures are $ by position (shorts negative, options delta-adjusted); weights are
fractions and tilts are in percent points (pp). Reference weights are approximate GICS sector
weights as of `LOOK_THROUGH_AS_OF` (late 2025), each ETF's weights normalised to sum to exactly 1
(DOMAIN's S&P 500 figures sum to 98.2 %, so they are divided by 0.982). A broad or style ETF counts
in every sector by its weights; a sector SPDR (or VNQ) counts 100 % in its sector; a stock counts
in its profile sector. Positions without a GICS sector are reported by asset class
(`sigma.conventions.NON_EQUITY_LABELS`: "Bonds", "Commodities", "Crypto", "Cash", …) or as
"Non-equity". Concentration and diversification live in `sigma.risk.concentration`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import GICS_SECTORS, NON_EQUITY_LABELS, SECTOR_ETFS

LOOK_THROUGH_AS_OF = date(2025, 10, 31)
IT, FIN, HC, CD, CS, EN, IND, UT, MAT, RE, COM = GICS_SECTORS
NON_EQUITY = "Non-equity"

# Approximate weights in the order of GICS: IT, Fin, HC, Disc, Staples, Energy, Ind, Util, Mat, RE, Comm (percent).
_RAW: dict[str, tuple[float, ...]] = {
    "SPY": (34.0, 13.0, 9.0, 10.0, 5.0, 3.0, 8.0, 2.4, 1.8, 2.0, 10.0),
    "VTI": (32.0, 13.5, 9.5, 10.5, 4.8, 3.2, 9.5, 2.5, 2.2, 2.8, 9.5),
    "QQQ": (51.0, 0.5, 5.0, 13.0, 5.0, 0.5, 4.0, 1.2, 1.2, 0.2, 16.0),
    "DIA": (20.0, 26.0, 11.0, 14.0, 5.0, 2.0, 14.0, 0.5, 1.0, 0.0, 3.0),
    "IWM": (14.0, 17.0, 16.0, 10.0, 3.0, 5.0, 17.0, 3.0, 4.0, 6.0, 3.0),
    "ACWX": (13.0, 24.0, 8.0, 10.0, 6.0, 5.0, 14.0, 3.0, 6.0, 2.0, 6.0),
    "EFA": (8.0, 23.0, 11.0, 10.0, 8.0, 4.0, 19.0, 4.0, 6.0, 2.0, 5.0),
    "EEM": (25.0, 23.0, 3.0, 13.0, 4.0, 4.0, 7.0, 3.0, 6.0, 2.0, 10.0),
    "IWD": (10.0, 23.0, 13.0, 6.0, 7.0, 6.0, 13.0, 5.0, 4.0, 5.0, 5.0),
    "IWF": (50.0, 7.0, 6.0, 13.0, 3.0, 0.5, 5.0, 0.5, 0.5, 0.5, 13.0),
    "MTUM": (25.0, 20.0, 8.0, 8.0, 6.0, 2.0, 10.0, 5.0, 2.0, 2.0, 12.0),
    "QUAL": (33.0, 12.0, 10.0, 10.0, 7.0, 3.0, 9.0, 2.0, 2.0, 2.0, 10.0),
    "USMV": (27.0, 13.0, 14.0, 6.0, 9.0, 4.0, 8.0, 7.0, 2.0, 2.0, 8.0),
    "VLUE": (30.0, 13.0, 12.0, 10.0, 5.0, 4.0, 10.0, 2.0, 3.0, 2.0, 9.0),
}
_SECTOR_FUNDS = {**{etf: sector for sector, etf in SECTOR_ETFS.items()}, "VNQ": RE}


def _normalised(weights: tuple[float, ...]) -> dict[str, float]:
    total = sum(weights)
    return {sector: w / total for sector, w in zip(GICS_SECTORS, weights, strict=True) if w > 0}


LOOK_THROUGH: dict[str, dict[str, float]] = {
    **{symbol: _normalised(w) for symbol, w in _RAW.items()},
    **{symbol: {sector: 1.0} for symbol, sector in _SECTOR_FUNDS.items()},
}
SP500_SECTOR_WEIGHTS: dict[str, float] = LOOK_THROUGH["SPY"]


def holding_labels(sectors: pd.Series, asset_classes: pd.Series, missing: str = NON_EQUITY) -> pd.Series:
    """Sector per symbol, else its asset-class label (`NON_EQUITY_LABELS`), else `missing`."""
    labels = sectors.astype(object).where(sectors.notna() & (sectors != ""), asset_classes.map(NON_EQUITY_LABELS))
    return labels.fillna(missing)


def _bucket(symbol: str, sectors: Mapping[str, str], asset_classes: Mapping[str, str]) -> str:
    """The sector (or asset-class label) of a position that is not looked through."""
    sector = sectors.get(symbol) or ""
    if sector:
        return sector
    return NON_EQUITY_LABELS.get(asset_classes.get(symbol, ""), NON_EQUITY)


def sector_exposure(
    exposures: pd.Series,
    symbols: pd.Series | None,
    sectors: Mapping[str, str],
    look_through: Mapping[str, Mapping[str, float]] = LOOK_THROUGH,
    asset_classes: Mapping[str, str] | None = None,
    nav: float | None = None,
) -> pd.DataFrame:
    """$ exposure and weight per sector (or asset class), ETFs looked through; shorts count negative.

    `symbols` maps positions (the index of `exposures`) to symbols; None when the index already
    holds symbols. Weights are exposure / `nav`, or exposure / gross exposure when `nav` is None.
    """
    syms = exposures.index.to_series() if symbols is None else symbols.reindex(exposures.index)
    classes = asset_classes or {}
    table = {s: look_through.get(s) or {_bucket(s, sectors, classes): 1.0} for s in set(syms.astype(str))}
    matrix = pd.DataFrame.from_dict(table, orient="index").fillna(0.0)  # symbols x buckets
    by_symbol = exposures.groupby(syms.astype(str).to_numpy()).sum()
    exposure = matrix.loc[by_symbol.index].T @ by_symbol
    denominator = nav if nav is not None else float(np.abs(exposures).sum())
    out = pd.DataFrame({"exposure": exposure})
    out["weight"] = out["exposure"] / denominator if denominator else np.nan
    return out.sort_values("exposure", ascending=False)


def sector_vs_benchmark(
    exposure: pd.Series | pd.DataFrame, benchmark: Mapping[str, float] = SP500_SECTOR_WEIGHTS
) -> pd.DataFrame:
    """Equity-sleeve sector weights against a benchmark, in percent points (active = portfolio − benchmark).

    The sleeve is the 11 GICS sectors of `sector_exposure`'s output (non-equity rows dropped),
    weighted by exposure / net equity exposure; NaN weights when that is zero.
    """
    dollars = exposure["exposure"] if isinstance(exposure, pd.DataFrame) else exposure
    sleeve = dollars.reindex(GICS_SECTORS).fillna(0.0)
    net = float(sleeve.sum())
    portfolio = sleeve / net * 100.0 if net else sleeve * np.nan
    bench = pd.Series(benchmark, dtype=np.float64).reindex(GICS_SECTORS).fillna(0.0) * 100.0
    frame = pd.DataFrame({"portfolio_pp": portfolio, "benchmark_pp": bench})
    frame["active_pp"] = frame["portfolio_pp"] - frame["benchmark_pp"]
    return frame.sort_values("active_pp")
