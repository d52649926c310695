"""Owner scoping and shared loads of the portfolio service (plain functions taking a Session).

Scoping rule (ARCHITECTURE.md rule 4): every lookup joins the portfolio and filters on its
owner, and an id the acting user does not own raises the same `PermissionDenied` as an id that
does not exist, so ids cannot be enumerated. Snapshots depend on positions and cash flows: a
write that changes the book from date d deletes the portfolio's snapshots from d on
(`invalidate_snapshots`), and the next backfill recomputes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser
from sigma.db.models import Portfolio, PortfolioSnapshot, Position, PositionSnapshot
from sigma.errors import PermissionDenied
from sigma.portfolio.model import PortfolioInfo

POSITION_FIELDS = (
    "id", "portfolio_id", "symbol", "position_type", "quantity", "entry_price", "entry_date", "underlying", "strike",
    "expiry", "multiplier", "exit_date", "exit_price", "notes",
)  # fmt: skip


def denied(kind: str, ident: object) -> PermissionDenied:
    """The one error for 'not yours' and 'does not exist'."""
    return PermissionDenied(f"{kind} {ident} is not one of yours.")


def owned_portfolio(session: Session, user: AuthUser, pid: int) -> Portfolio:
    """The user's portfolio `pid`, or PermissionDenied."""
    book = session.scalar(select(Portfolio).where(Portfolio.id == pid, Portfolio.owner_id == user.id))
    if book is None:
        raise denied("Portfolio", pid)
    return book


def owned_positions(session: Session, user: AuthUser, ids: Sequence[int], pid: int | None = None) -> list[Position]:
    """The user's positions with these ids (in one query), or PermissionDenied naming the first foreign id."""
    wanted = list(dict.fromkeys(int(i) for i in ids))
    stmt = select(Position).join(Portfolio).where(Position.id.in_(wanted), Portfolio.owner_id == user.id)
    if pid is not None:
        stmt = stmt.where(Position.portfolio_id == pid)
    found = {p.id: p for p in session.scalars(stmt)}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise denied("Position", missing[0])
    return [found[i] for i in wanted]


def info(book: Portfolio) -> PortfolioInfo:
    """The page's view of a portfolio row."""
    return PortfolioInfo(
        book.id, book.name, book.description, book.benchmark, book.base_currency, float(book.cash), book.archived
    )


def positions_frame(session: Session, pid: int) -> pd.DataFrame:
    """Every position of portfolio `pid` (open and closed) as a frame, in one query."""
    columns = [getattr(Position, c) for c in POSITION_FIELDS]
    rows = session.execute(select(*columns).where(Position.portfolio_id == pid).order_by(Position.id)).all()
    return typed_positions(pd.DataFrame(rows, columns=list(POSITION_FIELDS)))


def typed_positions(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float (NaN for missing), dates as `date` objects (None for missing)."""
    out = frame.copy()
    for column in ("quantity", "entry_price", "strike", "multiplier", "exit_price"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    for column in ("entry_date", "expiry", "exit_date"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def invalidate_snapshots(session: Session, pid: int, days: Iterable[date | None]) -> None:
    """Delete the portfolio's snapshots from the earliest of `days` on (the backfill refills them)."""
    known = [d for d in days if d is not None]
    if not known:
        return
    first = min(known)
    session.execute(
        delete(PositionSnapshot).where(PositionSnapshot.portfolio_id == pid, PositionSnapshot.date >= first)
    )
    session.execute(
        delete(PortfolioSnapshot).where(PortfolioSnapshot.portfolio_id == pid, PortfolioSnapshot.date >= first)
    )
