"""Loading what the Portfolio view needs, in a number of SQL statements that does not grow with the book.

Statements on the warm path: the portfolio (1), positions with their targets (1), their tags (1),
the last price dates (1), the close frame (1, plus the store's version probe), the profiles (1),
the portfolio snapshots (1), the position snapshots of the attribution window (1), the market
status (1). When the snapshots are missing or behind the latest price date, the backfill runs
first (its own bounded statements) and the snapshots are read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.db.models import Position, PositionSnapshot, PositionTag, Tag, TargetPrice
from sigma.market.service import MarketService, MarketStatus
from sigma.portfolio.model import PortfolioInfo
from sigma.portfolio.snapshots import (
    VOL_LEAD_DAYS,
    PriceInputs,
    backfill,
    load_prices,
    load_snapshots,
    priced_symbols,
)
from sigma.portfolio.sql.common import POSITION_FIELDS, info, owned_portfolio, typed_positions
from sigma.portfolio.valuation import OPTION_TYPES

HISTORY_DAYS = 500  # calendar days of prices for one-year vol medians, betas and the activity feed
TARGET_COLUMNS = ("target_eoy", "target_next_year", "downside")


@dataclass(frozen=True)
class ViewData:
    """Everything `repo_view_calc.build_view` computes from."""

    info: PortfolioInfo
    positions: pd.DataFrame  # POSITION_FIELDS + targets + tags (list) + priced + sector + asset_class
    prices: PriceInputs | None  # None when the book has no positions
    snapshots: pd.DataFrame
    window: pd.DataFrame  # position_id, date, unrealized_pnl over the attribution window
    status: MarketStatus
    notes: tuple[str, ...]


def _positions(session: Session, pid: int) -> pd.DataFrame:
    """Positions left-joined with their targets (one query) and their tag names (one query)."""
    cols = [getattr(Position, c) for c in POSITION_FIELDS] + [getattr(TargetPrice, c) for c in TARGET_COLUMNS]
    cols.append(TargetPrice.note)
    stmt = select(*cols).outerjoin(TargetPrice, TargetPrice.position_id == Position.id)
    rows = session.execute(stmt.where(Position.portfolio_id == pid).order_by(Position.id)).all()
    frame = typed_positions(pd.DataFrame(rows, columns=[*POSITION_FIELDS, *TARGET_COLUMNS, "target_note"]))
    frame["target_note"] = frame["target_note"].astype(object).where(frame["target_note"].notna(), "")
    frame = frame.astype({c: "float64" for c in TARGET_COLUMNS})
    tag_rows = session.execute(
        select(PositionTag.position_id, Tag.name)
        .join(Tag, Tag.id == PositionTag.tag_id)
        .join(Position, Position.id == PositionTag.position_id)
        .where(Position.portfolio_id == pid)
        .order_by(Tag.name)
    ).all()
    names = pd.DataFrame(tag_rows, columns=["id", "tag"]).groupby("id")["tag"].agg(list)
    frame["tags"] = [list(names.get(i, [])) for i in frame["id"]]  # one small list per position
    return frame


def _window(session: Session, pid: int, snapshots: pd.DataFrame, days: int) -> pd.DataFrame:
    """Position snapshots (position_id, date, unrealized_pnl) from the start of the attribution window."""
    columns = ["position_id", "date", "unrealized_pnl"]
    if snapshots.empty:
        return pd.DataFrame(columns=columns)
    first = snapshots["date"].iloc[max(0, len(snapshots) - 1 - days)]
    stmt = select(PositionSnapshot.position_id, PositionSnapshot.date, PositionSnapshot.unrealized_pnl).where(
        PositionSnapshot.portfolio_id == pid, PositionSnapshot.date >= first
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=columns).astype({"unrealized_pnl": "float64"})


def _enrich(positions: pd.DataFrame, prices: PriceInputs) -> pd.DataFrame:
    """Add the priced symbol and its sector and asset class (from the profiles)."""
    profiles = prices.profiles.set_index("symbol")
    priced = positions["underlying"].where(positions["position_type"].isin(OPTION_TYPES))
    priced = priced.fillna(positions["symbol"])
    return positions.assign(
        priced=priced,
        sector=priced.map(profiles["sector"]) if len(profiles) else None,
        asset_class=priced.map(profiles["asset_class"]) if len(profiles) else None,
    )


def _behind(snapshots: pd.DataFrame, positions: pd.DataFrame, prices: PriceInputs) -> bool:
    """True when there are open-or-closed positions and the snapshots stop before the latest price date."""
    if prices.close.empty:
        return False
    last = prices.close.index.max().date()
    first_entry = min(positions["entry_date"])
    return first_entry <= last and (snapshots.empty or snapshots["date"].iloc[-1] < last)


def load_view(
    sessions: sessionmaker[Session], market: MarketService, user: AuthUser, pid: int, attribution_days: int
) -> ViewData:
    """Load the view's data for the user's portfolio `pid` (backfilling snapshots when behind)."""
    notes: list[str] = []
    with sessions() as session:
        book = info(owned_portfolio(session, user, pid))
        positions = _positions(session, pid)
        snapshots = load_snapshots(session, pid)
    status = market.status()
    if positions.empty:
        return ViewData(book, positions, None, snapshots, pd.DataFrame(), status, ())
    horizon = (status.as_of or max(positions["entry_date"])) - timedelta(days=HISTORY_DAYS)
    start = min(min(positions["entry_date"]) - timedelta(days=VOL_LEAD_DAYS), horizon)
    prices = load_prices(market, [*priced_symbols(positions), book.benchmark], start)
    if _behind(snapshots, positions, prices):
        result = backfill(sessions, market, pid, prices)
        notes.append(
            f"Snapshots backfilled: {result.days_written} day(s) written."
            if result.days_written
            else f"Snapshots could not be backfilled: {result.note}"
            if result.note
            else ""
        )
        with sessions() as session:
            snapshots = load_snapshots(session, pid)
    with sessions() as session:
        window = _window(session, pid, snapshots, attribution_days)
    return ViewData(book, _enrich(positions, prices), prices, snapshots, window, status, tuple(n for n in notes if n))


def last_date(prices: PriceInputs, fallback: date) -> date:
    """The latest price date of the close frame (fallback when empty)."""
    return prices.close.index.max().date() if not prices.close.empty else fallback
