"""The nightly snapshot backfill of many books at once, in a number of statements that does not grow
with the books: their records in four bulk queries, one price load for the union of their symbols,
the missing days computed per book (pure, `snapshots.unsaved`: in `snapshot_chunks`, here or, given
the batch's executor, in chunks of books on it), one bulk upsert.

With `since`, the books' snapshots from that date on are deleted first (one statement) and
recomputed: `python -m jobs run batch --from DATE`. Without it, only days that have no stored
snapshot are written, so a second run writes nothing. A book that cannot be computed is reported
in `errors` and the others are written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol, TypeVar

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.db import session_scope, with_lock_retry
from sigma.db.models import CashFlow, Portfolio, PortfolioSnapshot, Position
from sigma.db.upsert import upsert_frame
from sigma.market.service import MarketService
from sigma.portfolio.inputs import POSITION_FIELDS
from sigma.portfolio.snapshot_chunks import BookRecords, SnapshotChunk, compute
from sigma.portfolio.snapshots import VOL_LEAD_CALENDAR_DAYS
from sigma.portfolio.sql.prices import load_prices
from sigma.portfolio.sql.records import typed_positions
from sigma.portfolio.valuation import symbols_to_price

Progress = Callable[[int, int, str], None]  # (books done, books in all, what now)
CHUNKS_PER_WORKER, INLINE_CHUNK = 4, 100  # chunks per worker on an executor; books per progress step here
T = TypeVar("T")
R = TypeVar("R")


class Mapper(Protocol):
    """The batch's executor (`sigma.batch.executors.Executor`): a pure function over items, results in order."""

    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


@dataclass(frozen=True)
class ManyBackfilled:
    """Days written per book, and the books that failed with their error."""

    days: dict[int, int] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


def _load(session: Session, pids: Sequence[int]) -> BookRecords:
    """The books' positions, flows, cash and stored snapshot dates: four queries."""
    cols = [getattr(Position, c) for c in POSITION_FIELDS]
    rows = session.execute(select(*cols).where(Position.portfolio_id.in_(pids)).order_by(Position.id)).all()
    positions = typed_positions(pd.DataFrame(rows, columns=list(POSITION_FIELDS)))
    flow_rows = session.execute(
        select(CashFlow.portfolio_id, CashFlow.date, CashFlow.kind, CashFlow.amount).where(
            CashFlow.portfolio_id.in_(pids)
        )
    ).all()
    flows = pd.DataFrame(flow_rows, columns=["portfolio_id", "date", "kind", "amount"]).astype({"amount": "float64"})
    cash = {
        int(p): float(c or 0.0)
        for p, c in session.execute(select(Portfolio.id, Portfolio.cash).where(Portfolio.id.in_(pids)))
    }
    have: dict[int, set[date]] = {int(p): set() for p in pids}
    stored = select(PortfolioSnapshot.portfolio_id, PortfolioSnapshot.date).where(
        PortfolioSnapshot.portfolio_id.in_(pids)
    )
    for pid, day in session.execute(stored):
        have[int(pid)].add(day)
    return BookRecords(positions, flows, cash, have)


def backfill_many(
    sessions: sessionmaker[Session],
    market: MarketService,
    pids: Sequence[int],
    since: date | None = None,
    progress: Progress | None = None,
    executor: Mapper | None = None,
) -> ManyBackfilled:
    """Write the missing daily snapshots of every book in `pids` (from `since` on, recomputed), computed
    here or, given the batch's `executor`, in chunks of books on it."""
    pids = sorted(set(pids))
    if not pids:
        return ManyBackfilled()
    if since is not None:
        with_lock_retry(lambda: _drop_since(sessions, pids, since))
    with sessions() as session:
        records = _load(session, pids)
    if records.positions.empty:
        return ManyBackfilled({p: 0 for p in pids})
    start = min(records.positions["entry_date"]) - timedelta(days=VOL_LEAD_CALENDAR_DAYS)
    prices = load_prices(market, symbols_to_price(records.positions), start)
    _as_of, source = market.store.as_of()
    result, frames = _compute(SnapshotChunk(tuple(pids), records, prices, source or "simulated"), executor, progress)
    if frames:
        rows = pd.concat(frames, ignore_index=True)
        with_lock_retry(lambda: _write(sessions, rows))
    if progress is not None:
        progress(len(pids), len(pids), "written")
    return result


def _compute(
    whole: SnapshotChunk, executor: Mapper | None, progress: Progress | None
) -> tuple[ManyBackfilled, list[pd.DataFrame]]:
    """Every book's unsaved days, in chunks (CHUNKS_PER_WORKER per worker, or of INLINE_CHUNK books here),
    in waves of one chunk per worker, reporting progress between waves."""
    pids, workers = whole.pids, executor.workers if executor is not None else 1
    size = max(1, -(-len(pids) // (workers * CHUNKS_PER_WORKER))) if executor is not None else INLINE_CHUNK
    tasks = [whole.part(pids[i : i + size]) for i in range(0, len(pids), size)]
    result, frames = ManyBackfilled({p: 0 for p in pids}), []
    for first in range(0, len(tasks), workers):
        if progress is not None:
            progress(sum(len(t.pids) for t in tasks[:first]), len(pids), "snapshots")
        wave = tasks[first : first + workers]
        for done in executor.map(compute, wave) if executor is not None else [compute(t) for t in wave]:
            result.days.update(done.days)
            result.errors.update(done.errors)
            frames.extend([] if done.rows is None else [done.rows])
    return result, frames


def _drop_since(sessions: sessionmaker[Session], pids: Sequence[int], since: date) -> None:
    with session_scope(sessions) as session:
        stale = PortfolioSnapshot.portfolio_id.in_(pids), PortfolioSnapshot.date >= since
        session.execute(delete(PortfolioSnapshot).where(*stale))


def _write(sessions: sessionmaker[Session], rows: pd.DataFrame) -> None:
    with session_scope(sessions) as session:
        upsert_frame(session, "portfolio_snapshots", rows, key=("portfolio_id", "date"))
