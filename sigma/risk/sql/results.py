"""Stored risk views: the `risk_results` table, one row per (portfolio, kind, as_of, params_key).

The nightly batch writes many rows with `store_many`: one executemany of an INSERT … ON CONFLICT
DO UPDATE (SQLite and PostgreSQL) in the caller's transaction. A row whose payload and source are
unchanged keeps its `computed_at`, so re-running the batch over the same prices leaves the table
exactly as it was; `computed_at` says when the stored numbers last changed. `views_of` reads many
portfolios' rows of one as-of date in one query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Table, case, cast, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sigma.db import upsert
from sigma.db.models import RiskResult
from sigma.risk.view.base import Storable

RESULT_KEY = ("portfolio_id", "kind", "as_of", "params_key")


def store_result(session: Session, pid: int, view: Storable, params_key: str, computed_at: datetime) -> None:
    """Upsert a view's payload by (portfolio, kind, as_of, params_key)."""
    row = {
        "portfolio_id": pid,
        "kind": view.KIND,
        "as_of": view.as_of,
        "params_key": params_key,
        "source": view.source,
        "payload": view.to_payload(),
        "computed_at": computed_at,
    }
    upsert(session, RiskResult.__table__, [row], key=RESULT_KEY)  # type: ignore[arg-type]


def load_payload(session: Session, pid: int, kind: str, as_of: date, params_key: str) -> dict[str, Any] | None:
    """The stored payload of one view, or None when none is stored."""
    stmt = select(RiskResult.payload).where(
        RiskResult.portfolio_id == pid,
        RiskResult.kind == kind,
        RiskResult.as_of == as_of,
        RiskResult.params_key == params_key,
    )
    payload: dict[str, Any] | None = session.scalar(stmt)
    return payload


def store_many(session: Session, rows: Sequence[Mapping[str, Any]], computed_at: datetime) -> int:
    """Upsert rows (RESULT_KEY + source + payload) in one executemany; unchanged rows keep computed_at."""
    if not rows:
        return 0
    table: Table = RiskResult.__table__  # type: ignore[assignment]
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table)
    new = stmt.excluded
    same = (cast(table.c.payload, String) == cast(new.payload, String)) & (table.c.source == new.source)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(RESULT_KEY),
        set_={
            "source": new.source,
            "payload": new.payload,
            "computed_at": case((same, table.c.computed_at), else_=new.computed_at),
        },
    )
    session.execute(stmt, [{**row, "computed_at": computed_at} for row in rows])
    return len(rows)


def views_of(session: Session, pids: Sequence[int] | None, as_of: date) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(portfolio_id, kind, params_key, payload) of every row of `as_of` for `pids` (None: all), in one query."""
    stmt = select(RiskResult.portfolio_id, RiskResult.kind, RiskResult.params_key, RiskResult.payload).where(
        RiskResult.as_of == as_of
    )
    if pids is not None:
        stmt = stmt.where(RiskResult.portfolio_id.in_(list(pids)))
    order = (RiskResult.portfolio_id, RiskResult.kind, RiskResult.params_key)
    found = session.execute(stmt.order_by(*order)).all()
    return [(int(row[0]), str(row[1]), str(row[2]), dict(row[3])) for row in found]
