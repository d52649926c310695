"""The vendor's payload into Sigma's standard frames: long bars and profile rows.

Bars come from `yf.download(..., auto_adjust=False)`, so both Close (split-adjusted) and Adj
Close (split- and dividend-adjusted) exist. Dividend yields are fractions (0.005 = 0.5 %).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Final

import pandas as pd

from sigma.conventions import Source
from sigma.market.providers.yfinance.fetch import Info
from sigma.market.standard import BAR_COLUMNS, PROFILE_COLUMNS, FetchResult, empty_bars
from sigma.market.validate import validate_bars

_YF_COLUMNS: Final = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
_ASSET_CLASSES: Final = {
    "EQUITY": "equity",
    "ETF": "etf",
    "MUTUALFUND": "fund",
    "INDEX": "index",
    "CRYPTOCURRENCY": "crypto",
    "CURRENCY": "fx",
    "FUTURE": "future",
}


def to_long(wide: pd.DataFrame | None, batch: Sequence[str]) -> pd.DataFrame:
    """yfinance's wide frame (columns ('Price', 'Ticker') or flat for one ticker) as a long bars frame."""
    if wide is None or wide.empty:
        return empty_bars()
    frame = wide.copy()
    if not isinstance(frame.columns, pd.MultiIndex):
        frame.columns = pd.MultiIndex.from_product([frame.columns, [batch[0]]], names=["Price", "Ticker"])
    elif frame.columns.names[0] == "Ticker":
        frame.columns = frame.columns.swaplevel(0, 1)
    long = pd.DataFrame(frame.stack(level=1)).rename(columns=_YF_COLUMNS)
    long.index = long.index.set_names(["date", "symbol"])
    long = long.reset_index()
    if "adj_close" not in long.columns:
        long["adj_close"] = long["close"]
    long = long.reindex(columns=list(BAR_COLUMNS))
    # download reindexes every ticker to the union of dates: rows with no price at all are absent data
    return long.dropna(how="all", subset=["open", "high", "low", "close", "adj_close"])


def bars_result(frames: Sequence[pd.DataFrame], start: date, end: date, errors: Mapping[str, str]) -> FetchResult:
    """The validated bars inside [start, end] (yfinance may send more) and the per-symbol errors."""
    bars = pd.concat([f for f in frames if not f.empty] or [empty_bars()], ignore_index=True)
    in_window = pd.to_datetime(bars["date"]).between(pd.Timestamp(start), pd.Timestamp(end))
    return validate_bars(bars[in_window], Source.LIVE).with_errors(errors)


def profile_row(symbol: str, info: Info) -> dict[str, object]:
    """One PROFILE_COLUMNS row from a Ticker.info dict (dividend yield as a fraction, never `dividendYield`)."""
    price = info.get("regularMarketPrice") or info.get("currentPrice") or info.get("previousClose")
    dividend_yield = info.get("trailingAnnualDividendYield")
    if dividend_yield is None and info.get("dividendRate") and price:
        dividend_yield = float(info["dividendRate"]) / float(price)
    quote_type = str(info.get("quoteType") or "").upper()
    return {
        "symbol": symbol,
        "name": info.get("longName") or info.get("shortName") or symbol,
        "asset_class": _ASSET_CLASSES.get(quote_type, quote_type.lower() or "unknown"),
        "sector": info.get("sector"),
        "industry": info.get("industry"),
        "market_cap": info.get("marketCap"),
        "dividend_yield": dividend_yield,
    }


def profiles_frame(infos: Mapping[str, Info]) -> pd.DataFrame:
    """PROFILE_COLUMNS rows of the symbols Yahoo knows (a quote type or a name in their info)."""
    rows = [
        profile_row(symbol, info)
        for symbol, info in infos.items()
        if info.get("quoteType") or info.get("longName") or info.get("shortName")
    ]
    return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
