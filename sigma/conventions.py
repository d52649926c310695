"""Conventions every module shares (see DOMAIN.md, "Conventions").

Daily data on business days; simple returns of adjusted close; fractions for percentages;
yields in percent points as quoted (4.25 = 4.25 %); every result carries `as_of` and `source`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

TRADING_DAYS: Final = 252
CALENDAR_DAYS: Final = 365
DEFAULT_BENCHMARK: Final = "SPY"
BASE_CURRENCY: Final = "USD"
OPTION_MULTIPLIER: Final = 100
TEN_YEAR_YIELD: Final = "^TNX"
THREE_MONTH_YIELD: Final = "^IRX"
VIX: Final = "^VIX"

WINDOWS: Final[dict[str, int | None]] = {"1W": 5, "1M": 21, "3M": 63, "6M": 126, "1Y": 252, "3Y": 756, "ALL": None}
"""Look-back windows every page and service offers, in trading days (None: all stored history)."""


class Source(StrEnum):
    """Where a price or result came from; shown next to every number."""

    LIVE = "live"
    SIMULATED = "simulated"
    CSV = "csv"


class OptionKind(StrEnum):
    """Call or put; `sign` is the w of the pricing formulas (+1 call, -1 put)."""

    CALL = "call"
    PUT = "put"

    @property
    def sign(self) -> int:
        """+1 for calls, -1 for puts."""
        return 1 if self is OptionKind.CALL else -1


class PositionType(StrEnum):
    """Position types. Quantity is stored positive; the type gives the sign."""

    LONG = "LONG"
    SHORT = "SHORT"
    LC = "LC"  # long call
    LP = "LP"  # long put
    SC = "SC"  # short call
    SP = "SP"  # short put

    @property
    def sign(self) -> int:
        """+1 for long positions, -1 for short ones."""
        return -1 if self in (PositionType.SHORT, PositionType.SC, PositionType.SP) else 1

    @property
    def is_option(self) -> bool:
        """True for the four option types."""
        return self not in (PositionType.LONG, PositionType.SHORT)

    @property
    def option_kind(self) -> OptionKind | None:
        """CALL or PUT for options, None for stocks and ETFs."""
        if self in (PositionType.LC, PositionType.SC):
            return OptionKind.CALL
        if self in (PositionType.LP, PositionType.SP):
            return OptionKind.PUT
        return None


class Role(StrEnum):
    """User roles."""

    ADMIN = "admin"
    ANALYST = "analyst"


GICS_SECTORS: Final[tuple[str, ...]] = (
    "Information Technology",
    "Financials",
    "Health Care",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Industrials",
    "Utilities",
    "Materials",
    "Real Estate",
    "Communication Services",
)
"""The 11 GICS sectors, in the order of the sector reference weights."""

SECTOR_ETFS: Final[dict[str, str]] = {
    "Information Technology": "XLK",
    "Financials": "XLF",
    "Health Care": "XLV",
    "Consumer Discretionary": "XLY",
    "Consumer Staples": "XLP",
    "Energy": "XLE",
    "Industrials": "XLI",
    "Utilities": "XLU",
    "Materials": "XLB",
    "Real Estate": "XLRE",
    "Communication Services": "XLC",
}
"""The Select Sector SPDR of each GICS sector."""

NON_EQUITY_LABELS: Final[dict[str, str]] = {
    "bond_etf": "Bonds",
    "commodity_etf": "Commodities",
    "crypto_etf": "Crypto",
    "cash_etf": "Cash",
    "etf": "Broad & style ETFs",
    "reit_etf": "Real Estate",
}
"""The label of a holding without a GICS sector, by asset class (sector and stress views alike)."""

DIVERSIFIED_FUND_CLASSES: Final[frozenset[str]] = frozenset({"bond_etf", "cash_etf"})
DIVERSIFIED_FUND_INDUSTRIES: Final[frozenset[str]] = frozenset(
    {"Broad Market ETF", "International ETF", "Style ETF", "Allocation ETF"}
)
"""Profiles of diversified index funds (by asset class, or by industry for equity ETFs): many
issuers in one holding, so the health score's largest-single-position test leaves them out."""
