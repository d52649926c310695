"""Sigma's standard market frames and the provider protocol every provider satisfies.

Every provider translates its vendor's payload into one standard long frame, `BAR_COLUMNS`:
one row per (symbol, date) with open, high, low, close, adj_close (floats), volume (int or
NaN) and nothing else. Dates are `datetime.date`; `end` is inclusive. A symbol that fails is
reported in `FetchResult.errors` (failure as a value) and the rest still load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol, runtime_checkable

import pandas as pd

from sigma.conventions import Source

PRICE_FIELDS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close", "volume")
BAR_COLUMNS: tuple[str, ...] = ("symbol", "date", *PRICE_FIELDS)
PROFILE_COLUMNS: tuple[str, ...] = (
    "symbol",
    "name",
    "asset_class",
    "sector",
    "industry",
    "market_cap",
    "dividend_yield",
    "isin",  # ISO 6166, check digit validated (python-stdnum); None when the provider gives none
)


def empty_bars() -> pd.DataFrame:
    """A standard bars frame with no rows and the right columns."""
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in BAR_COLUMNS}).astype(
        {"symbol": "str", "date": "object"}
    )


@dataclass(frozen=True)
class FetchResult:
    """What a provider returned: clean bars, and a reason per symbol that failed."""

    bars: pd.DataFrame
    source: Source
    errors: Mapping[str, str] = field(default_factory=dict)
    warnings: Mapping[str, str] = field(default_factory=dict)

    def with_errors(self, errors: Mapping[str, str]) -> FetchResult:
        """The same result with the provider's own errors added (validation's reason wins on a clash)."""
        return replace(self, errors={**errors, **self.errors}, warnings=dict(self.warnings))


@runtime_checkable
class PriceProvider(Protocol):
    """Daily bars and security profiles for many symbols."""

    name: str  # "simulated" | "yfinance" | "csv" | "auto"

    @property
    def source(self) -> Source:
        """The label stored with every price this provider returns."""
        ...

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        """Daily bars for `symbols` from `start` to `end` inclusive, in the standard frame."""
        ...

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Security profiles (`PROFILE_COLUMNS`), one row per known symbol."""
        ...
