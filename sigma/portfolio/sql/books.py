"""Portfolios ("books") and their cash flows (plain functions taking a Session).

Cash: `portfolios.cash` is the current balance. Cash flows are stored signed (deposits and
dividends positive, withdrawals negative) and move the balance in the same transaction; the
balance on a past date d is `cash − Σ flows dated after d` (see `sigma.portfolio.snapshots`).
The opening cash given to `create_portfolio` is a balance held since before the first entry,
not a dated flow. A withdrawal may not exceed the current balance, nor a balance `rules.MAX_CASH`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser
from sigma.db.models import CashFlow, Portfolio
from sigma.errors import ValidationError
from sigma.portfolio.model import FlowKind
from sigma.portfolio.rules import clean_name, new_balance, opening_cash, signed_flow
from sigma.portfolio.sql.owned import owned_portfolio
from sigma.portfolio.sql.snapshots import invalidate_snapshots
from sigma.portfolio.view.columns import CASH_FLOW_COLUMNS


def check_unique(session: Session, user: AuthUser, name: str, except_id: int | None = None) -> None:
    """Portfolio names are unique per owner."""
    stmt = select(Portfolio.id).where(Portfolio.owner_id == user.id, Portfolio.name == name)
    other = session.scalar(stmt)
    if other is not None and other != except_id:
        raise ValidationError(f"name: you already have a portfolio called {name!r}.")


def rename_portfolio(session: Session, user: AuthUser, pid: int, name: str) -> None:
    """Rename the user's portfolio `pid` (the name checked and still unique per owner)."""
    portfolio, text = owned_portfolio(session, user, pid), clean_name(name)
    check_unique(session, user, text, except_id=pid)
    portfolio.name = text


def list_portfolios(session: Session, user: AuthUser, include_archived: bool) -> list[Portfolio]:
    """The user's portfolios by name."""
    stmt = select(Portfolio).where(Portfolio.owner_id == user.id).order_by(Portfolio.name)
    if not include_archived:
        stmt = stmt.where(Portfolio.archived.is_(False))
    return list(session.scalars(stmt))


def active_ids(session: Session) -> list[int]:
    """Every non-archived portfolio's id, ascending (all owners: for the jobs process)."""
    return list(session.scalars(select(Portfolio.id).where(Portfolio.archived.is_(False)).order_by(Portfolio.id)))


def create_portfolio(
    session: Session, user: AuthUser, name: str, benchmark: str, cash: float, description: str
) -> Portfolio:
    """Insert a portfolio (name unique per owner; opening cash in [0, MAX_CASH])."""
    text, opening = clean_name(name), opening_cash(cash)
    check_unique(session, user, text)
    portfolio = Portfolio(owner_id=user.id, name=text, benchmark=benchmark, cash=opening, description=description or "")
    session.add(portfolio)
    session.flush()
    return portfolio


def record_cash_flow(
    session: Session, user: AuthUser, pid: int, day: date, kind: FlowKind | str, amount: float, note: str, today: date
) -> None:
    """Store a signed cash flow and move the balance; invalidate snapshots from `day`."""
    portfolio = owned_portfolio(session, user, pid)
    flow_kind, signed = signed_flow(kind, amount, day, today)
    balance = new_balance(portfolio.cash, signed)
    session.add(CashFlow(portfolio_id=pid, date=day, kind=flow_kind.value, amount=signed, note=note or ""))
    portfolio.cash = balance
    invalidate_snapshots(session, pid, [day])


def cash_flows(session: Session, pid: int) -> pd.DataFrame:
    """Cash flows of `pid`, oldest first: id, date, kind, amount (signed), note."""
    cols = [getattr(CashFlow, c) for c in CASH_FLOW_COLUMNS]
    rows = session.execute(select(*cols).where(CashFlow.portfolio_id == pid).order_by(CashFlow.date, CashFlow.id))
    frame = pd.DataFrame(rows.all(), columns=list(CASH_FLOW_COLUMNS))
    return frame.astype({"amount": "float64"})
