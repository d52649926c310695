"""Positions: add, edit, close, delete (plain functions taking a Session).

Every change is checked by `sigma.portfolio.rules` first (the rules every entry path shares);
writes that change the book invalidate its snapshots from the changed date on.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sigma.conventions import PositionType
from sigma.db.models import Position
from sigma.errors import ValidationError
from sigma.portfolio.model import PositionDraft
from sigma.portfolio.rules import DRAFT_FIELDS, EDITABLE, KnownCheck, exit_errors, to_draft
from sigma.portfolio.sql.snapshots import invalidate_snapshots


def draft_row(draft: PositionDraft, pid: int) -> dict[str, Any]:
    """The insert row of a draft."""
    return {
        "portfolio_id": pid,
        "symbol": draft.symbol,
        "position_type": draft.position_type.value,
        "quantity": draft.quantity,
        "entry_price": draft.entry_price,
        "entry_date": draft.entry_date,
        "underlying": draft.underlying,
        "strike": draft.strike,
        "expiry": draft.expiry,
        "multiplier": draft.multiplier,
        "notes": draft.notes,
    }


def add_position(session: Session, pid: int, draft: PositionDraft) -> int:
    """Insert a checked draft into portfolio `pid` (already scoped); invalidate snapshots from its entry date."""
    row = Position(**draft_row(draft, pid))
    session.add(row)
    session.flush()
    invalidate_snapshots(session, pid, [draft.entry_date])
    return row.id


def edit_position(
    session: Session, row: Position, changes: Mapping[str, Any], today: date, require_known: KnownCheck
) -> None:
    """Apply field changes after checking the whole position again; invalidate snapshots."""
    unknown = sorted(set(changes) - EDITABLE)
    if unknown:
        raise ValidationError(f"{', '.join(unknown)}: not editable (editable: {', '.join(sorted(EDITABLE))}).")
    current = {f: getattr(row, f) for f in DRAFT_FIELDS}
    merged = {**current, **{k: v for k, v in changes.items() if k in DRAFT_FIELDS}}
    draft = to_draft(merged, today)
    if {"symbol", "underlying", "position_type"} & set(changes):
        require_known([draft.underlying or draft.symbol])
    exit_date = changes.get("exit_date", row.exit_date)
    exit_price = changes.get("exit_price", row.exit_price)
    if exit_date is not None or exit_price is not None:
        errors = exit_errors(draft.entry_date, exit_date, exit_price, draft.position_type.is_option, today)
        if errors:
            raise ValidationError(" ".join(errors))
    before = [row.entry_date, row.exit_date]
    for key, value in draft_row(draft, row.portfolio_id).items():
        setattr(row, key, value)
    row.exit_date, row.exit_price = exit_date, exit_price
    invalidate_snapshots(session, row.portfolio_id, [*before, draft.entry_date, exit_date])


def close_position(session: Session, row: Position, exit_date: date, exit_price: float, today: date) -> None:
    """Record the exit of a position; invalidate snapshots from the exit date."""
    is_option = PositionType(row.position_type).is_option
    errors = exit_errors(row.entry_date, exit_date, exit_price, is_option, today)
    if errors:
        raise ValidationError(" ".join(errors))
    before = row.exit_date
    row.exit_date, row.exit_price = exit_date, float(exit_price)
    invalidate_snapshots(session, row.portfolio_id, [exit_date, before])


def delete_position(session: Session, row: Position) -> None:
    """Delete a position (its tags, target and snapshots cascade); invalidate from its entry."""
    pid, entry = row.portfolio_id, row.entry_date
    session.delete(row)
    session.flush()
    invalidate_snapshots(session, pid, [entry])
