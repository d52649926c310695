"""Loading what the Portfolio view needs, in a number of SQL statements that does not grow with the portfolio.

Statements on the warm path: the portfolio (1), positions with their targets (1), their tags (1),
the last price dates (1), the close frame (1, plus the store's version probe), the profiles (1),
the portfolio snapshots (1), the position snapshots of the attribution window (1), the market
status (1). When the stored snapshots stop before the latest price date, the cash flows (1) are
read too and the days not stored yet are computed in memory (`snapshots.unsaved`): a read
writes nothing; the jobs process stores them (`sql.snapshots.backfill`).
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.db.models import Position, PositionTag, Tag, TargetPrice
from sigma.errors import InsufficientHistory
from sigma.market.service import MarketService, MarketStatus
from sigma.portfolio.exposure import with_classes
from sigma.portfolio.inputs import BookRecord, PriceInputs, ViewData
from sigma.portfolio.model import PortfolioInfo
from sigma.portfolio.snapshots import (
    VOL_LEAD_CALENDAR_DAYS,
    UnsavedPositions,
    behind,
    unsaved,
    window_start,
    window_with_unsaved,
    with_unsaved,
)
from sigma.portfolio.sql.owned import info, owned_portfolio
from sigma.portfolio.sql.prices import load_prices
from sigma.portfolio.sql.records import POSITION_FIELDS, load_flows, typed_positions
from sigma.portfolio.sql.snapshots import load_snapshots, load_window
from sigma.portfolio.valuation import symbols_to_price

PRICE_HISTORY_CALENDAR_DAYS = 500  # prices for one-year vol medians, betas and the activity feed
TARGET_COLUMNS = ("target_eoy", "target_next_year", "downside")


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


def _prices(market: MarketService, positions: pd.DataFrame, benchmark: str, status: MarketStatus) -> PriceInputs:
    """Prices from before the first entry (for vols) or the history horizon, whichever is earlier."""
    horizon = (status.as_of or max(positions["entry_date"])) - timedelta(days=PRICE_HISTORY_CALENDAR_DAYS)
    start = min(min(positions["entry_date"]) - timedelta(days=VOL_LEAD_CALENDAR_DAYS), horizon)
    return load_prices(market, [*symbols_to_price(positions), benchmark], start)


def load_view(
    sessions: sessionmaker[Session], market: MarketService, user: AuthUser, pid: int, attribution_days: int
) -> ViewData:
    """Load the view's data for the user's portfolio `pid` (unsaved snapshot days computed in memory)."""
    with sessions() as session:
        portfolio = info(owned_portfolio(session, user, pid))
        positions = _positions(session, pid)
        snapshots = load_snapshots(session, pid)
    status = market.status()
    if positions.empty:
        return ViewData(portfolio, positions, None, snapshots, pd.DataFrame(), status, ())
    prices = _prices(market, positions, portfolio.benchmark, status)
    notes: tuple[str, ...] = ()
    extra: pd.DataFrame | UnsavedPositions = pd.DataFrame(columns=["date"])
    if behind(snapshots, positions, prices):
        try:
            snapshots, extra = _with_unsaved(sessions, portfolio, positions, snapshots, prices, status)
        except InsufficientHistory as exc:
            notes = (f"Snapshots could not be computed: {exc}",)
    first = window_start(snapshots, attribution_days)
    with sessions() as session:
        window = load_window(session, pid, first)
    window = window_with_unsaved(window, extra, first)
    return ViewData(portfolio, with_classes(positions, prices.profiles), prices, snapshots, window, status, notes)


def _with_unsaved(
    sessions: sessionmaker[Session],
    portfolio: PortfolioInfo,
    positions: pd.DataFrame,
    snapshots: pd.DataFrame,
    prices: PriceInputs,
    status: MarketStatus,
) -> tuple[pd.DataFrame, UnsavedPositions]:
    """(stored + unsaved daily snapshots, unsaved position snapshots)."""
    with sessions() as session:
        flows = load_flows(session, portfolio.id)
    record = BookRecord(positions[list(POSITION_FIELDS)], portfolio.cash, flows)
    days, rows = unsaved(record, prices, set(snapshots["date"]), str(status.source or "simulated"))
    return with_unsaved(snapshots, days), rows
