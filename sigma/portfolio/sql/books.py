"""Portfolios ("books") and their cash flows (plain functions taking a Session).

Cash: `portfolios.cash` is the current balance. Cash flows are stored signed (deposits and
dividends positive, withdrawals negative) and move the balance in the same transaction; the
balance on a past date d is `cash − Σ flows dated after d` (see `sigma.portfolio.snapshots`).
The opening cash given to `create_portfolio` is a balance held since before the first entry,
not a dated flow. A withdrawal may not exceed the current balance.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser
from sigma.db.models import CashFlow, Portfolio
from sigma.errors import ValidationError
from sigma.portfolio.model import CASH_FLOW_COLUMNS
from sigma.portfolio.sql.common import invalidate_snapshots, owned_portfolio

MAX_NAME = 128


class FlowKind(StrEnum):
    """Kinds of cash flow; the amount is entered positive and stored signed."""

    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    DIVIDEND = "dividend"


def clean_name(name: str) -> str:
    """A portfolio name without surrounding blanks; empty or too long is a ValidationError."""
    text = (name or "").strip()
    if not text:
        raise ValidationError("name: a portfolio needs a name.")
    if len(text) > MAX_NAME:
        raise ValidationError(f"name: at most {MAX_NAME} characters (got {len(text)}).")
    return text


def check_unique(session: Session, user: AuthUser, name: str, except_id: int | None = None) -> None:
    """Portfolio names are unique per owner."""
    stmt = select(Portfolio.id).where(Portfolio.owner_id == user.id, Portfolio.name == name)
    other = session.scalar(stmt)
    if other is not None and other != except_id:
        raise ValidationError(f"name: you already have a portfolio called {name!r}.")


def list_portfolios(session: Session, user: AuthUser, include_archived: bool) -> list[Portfolio]:
    """The user's portfolios by name."""
    stmt = select(Portfolio).where(Portfolio.owner_id == user.id).order_by(Portfolio.name)
    if not include_archived:
        stmt = stmt.where(Portfolio.archived.is_(False))
    return list(session.scalars(stmt))


def create_portfolio(
    session: Session, user: AuthUser, name: str, benchmark: str, cash: float, description: str
) -> Portfolio:
    """Insert a portfolio (name unique per owner; opening cash ≥ 0)."""
    text = clean_name(name)
    check_unique(session, user, text)
    if not cash >= 0:
        raise ValidationError(f"cash: the opening cash must be 0 or more (got {cash}).")
    book = Portfolio(owner_id=user.id, name=text, benchmark=benchmark, cash=float(cash), description=description or "")
    session.add(book)
    session.flush()
    return book


def record_cash_flow(
    session: Session, user: AuthUser, pid: int, day: date, kind: str, amount: float, note: str, today: date
) -> None:
    """Store a signed cash flow and move the balance; invalidate snapshots from `day`."""
    book = owned_portfolio(session, user, pid)
    try:
        flow_kind = FlowKind(kind)
    except ValueError:
        raise ValidationError(f"kind: {kind!r} is not one of deposit, withdrawal, dividend.") from None
    if not amount > 0:
        raise ValidationError(f"amount: enter a positive amount (got {amount}); the kind gives the sign.")
    if day > today:
        raise ValidationError(f"date: {day} is in the future (today is {today}).")
    signed = -float(amount) if flow_kind is FlowKind.WITHDRAWAL else float(amount)
    if book.cash + signed < -1e-9:
        raise ValidationError(f"amount: withdrawing {amount:,.2f} exceeds the cash balance {book.cash:,.2f}.")
    session.add(CashFlow(portfolio_id=pid, date=day, kind=flow_kind.value, amount=signed, note=note or ""))
    book.cash = book.cash + signed
    invalidate_snapshots(session, pid, [day])


def cash_flows(session: Session, pid: int) -> pd.DataFrame:
    """Cash flows of `pid`, oldest first: id, date, kind, amount (signed), note."""
    cols = [getattr(CashFlow, c) for c in CASH_FLOW_COLUMNS]
    rows = session.execute(select(*cols).where(CashFlow.portfolio_id == pid).order_by(CashFlow.date, CashFlow.id))
    frame = pd.DataFrame(rows.all(), columns=list(CASH_FLOW_COLUMNS))
    return frame.astype({"amount": "float64"})
