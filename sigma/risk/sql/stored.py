"""The newest stored risk view of a kind for one portfolio, scoped to its owner in the same query.

The portfolio is outer-joined to its `risk_results` rows of that kind and parameters: no row at all
means the portfolio is not the user's (or does not exist: the same `PermissionDenied`, so ids cannot
be enumerated), a row without a result means nothing is stored yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from sigma.db.models import Portfolio, RiskResult
from sigma.errors import PermissionDenied


class StoredRow(NamedTuple):
    """One stored result: its payload, price date, computation time (UTC) and price source."""

    payload: dict[str, Any]
    as_of: date
    computed_at: datetime
    source: str


def latest_result(session: Session, owner_id: int, pid: int, kind: str, params_key: str) -> StoredRow | None:
    """The newest (by as_of) stored result of `kind` and `params_key` for the owner's portfolio `pid`, in one query."""
    found = and_(RiskResult.portfolio_id == Portfolio.id, RiskResult.kind == kind, RiskResult.params_key == params_key)
    stmt = (
        select(Portfolio.id, RiskResult.payload, RiskResult.as_of, RiskResult.computed_at, RiskResult.source)
        .outerjoin(RiskResult, found)
        .where(Portfolio.id == pid, Portfolio.owner_id == owner_id)
        .order_by(RiskResult.as_of.desc())
        .limit(1)
    )
    row = session.execute(stmt).first()
    if row is None:
        raise PermissionDenied(f"Portfolio {pid} is not one of yours.")
    if row.as_of is None:
        return None
    computed = row.computed_at if row.computed_at.tzinfo else row.computed_at.replace(tzinfo=UTC)  # SQLite: naive UTC
    return StoredRow(row.payload, row.as_of, computed.astimezone(UTC), row.source)
