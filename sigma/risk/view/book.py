"""Loading a portfolio for risk: its open positions valued at the latest price date, on one asset axis.

Conventions: the asset axis is the priced symbol of every open position (the underlying for
options), unique, in book order. `linear` is the $ exposure of stock/ETF positions by symbol;
`delta` adds the options' dollar delta (DOMAIN: delta-adjusted exposure); `options` holds the
live (unexpired) options for full repricing, `underlying` indexing the asset axis. Expired
options are worth their intrinsic value and carry no risk. `returns` are the book's daily
time-weighted returns from its snapshots (end-of-day flows, `sigma.portfolio.history`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.conventions import CALENDAR_DAYS
from sigma.errors import InsufficientHistory
from sigma.market.service import MarketService
from sigma.portfolio.model import PortfolioInfo
from sigma.portfolio.sql.view import load_view
from sigma.portfolio.valuation import OPTION_TYPES, signed_units
from sigma.portfolio.view.kpis import book_returns, value_at_latest
from sigma.risk.var import OptionBook

EMPTY_BOOK = "Portfolio {pid} has no open positions: add one on the Portfolio page."


@dataclass(frozen=True)
class Book:
    """A portfolio's open book on the asset axis (see the module docstring)."""

    info: PortfolioInfo
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
    """Live options of the valued frame as an OptionBook on the asset axis."""
    live = frame[frame["is_option"] & ~frame["expired"]]
    if live.empty:
        return None
    expiry = pd.to_datetime(live["expiry"]).to_numpy("datetime64[D]")
    days = (expiry - np.datetime64(as_of, "D")).astype(float)
    kind = np.where(live["position_type"].isin(("LC", "SC")), "call", "put")
    labels = [f"{s} {t} {k:g} {pd.Timestamp(e):%Y-%m-%d}" for s, t, k, e in
              zip(live["priced"], live["position_type"], live["strike"], live["expiry"], strict=True)]  # fmt: skip
    return OptionBook(
        underlying=np.array([symbols.index(s) for s in live["priced"]], dtype=np.intp),
        spot=live["spot"].to_numpy(float),
        strike=live["strike"].to_numpy(float),
        t_years=days / CALENDAR_DAYS,
        rate=np.full(len(live), rate),
        vol=live["vol"].to_numpy(float),
        kind=kind,
        units=live["units"].to_numpy(float),
        dividend_yield=live["dividend_yield"].to_numpy(float),
        labels=tuple(labels),
    )


def load_book(sessions: sessionmaker[Session], market: MarketService, user: AuthUser, pid: int) -> Book:
    """The user's portfolio `pid` valued at the latest price date (PermissionDenied if not theirs)."""
    data = load_view(sessions, market, user, pid, attribution_days=1)
    if data.prices is None or data.positions.empty or data.prices.close.empty:
        raise InsufficientHistory(EMPTY_BOOK.format(pid=pid))
    prices, positions = data.prices, data.positions
    as_of = prices.close.index.max().date()
    snaps = data.snapshots
    hit = snaps[snaps["date"] == as_of]
    cash = float(hit["cash"].iloc[-1]) if len(hit) else data.info.cash
    val = value_at_latest(positions, prices, cash)
    frame = val.positions.assign(priced=positions["priced"].to_numpy(), units=signed_units(positions)[0],
                                 strike=positions["strike"].to_numpy(), expiry=positions["expiry"].to_numpy(),
                                 is_option=positions["position_type"].isin(OPTION_TYPES).to_numpy())  # fmt: skip
    frame = frame[frame["open"].to_numpy(bool)]
    if frame.empty or not val.nav > 0:
        raise InsufficientHistory(EMPTY_BOOK.format(pid=pid))
    symbols = list(dict.fromkeys(frame["priced"]))
    frame = frame.assign(
        dividend_yield=frame["priced"].map(prices.dividend_yields).astype(float).fillna(0.0),
        spot=frame["priced"].map(prices.close.ffill().iloc[-1]).astype(float),
    )
    linear = frame[~frame["is_option"]].groupby("priced")["exposure"].sum().reindex(symbols).fillna(0.0)
    delta = frame.groupby("priced")["exposure"].sum().reindex(symbols).fillna(0.0)
    rate = prices.rate
    rate_now = float(rate.iloc[-1]) if isinstance(rate, pd.Series) and len(rate) else float(rate or 0.0)
    profiles = prices.profiles.set_index("symbol")
    return Book(
        info=data.info, as_of=as_of, source=str(data.status.source or ""), nav=float(val.nav),
        symbols=tuple(symbols), linear=linear.rename("exposure"), delta=delta.rename("exposure"),
        options=_option_book(frame, symbols, as_of, rate_now), returns=book_returns(snaps),
        sectors=profiles["sector"].reindex(symbols), asset_classes=profiles["asset_class"].reindex(symbols),
        position_exposures=frame["exposure"].astype(float),
    )  # fmt: skip
