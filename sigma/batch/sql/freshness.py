"""Is there anything for `python -m jobs init` to do? Cheap checks that let a second start skip work.

One grouped query: the active portfolios that hold positions and whose newest stored snapshot is
before the latest price date (or that have none). A book whose snapshots reach that date has
nothing new for the backfill; earlier days a write made missing are the job queue's catch-up run
(`jobs init` does not skip while one is queued).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.db.models import Portfolio, PortfolioSnapshot, Position


def portfolios_behind(sessions: sessionmaker[Session], as_of: date) -> list[int]:
    """Ids of the active portfolios with positions whose snapshots stop before `as_of`, ascending."""
    last = (
        select(PortfolioSnapshot.portfolio_id, func.max(PortfolioSnapshot.date).label("last"))
        .group_by(PortfolioSnapshot.portfolio_id)
        .subquery()
    )
    held = select(Position.portfolio_id).distinct().subquery()
    stmt = (
        select(Portfolio.id)
        .join(held, held.c.portfolio_id == Portfolio.id)
        .outerjoin(last, last.c.portfolio_id == Portfolio.id)
        .where(Portfolio.archived.is_(False), (last.c.last.is_(None)) | (last.c.last < as_of))
        .order_by(Portfolio.id)
    )
    with sessions() as session:
        return [int(pid) for pid in session.scalars(stmt)]
