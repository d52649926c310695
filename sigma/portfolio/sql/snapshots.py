"""Snapshot reads, their invalidation, and the backfill that writes them (jobs and `jobs init`).

Snapshots depend on positions and cash flows: a write that changes the book from date d
deletes the portfolio's snapshots from d on (`invalidate_snapshots`). `backfill` computes the
grid with the pure `snapshots.unsaved` (a chunk of positions at a time: memory bounded whatever
the book's size) and writes only the days that have no stored portfolio snapshot, so a second
run writes nothing. Page reads never call it: they merge the unsaved days in memory
(`sql.view.load_view`). One row per day is stored, never one per position and day (position
history is derived from prices: `snapshots.positions_on`). The write deletes those days' rows
first and then plainly inserts (`db.upsert.insert_frame`, COPY on PostgreSQL): no ON CONFLICT
per row; a portfolio row lock serialises two backfills of one book on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.db import session_scope, with_lock_retry
from sigma.db.models import Portfolio, PortfolioSnapshot, RiskResult
from sigma.db.upsert import insert_frame
from sigma.errors import InsufficientHistory
from sigma.market.service import MarketService
from sigma.portfolio.history import NAV_COLUMNS
from sigma.portfolio.inputs import PriceInputs
from sigma.portfolio.model import BackfillResult
from sigma.portfolio.snapshots import SNAPSHOT_COLUMNS, VOL_LEAD_CALENDAR_DAYS, unsaved
from sigma.portfolio.sql.prices import load_prices
from sigma.portfolio.sql.records import load_record
from sigma.portfolio.valuation import symbols_to_price

_DAYS_PER_DELETE = 500  # dates per DELETE … IN (under every SQLite's parameter limit)


def load_snapshots(session: Session, pid: int) -> pd.DataFrame:
    """The portfolio's daily snapshots, oldest first (one query)."""
    cols = [getattr(PortfolioSnapshot, c) for c in SNAPSHOT_COLUMNS]
    stmt = select(*cols).where(PortfolioSnapshot.portfolio_id == pid).order_by(PortfolioSnapshot.date)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=list(SNAPSHOT_COLUMNS))
    return frame.astype({c: "float64" for c in (*NAV_COLUMNS, "flows")})


def invalidate_snapshots(session: Session, pid: int, days: Iterable[date | None]) -> None:
    """Delete the portfolio's snapshots from the earliest of `days` on (the backfill refills them), and
    its stored risk results: they describe the book before this write, so until the jobs process has
    recomputed them (the write path queues it) the Risk page computes on demand rather than show them."""
    known = [d for d in days if d is not None]
    session.execute(delete(RiskResult).where(RiskResult.portfolio_id == pid))
    if not known:
        return
    first = min(known)
    session.execute(
        delete(PortfolioSnapshot).where(PortfolioSnapshot.portfolio_id == pid, PortfolioSnapshot.date >= first)
    )


def _clear(session: Session, pid: int, days: Sequence[date]) -> None:
    """Lock the portfolio's backfill, then delete its snapshots of `days` (normally none: they are
    the unsaved ones; a backfill that raced this one may have written them): the rows written next
    cannot conflict, so a plain INSERT (COPY on PostgreSQL) stores them."""
    session.execute(select(Portfolio.id).where(Portfolio.id == pid).with_for_update(key_share=True))
    for start in range(0, len(days), _DAYS_PER_DELETE):
        batch = list(days[start : start + _DAYS_PER_DELETE])
        stale = PortfolioSnapshot.portfolio_id == pid, PortfolioSnapshot.date.in_(batch)
        session.execute(delete(PortfolioSnapshot).where(*stale))


def _write(sessions: sessionmaker[Session], pid: int, days: pd.DataFrame) -> None:
    """Write the days in one transaction."""

    def work() -> None:
        with session_scope(sessions) as session:
            _clear(session, pid, list(days["date"]))
            insert_frame(session, "portfolio_snapshots", days.assign(portfolio_id=pid))

    with_lock_retry(work)


def backfill(
    sessions: sessionmaker[Session], market: MarketService, pid: int, prices: PriceInputs | None = None
) -> BackfillResult:
    """Write the missing daily snapshots of portfolio `pid` (idempotent: a second run writes nothing)."""
    with sessions() as session:
        record, have = load_record(session, pid)
    positions = record.positions
    if positions.empty:
        return BackfillResult(pid, 0, "no positions yet")
    if prices is None:
        start = min(positions["entry_date"]) - timedelta(days=VOL_LEAD_CALENDAR_DAYS)
        prices = load_prices(market, symbols_to_price(positions), start)
    _as_of, source = market.store.as_of()
    try:
        days = unsaved(record, prices, have, source or "simulated")
    except InsufficientHistory as exc:
        return BackfillResult(pid, 0, str(exc))
    if not days.empty:
        _write(sessions, pid, days)
    return BackfillResult(pid, len(days))
