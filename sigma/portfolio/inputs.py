"""What a book is valued from: its prices, its stored record, and everything a page read loads.

Loaded by `sql/` (bounded queries) and consumed by the pure modules and `view/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sigma.market.service import MarketStatus
from sigma.portfolio.model import PortfolioInfo
from sigma.settings import VolSurfaceParams

# A position as stored, open or closed: what a book's snapshots and views are computed from.
POSITION_FIELDS = (
    "id",
    "portfolio_id",
    "symbol",
    "position_type",
    "quantity",
    "entry_price",
    "entry_date",
    "underlying",
    "strike",
    "expiry",
    "multiplier",
    "exit_date",
    "exit_price",
    "notes",
)


@dataclass(frozen=True)
class PriceInputs:
    """Prices a book needs, loaded in a bounded number of queries."""

    close: pd.DataFrame  # dates × symbols, adjusted close (DatetimeIndex)
    last_dates: dict[str, date]  # latest stored price date per symbol
    rate: pd.Series | float  # continuous rate by date
    dividend_yields: pd.Series  # fraction by symbol
    profiles: pd.DataFrame
    surface: VolSurfaceParams = field(default_factory=VolSurfaceParams)  # the option vol surface's settings

    def latest_rate(self) -> float:
        """The continuous rate at the last date (0.0 when no yield is stored)."""
        rate = self.rate
        return float(rate.iloc[-1]) if isinstance(rate, pd.Series) and len(rate) else float(rate or 0.0)


@dataclass(frozen=True)
class BookRecord:
    """What a portfolio's snapshots are computed from: every position, the cash now and the cash flows."""

    positions: pd.DataFrame  # POSITION_FIELDS (open and closed)
    cash: float
    flows: pd.DataFrame  # date, kind, amount


@dataclass(frozen=True)
class ViewData:
    """Everything the Portfolio view and the open book are computed from."""

    info: PortfolioInfo
    positions: pd.DataFrame  # POSITION_FIELDS + targets + tags (list) + priced + sector + asset_class
    prices: PriceInputs | None  # None when the book has no positions
    snapshots: pd.DataFrame
    window: pd.DataFrame  # position_id, date, unrealized_pnl over the attribution window
    status: MarketStatus
    notes: tuple[str, ...]
    flows: pd.DataFrame | None = None  # date, kind, amount (signed) of every cash flow; None when not loaded
