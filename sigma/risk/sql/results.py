"""Stored risk views: the `risk_results` table, one row per (portfolio, kind, as_of, params_key)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
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
