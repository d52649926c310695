"""A portfolio's stored record as frames: its positions (open and closed) and its cash flows.

Snapshots are computed from it (`snapshots.compute`); numbers are floats (NaN for missing),
dates `date` objects (None for missing).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sigma.db.models import CashFlow, Portfolio, PortfolioSnapshot, Position
from sigma.portfolio.inputs import POSITION_FIELDS, BookRecord


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


def load_flows(session: Session, pid: int) -> pd.DataFrame:
    """The portfolio's cash flows (date, kind, amount), as stored (one query)."""
    stmt = select(CashFlow.date, CashFlow.kind, CashFlow.amount).where(CashFlow.portfolio_id == pid)
    flows = pd.DataFrame(session.execute(stmt).all(), columns=["date", "kind", "amount"])
    return flows.astype({"amount": "float64"})


def load_record(session: Session, pid: int) -> tuple[BookRecord, set[date]]:
    """What the snapshots of `pid` are computed from, and the dates already stored (four queries)."""
    cash = session.scalar(select(Portfolio.cash).where(Portfolio.id == pid)) or 0.0
    have = set(session.scalars(select(PortfolioSnapshot.date).where(PortfolioSnapshot.portfolio_id == pid)))
    return BookRecord(positions_frame(session, pid), float(cash), load_flows(session, pid)), have
