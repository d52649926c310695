"""The risk book: the open book of `PortfolioService.open_book` (valued there, once) on one asset axis.

Conventions: the asset axis is the priced symbol of every open position (the underlying for
options), unique, in book order. `linear` is the $ exposure of stock/ETF positions by symbol;
`delta` adds the options' dollar delta (DOMAIN: delta-adjusted exposure); `options` holds the
live (unexpired) options for full repricing, `underlying` indexing the asset axis. Expired
options are worth their intrinsic value and carry no risk. `returns` are the book's daily
time-weighted returns from its snapshots (end-of-day flows, `sigma.portfolio.history`). The
*pro forma* return Σ wᵢ rᵢ applies today's delta-adjusted weights (exposure / NAV) to stored
asset returns on the dates where every holding has one: the series volatility and factor
exposures are measured on, since the book's own snapshot history may be short.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import CALENDAR_DAYS
from sigma.errors import InsufficientHistory
from sigma.risk.book import OpenBook
from sigma.risk.option_book import OptionBook


@dataclass(frozen=True)
class RiskBook:
    """A portfolio's open book on the asset axis (see the module docstring)."""

    portfolio_id: int
    as_of: date
    source: str
    nav: float
    symbols: tuple[str, ...]
    linear: pd.Series
    delta: pd.Series
    options: OptionBook | None
    returns: pd.Series
    sectors: pd.Series  # symbol -> GICS sector (None when the profile has none)
    asset_classes: pd.Series  # symbol -> asset class
    position_exposures: pd.Series  # delta-adjusted $ exposure per open position (for concentration)

    @property
    def weights(self) -> pd.Series:
        """Delta-adjusted exposure / NAV by symbol."""
        return self.delta / self.nav


def _option_book(frame: pd.DataFrame, symbols: list[str], as_of: date, rate: float) -> OptionBook | None:
    """Live options of the open positions as an OptionBook on the asset axis (kind +1 call, −1 put)."""
    live = frame[frame["is_option"] & ~frame["expired"]]
    if live.empty:
        return None
    expiry = pd.to_datetime(live["expiry"]).to_numpy("datetime64[D]")
    days = (expiry - np.datetime64(as_of, "D")).astype(float)
    labels = [
        f"{s} {t} {k:g} {pd.Timestamp(e):%Y-%m-%d}"
        for s, t, k, e in zip(live["priced"], live["position_type"], live["strike"], live["expiry"], strict=True)
    ]
    return OptionBook(
        underlying=np.array([symbols.index(s) for s in live["priced"]], dtype=np.intp),
        spot=live["spot"].to_numpy(float),
        strike=live["strike"].to_numpy(float),
        t_years=days / CALENDAR_DAYS,
        rate=np.full(len(live), rate),
        vol=live["vol"].to_numpy(float),
        kind=np.where(live["position_type"].isin(("LC", "SC")), 1.0, -1.0),
        units=live["units"].to_numpy(float),
        dividend_yield=live["dividend_yield"].to_numpy(float),
        labels=tuple(labels),
    )


def _by_symbol(exposure: pd.Series, priced: pd.Series, symbols: list[str]) -> pd.Series:
    """$ exposure summed by priced symbol, on the asset axis (0 where none)."""
    return exposure.groupby(priced).sum().reindex(symbols).fillna(0.0).rename("exposure")


def risk_book(book: OpenBook) -> RiskBook:
    """The open book of `PortfolioService.open_book` on the asset axis (see the module docstring)."""
    frame = book.positions
    symbols = list(dict.fromkeys(frame["priced"]))
    stocks = frame[~frame["is_option"]]
    return RiskBook(
        portfolio_id=book.portfolio_id,
        as_of=book.as_of,
        source=book.source,
        nav=book.nav,
        symbols=tuple(symbols),
        linear=_by_symbol(stocks["exposure"], stocks["priced"], symbols),
        delta=_by_symbol(frame["exposure"], frame["priced"], symbols),
        options=_option_book(frame, symbols, book.as_of, book.rate),
        returns=book.returns,
        sectors=book.profiles["sector"].reindex(symbols),
        asset_classes=book.profiles["asset_class"].reindex(symbols),
        position_exposures=frame["exposure"].astype(float),
    )


PORTFOLIO = "Portfolio"
ADVICE = "Load more history: python -m jobs run market_data"


def pro_forma(asset_returns: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Σ wᵢ rᵢ with fixed weights on the dates where every weighted holding has a return."""
    held = weights[weights != 0]
    x = asset_returns.reindex(columns=held.index)
    x = x[np.isfinite(x.to_numpy(dtype=np.float64)).all(axis=1)]
    combined: pd.Series = (x @ held).rename(PORTFOLIO)
    return combined


def require_returns(series: pd.Series, n: int, what: str) -> None:
    """InsufficientHistory with advice when `series` has fewer than `n` returns."""
    have = len(series.dropna())
    if have < n:
        raise InsufficientHistory(f"{what} needs at least {n} daily returns; the portfolio has {have}. {ADVICE}")
