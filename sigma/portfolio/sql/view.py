"""Loading what the Portfolio view needs, in a number of SQL statements that does not grow with the portfolio.

Statements on the warm path: the portfolio (1), positions with their targets (1), their tags (1),
the cash flows (1: the income view, the money-weighted return and the unsaved days), the last
price dates (1), the close frame (1, plus the store's version probe), the profiles (1), the
portfolio snapshots (1), the market status (1). The attribution window's positions are valued on
its first and last day from those prices (`snapshots.window_rows`). When the stored snapshots
stop before the latest price date, the days not stored yet are computed in memory
(`snapshots.unsaved`): a read writes nothing; the jobs process stores them
(`sql.snapshots.backfill`). The batch loads many books at once with the same pieces
(`sql.bulk`): `positions_where` takes any filter on the positions, `price_start` and `assemble`
are pure.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.db.models import Position, PositionTag, Tag, TargetPrice
from sigma.errors import InsufficientHistory, UnknownSymbol
from sigma.market.service import MarketService, MarketStatus
from sigma.portfolio.exposure import with_classes
from sigma.portfolio.inputs import POSITION_FIELDS, BookRecord, PriceInputs, ViewData
from sigma.portfolio.model import PortfolioInfo
from sigma.portfolio.snapshots import (
    VOL_LEAD_CALENDAR_DAYS,
    behind,
    unsaved,
    window_rows,
    with_unsaved,
)
from sigma.portfolio.sql.owned import info, owned_portfolio
from sigma.portfolio.sql.prices import load_prices
from sigma.portfolio.sql.records import load_flows, typed_positions
from sigma.portfolio.sql.snapshots import load_snapshots
from sigma.portfolio.valuation import symbols_to_price

PRICE_HISTORY_CALENDAR_DAYS = 500  # prices for one-year vol medians, betas and the activity feed
TARGET_COLUMNS = ("target_eoy", "target_next_year", "downside")


def positions_where(session: Session, which: ColumnElement[bool]) -> pd.DataFrame:
    """Positions matching `which` left-joined with their targets (one query) and their tag names (one query),
    in position id order."""
    cols = [getattr(Position, c) for c in POSITION_FIELDS] + [getattr(TargetPrice, c) for c in TARGET_COLUMNS]
    cols.append(TargetPrice.note)
    stmt = select(*cols).outerjoin(TargetPrice, TargetPrice.position_id == Position.id)
    rows = session.execute(stmt.where(which).order_by(Position.id)).all()
    frame = typed_positions(pd.DataFrame(rows, columns=[*POSITION_FIELDS, *TARGET_COLUMNS, "target_note"]))
    frame["target_note"] = frame["target_note"].astype(object).where(frame["target_note"].notna(), "")
    frame = frame.astype({c: "float64" for c in TARGET_COLUMNS})
    tag_rows = session.execute(
        select(PositionTag.position_id, Tag.name)
        .join(Tag, Tag.id == PositionTag.tag_id)
        .join(Position, Position.id == PositionTag.position_id)
        .where(which)
        .order_by(Tag.name)
    ).all()
    names = pd.DataFrame(tag_rows, columns=["id", "tag"]).groupby("id")["tag"].agg(list)
    frame["tags"] = [list(names.get(i, [])) for i in frame["id"]]  # one small list per position
    return frame


def price_start(positions: pd.DataFrame, status: MarketStatus) -> date:
    """Prices from before the first entry (for vols) or the history horizon, whichever is earlier."""
    horizon = (status.as_of or max(positions["entry_date"])) - timedelta(days=PRICE_HISTORY_CALENDAR_DAYS)
    start: date = min(min(positions["entry_date"]) - timedelta(days=VOL_LEAD_CALENDAR_DAYS), horizon)
    return start


def price_symbols(positions: pd.DataFrame, benchmark: str) -> list[str]:
    """The symbols a book's prices are loaded for: what values its positions, and its benchmark."""
    return [*symbols_to_price(positions), benchmark]


def assemble(
    portfolio: PortfolioInfo,
    positions: pd.DataFrame,
    snapshots: pd.DataFrame,
    flows: pd.DataFrame,
    status: MarketStatus,
    prices: PriceInputs | None,
    attribution_days: int,
) -> ViewData:
    """The view's data from what was loaded (pure): unsaved snapshot days and the attribution window
    computed in memory, asset classes joined; `prices` is None exactly when there are no positions."""
    if positions.empty or prices is None:
        return ViewData(portfolio, positions, None, snapshots, pd.DataFrame(), status, (), flows)
    notes: tuple[str, ...] = ()
    if behind(snapshots, positions, prices):
        try:
            record = BookRecord(positions[list(POSITION_FIELDS)], portfolio.cash, flows)
            days = unsaved(record, prices, set(snapshots["date"]), str(status.source or "simulated"))
            snapshots = with_unsaved(snapshots, days)
        except InsufficientHistory as exc:
            notes = (f"Snapshots could not be computed: {exc}",)
    try:
        window = window_rows(positions[list(POSITION_FIELDS)], prices, snapshots, attribution_days)
    except (InsufficientHistory, UnknownSymbol) as exc:
        window, notes = pd.DataFrame(), (*notes, f"P&L attribution is not available: {exc}")
    book = with_classes(positions, prices.profiles)
    return ViewData(portfolio, book, prices, snapshots, window, status, notes, flows)


def load_view(
    sessions: sessionmaker[Session], market: MarketService, user: AuthUser, pid: int, attribution_days: int
) -> ViewData:
    """Load the view's data for the user's portfolio `pid` (unsaved snapshot days computed in memory)."""
    with sessions() as session:
        portfolio = info(owned_portfolio(session, user, pid))
        positions = positions_where(session, Position.portfolio_id == pid)
        snapshots = load_snapshots(session, pid)
        flows = load_flows(session, pid)
    status = market.status()
    prices = None
    if not positions.empty:
        prices = load_prices(market, price_symbols(positions, portfolio.benchmark), price_start(positions, status))
    return assemble(portfolio, positions, snapshots, flows, status, prices, attribution_days)
