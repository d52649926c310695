"""The open book: what the portfolio package hands to risk (valued once, by `PortfolioService.open_book`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

import pandas as pd

from sigma.auth.model import AuthUser


@dataclass(frozen=True)
class OpenBook:
    """A portfolio's open positions valued at the latest price date: the one valuation of the open book.

    Built by `PortfolioService.open_book` (portfolio values it once); every portfolio-level risk
    measure starts from it. Defined here, below the portfolio package, so risk never imports it.

    `positions` has one row per open position, indexed by position id, with the columns `priced`
    (the symbol whose price values it: the underlying for options), `position_type`, `units`
    (signed, × multiplier), `strike` (NaN for stocks), `expiry` (date or NaT), `is_option`,
    `expired`, `exposure` ($, delta-adjusted), `spot`, `vol` and `dividend_yield`. `rate` is the
    continuous rate at `as_of` (0.0 when no yield is stored); `returns` the book's daily
    time-weighted returns from its snapshots; `profiles` the stored profiles by symbol.
    """

    portfolio_id: int
    name: str
    benchmark: str
    as_of: date
    source: str
    nav: float
    cash: float
    positions: pd.DataFrame
    rate: float
    returns: pd.Series
    profiles: pd.DataFrame


class OpenBooks(Protocol):
    """What the risk service needs of the portfolio service (`sigma.wiring` passes `PortfolioService`)."""

    def open_book(self, user: AuthUser, pid: int) -> OpenBook:
        """The user's portfolio `pid` valued at the latest price date (PermissionDenied if not theirs)."""
        ...

    def get_portfolio(self, user: AuthUser, pid: int) -> object:
        """The user's portfolio `pid` (PermissionDenied if not theirs)."""
        ...
