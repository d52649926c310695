"""Owner scoping: every lookup of a portfolio or a position is the acting user's or an error.

Scoping rule (ARCHITECTURE.md rule 4): every lookup joins the portfolio and filters on its
owner, and an id the acting user does not own raises the same `PermissionDenied` as an id that
does not exist, so ids cannot be enumerated.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser
from sigma.db.models import Portfolio, Position
from sigma.errors import PermissionDenied
from sigma.portfolio.model import PortfolioInfo


def denied(kind: str, ident: object) -> PermissionDenied:
    """The one error for 'not yours' and 'does not exist'."""
    return PermissionDenied(f"{kind} {ident} is not one of yours.")


def owned_portfolio(session: Session, user: AuthUser, pid: int) -> Portfolio:
    """The user's portfolio `pid`, or PermissionDenied."""
    portfolio = session.scalar(select(Portfolio).where(Portfolio.id == pid, Portfolio.owner_id == user.id))
    if portfolio is None:
        raise denied("Portfolio", pid)
    return portfolio


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


def info(portfolio: Portfolio) -> PortfolioInfo:
    """The page's view of a portfolio row."""
    return PortfolioInfo(
        portfolio.id,
        portfolio.name,
        portfolio.description,
        portfolio.benchmark,
        portfolio.base_currency,
        float(portfolio.cash),
        portfolio.archived,
    )
