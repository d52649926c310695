"""Snapshot backfill: daily portfolio and position snapshots from the stored prices.

Conventions (see `sigma.portfolio.history` for the valuation grid):

- The grid is every price date from the portfolio's earliest entry date to the latest stored
  price; `backfill` computes the whole grid (vectorised) and writes only the days that have no
  portfolio snapshot, so a second run writes nothing. Writes that change the book delete the
  snapshots from the changed date on (`repo_common.invalidate_snapshots`).
- Cash on date d = current cash − Σ cash flows dated after d (flows are end-of-day).
- `flows` (what the time-weighted return nets out) = deposits and withdrawals, plus the cost of
  positions entered that day (signed units × entry price), minus the proceeds of positions
  exited that day (signed units × exit price): positions are recorded without moving cash, so
  an entry brings its cost into the book and an exit takes its proceeds out. Dividends are
  income, not flows. A flow on a non-trading day is booked on the next grid day.
- The rate is ^IRX as a continuous rate (`valuation.rate_from_yield`) when stored, else 0;
  dividend yields (fractions) come from the stored profiles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sigma.conventions import THREE_MONTH_YIELD
from sigma.db import session_scope, with_lock_retry
from sigma.db.models import CashFlow, Portfolio, PortfolioSnapshot
from sigma.db.upsert import upsert_frame
from sigma.errors import InsufficientHistory
from sigma.market.service import MarketService
from sigma.portfolio.history import NAV_COLUMNS, nav_history, position_snapshots
from sigma.portfolio.sql.common import positions_frame
from sigma.portfolio.valuation import OPTION_TYPES, signed_units

VOL_LEAD_DAYS = 60  # calendar days of prices before the first entry, for the 30-day vol of underlyings
SNAPSHOT_COLUMNS = ("date", *NAV_COLUMNS, "flows", "source")


@dataclass(frozen=True)
class PriceInputs:
    """Prices a book needs, loaded in a bounded number of queries."""

    close: pd.DataFrame  # dates × symbols, adjusted close (DatetimeIndex)
    last_dates: dict[str, date]  # latest stored price date per symbol
    rate: pd.Series | float  # continuous rate by date
    dividend_yields: pd.Series  # fraction by symbol
    profiles: pd.DataFrame


@dataclass(frozen=True)
class BackfillResult:
    """What one backfill wrote."""

    portfolio_id: int
    days_written: int
    position_rows: int
    note: str | None = None


def priced_symbols(book: pd.DataFrame) -> list[str]:
    """The symbol each position is priced from (the underlying for options), unique, in book order."""
    is_option = book["position_type"].isin(OPTION_TYPES)
    return list(dict.fromkeys(book["symbol"].where(~is_option, book["underlying"]).dropna()))


def load_prices(market: MarketService, symbols: Sequence[str], start: date | None) -> PriceInputs:
    """Close frame (+ ^IRX when stored), last price dates and profiles: three queries whatever the size."""
    wanted = list(dict.fromkeys([*symbols, THREE_MONTH_YIELD]))
    last = market.store.last_dates(wanted)
    stored = [s for s in wanted if s in last]
    close = market.close_frame(stored, start=start) if stored else pd.DataFrame(index=pd.DatetimeIndex([]))
    profiles = market.profiles(list(symbols))
    dividends = profiles.set_index("symbol")["dividend_yield"].astype(float).fillna(0.0)
    rate: pd.Series | float = 0.0
    if THREE_MONTH_YIELD in close.columns:
        rate = np.log1p(close[THREE_MONTH_YIELD].dropna() / 100.0)
    return PriceInputs(close, last, rate, dividends, profiles)


def _cash_series(cash_now: float, flows: pd.DataFrame, start: date) -> pd.Series:
    """Cash balance by date: cash_now − Σ flows dated after each date (a point before `start` too)."""
    by_day = flows.groupby("date")["amount"].sum().sort_index() if len(flows) else pd.Series(dtype=float)
    after = by_day[::-1].cumsum()[::-1].shift(-1, fill_value=0.0)
    first = min([start, *by_day.index]) - timedelta(days=1)
    series = pd.concat([pd.Series({first: cash_now - float(by_day.sum())}), cash_now - after])
    return series.set_axis(pd.to_datetime(series.index))


def _grid_flows(book: pd.DataFrame, flows: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """External flows per grid day: deposits/withdrawals + entry costs − exit proceeds."""
    units, _ = signed_units(book)
    external = flows[flows["kind"] != "dividend"] if len(flows) else flows
    dates = [pd.to_datetime(external["date"]), pd.to_datetime(book["entry_date"]), pd.to_datetime(book["exit_date"])]
    amounts = [
        external["amount"].to_numpy(float),
        units * book["entry_price"].to_numpy(float),
        -units * book["exit_price"].to_numpy(float),
    ]
    when = np.concatenate([d.to_numpy("datetime64[ns]") for d in dates])
    amount = np.concatenate(amounts)
    row = np.searchsorted(days.to_numpy("datetime64[ns]"), when)  # first grid day on or after; NaT sorts last
    keep = (row < len(days)) & ~np.isnan(amount)
    return np.bincount(row[keep], weights=amount[keep], minlength=len(days))


def compute(
    book: pd.DataFrame, cash_now: float, flows: pd.DataFrame, prices: PriceInputs
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(daily portfolio snapshots, long position snapshots) over the whole grid; days without prices dropped."""
    start = min(book["entry_date"])
    cash = _cash_series(cash_now, flows, start)
    kwargs = {"rate": prices.rate, "dividend_yields": prices.dividend_yields}
    nav = nav_history(book, prices.close, cash, **kwargs)  # type: ignore[arg-type]
    nav["flows"] = _grid_flows(book, flows, pd.DatetimeIndex(pd.to_datetime(nav.index)))
    nav = nav[np.isfinite(nav["nav"].to_numpy(float))]
    positions = position_snapshots(book, prices.close, **kwargs)  # type: ignore[arg-type]
    positions = positions[np.isfinite(positions["price"].to_numpy(float)) & positions["date"].isin(nav.index)]
    return nav, positions


