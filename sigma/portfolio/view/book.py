"""The open book: a portfolio's open positions valued at the latest price date (no I/O here).

Both the Portfolio KPIs and risk value the book through `latest_valuation`: the book is valued
at the last date of the close frame with the snapshot cash of that date (the current cash when
that day has no snapshot yet). `open_book` keeps the open positions with what risk needs to
reprice them (DOMAIN.md, "Positions and valuation").
"""

from __future__ import annotations

from datetime import date

from sigma.errors import InsufficientHistory
from sigma.portfolio.inputs import ViewData
from sigma.portfolio.valuation import OPTION_TYPES, Valuation, signed_units
from sigma.portfolio.view.kpis import book_returns, value_at_latest
from sigma.risk.book import OpenBook

EMPTY_BOOK = "Portfolio {pid} has no open positions: add one on the Portfolio page."
NON_POSITIVE_NAV = (
    "Portfolio {pid} is worth ${nav:,.0f} (NAV at or below zero): risk is measured as shares of NAV, so it "
    "cannot be computed; add cash or reduce the shorts and short options."
)


def cash_at(data: ViewData, as_of: date) -> float:
    """The snapshot cash of `as_of`, else the portfolio's current cash."""
    snaps = data.snapshots
    hit = snaps[snaps["date"] == as_of]
    return float(hit["cash"].iloc[-1]) if len(hit) else data.info.cash


def latest_valuation(data: ViewData) -> Valuation | None:
    """The whole book valued at the latest price date (None without positions or prices)."""
    if data.prices is None or data.positions.empty or data.prices.close.empty:
        return None
    as_of = data.prices.close.index.max().date()
    return value_at_latest(data.positions, data.prices, cash_at(data, as_of))


def open_book(data: ViewData) -> OpenBook:
    """The open positions of the loaded book (InsufficientHistory when none or NAV <= 0)."""
    return open_valued(data, latest_valuation(data))


def open_valued(data: ViewData, val: Valuation | None) -> OpenBook:
    """The open book from a valuation already made (InsufficientHistory when no open position or NAV <= 0)."""
    empty = InsufficientHistory(EMPTY_BOOK.format(pid=data.info.id))
    if val is None or data.prices is None:
        raise empty
    positions, prices = data.positions, data.prices
    frame = val.positions.assign(
        priced=positions["priced"].to_numpy(),
        units=signed_units(positions)[0],
        strike=positions["strike"].to_numpy(),
        expiry=positions["expiry"].to_numpy(),
        is_option=positions["position_type"].isin(OPTION_TYPES).to_numpy(),
    )
    frame = frame[frame["open"].to_numpy(bool)]
    if frame.empty:
        raise empty
    if not val.nav > 0:  # weights, VaR and stress are shares of NAV: undefined for a book worth nothing or less
        raise InsufficientHistory(NON_POSITIVE_NAV.format(pid=data.info.id, nav=val.nav))
    frame = frame.assign(
        dividend_yield=frame["priced"].map(prices.dividend_yields).astype(float).fillna(0.0),
        spot=frame["priced"].map(prices.close.ffill().iloc[-1]).astype(float),
    )
    columns = ["priced", "position_type", "units", "strike", "expiry", "is_option", "expired", "exposure"]
    return OpenBook(
        portfolio_id=data.info.id,
        name=data.info.name,
        benchmark=data.info.benchmark,
        as_of=val.as_of,
        source=str(data.status.source or ""),
        nav=float(val.nav),
        cash=val.cash,
        positions=frame[[*columns, "spot", "vol", "dividend_yield"]],
        rate=prices.latest_rate(),
        returns=book_returns(data.snapshots),
        profiles=prices.profiles.set_index("symbol"),
    )