def load_snapshots(session: Session, pid: int) -> pd.DataFrame:
    """The portfolio's daily snapshots, oldest first (one query)."""
    cols = [getattr(PortfolioSnapshot, c) for c in SNAPSHOT_COLUMNS]
    stmt = select(*cols).where(PortfolioSnapshot.portfolio_id == pid).order_by(PortfolioSnapshot.date)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=list(SNAPSHOT_COLUMNS))
    return frame.astype({c: "float64" for c in (*NAV_COLUMNS, "flows")})


def _load_book(session: Session, pid: int) -> tuple[pd.DataFrame, float, pd.DataFrame, set[date]]:
    cash = session.scalar(select(Portfolio.cash).where(Portfolio.id == pid)) or 0.0
    flows = pd.DataFrame(
        session.execute(
            select(CashFlow.date, CashFlow.kind, CashFlow.amount).where(CashFlow.portfolio_id == pid)
        ).all(),
        columns=["date", "kind", "amount"],
    )
    have = set(session.scalars(select(PortfolioSnapshot.date).where(PortfolioSnapshot.portfolio_id == pid)))
    return positions_frame(session, pid), float(cash), flows.astype({"amount": "float64"}), have


def backfill(
    sessions: sessionmaker[Session], market: MarketService, pid: int, prices: PriceInputs | None = None
) -> BackfillResult:
    """Write the missing daily snapshots of portfolio `pid` (idempotent: a second run writes nothing)."""
    with sessions() as session:
        book, cash, flows, have = _load_book(session, pid)
    if book.empty:
        return BackfillResult(pid, 0, 0, "no positions yet")
    if prices is None:
        prices = load_prices(market, priced_symbols(book), min(book["entry_date"]) - timedelta(days=VOL_LEAD_DAYS))
    try:
        nav, positions = compute(book, cash, flows, prices)
    except InsufficientHistory as exc:
        return BackfillResult(pid, 0, 0, str(exc))
    missing = nav.index[~nav.index.isin(list(have))]
    if missing.empty:
        return BackfillResult(pid, 0, 0)
    _as_of, source = market.store.as_of()
    day_rows = nav.loc[missing].reset_index().assign(portfolio_id=pid, source=source or "simulated")
    pos_rows = positions[positions["date"].isin(missing)].assign(portfolio_id=pid)

    def work() -> None:
        with session_scope(sessions) as session:
            upsert_frame(session, "portfolio_snapshots", day_rows, ("portfolio_id", "date"))
            upsert_frame(session, "position_snapshots", pos_rows, ("position_id", "date"))

    with_lock_retry(work)
    return BackfillResult(pid, len(day_rows), len(pos_rows))
