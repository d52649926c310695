"""Positions: add, edit, close, delete, with the validation every entry path shares.

Conventions (DOMAIN.md, "Positions and valuation"): quantity > 0 with the side in the type;
entry price > 0; options carry underlying, strike > 0, expiry after the entry date and a
multiplier > 0; stocks are stored with multiplier 1 and no option fields. The entry date may
not be after `today` (the service's clock); the priced symbol (the underlying for options) must
be known to the price store, else `UnknownSymbol` names it. An exit needs exit date ≥ entry
date and ≤ today, and an exit price > 0 (≥ 0 for options, which may expire worthless).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import fields as dc_fields
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from sigma.conventions import PositionType
from sigma.db.models import Position
from sigma.errors import UnknownSymbol, ValidationError
from sigma.portfolio.files.imports import PositionDraft
from sigma.portfolio.sql.common import invalidate_snapshots

DRAFT_FIELDS = tuple(f.name for f in dc_fields(PositionDraft))
EDITABLE = frozenset({*DRAFT_FIELDS, "exit_date", "exit_price"})
KnownCheck = Callable[[list[str]], None]


def _positive(values: Mapping[str, Any], name: str, label: str, errors: list[str]) -> None:
    value = values.get(name)
    if value is None or not isinstance(value, int | float) or math.isnan(value) or value <= 0:
        errors.append(f"{label}: must be a number greater than 0 (got {value!r}).")


def _option_errors(values: Mapping[str, Any], kind: PositionType, errors: list[str]) -> None:
    if not kind.is_option:
        return
    if not values.get("underlying"):
        errors.append("underlying: an option needs the underlying symbol it is priced from.")
    _positive(values, "strike", "strike", errors)
    expiry, entry = values.get("expiry"), values.get("entry_date")
    if not isinstance(expiry, date):
        errors.append("expiry: an option needs an expiry date.")
    elif isinstance(entry, date) and expiry <= entry:
        errors.append(f"expiry: {expiry} must be after the entry date {entry}.")


def _type(value: object, errors: list[str]) -> PositionType | None:
    try:
        return PositionType(str(value).strip().upper())
    except ValueError:
        errors.append(f"position_type: {value!r} is not one of {', '.join(t.value for t in PositionType)}.")
        return None


def field_errors(values: Mapping[str, Any], today: date) -> list[str]:
    """Every problem with a position's fields, one message per field, naming it."""
    errors: list[str] = []
    if not str(values.get("symbol") or "").strip():
        errors.append("symbol: a position needs a symbol.")
    kind = _type(values.get("position_type"), errors)
    _positive(values, "quantity", "quantity", errors)
    _positive(values, "entry_price", "entry_price", errors)
    entry = values.get("entry_date")
    if not isinstance(entry, date):
        errors.append("entry_date: a position needs an entry date.")
    elif entry > today:
        errors.append(f"entry_date: {entry} is in the future (today is {today}).")
    if kind is not None:
        _option_errors(values, kind, errors)
        if kind.is_option:
            _positive(values, "multiplier", "multiplier", errors)
    return errors


def to_draft(values: Mapping[str, Any], today: date) -> PositionDraft:
    """A checked `PositionDraft` from field values (stocks get multiplier 1 and no option fields)."""
    errors = field_errors(values, today)
    if errors:
        raise ValidationError(" ".join(errors))
    kind = PositionType(str(values["position_type"]).strip().upper())
    option = {k: values.get(k) for k in ("underlying", "strike", "expiry")} if kind.is_option else {}
    if option:
        option["underlying"] = str(option["underlying"]).strip().upper()
    return PositionDraft(
        symbol=str(values["symbol"]).strip().upper(),
        position_type=kind,
        quantity=float(values["quantity"]),
        entry_price=float(values["entry_price"]),
        entry_date=values["entry_date"],
        multiplier=float(values.get("multiplier") or 100.0) if kind.is_option else 1.0,
        notes=str(values.get("notes") or ""),
        **option,
    )


def check_draft(draft: PositionDraft, today: date, require_known: KnownCheck) -> PositionDraft:
    """Re-check a draft against the service's rules and the price store; return it normalised."""
    checked = to_draft({f: getattr(draft, f) for f in DRAFT_FIELDS}, today)
    require_known([checked.underlying or checked.symbol])
    return checked


def known_check(known: Collection[str]) -> KnownCheck:
    """A `require_known` over a preloaded set of symbols."""

    def check(symbols: list[str]) -> None:
        unknown = [s for s in symbols if s not in known]
        if unknown:
            raise UnknownSymbol(unknown)

    return check


def draft_row(draft: PositionDraft, pid: int) -> dict[str, Any]:
    """The insert row of a draft."""
    return {
        "portfolio_id": pid, "symbol": draft.symbol, "position_type": draft.position_type.value,
        "quantity": draft.quantity, "entry_price": draft.entry_price, "entry_date": draft.entry_date,
        "underlying": draft.underlying, "strike": draft.strike, "expiry": draft.expiry,
        "multiplier": draft.multiplier, "notes": draft.notes,
    }  # fmt: skip


def add_position(session: Session, pid: int, draft: PositionDraft) -> int:
    """Insert a checked draft; invalidate snapshots from its entry date."""
    row = Position(**draft_row(draft, pid))
    session.add(row)
    session.flush()
    invalidate_snapshots(session, pid, [draft.entry_date])
    return row.id


def _exit_errors(entry: date, exit_date: object, exit_price: object, is_option: bool, today: date) -> list[str]:
    errors: list[str] = []
    if not isinstance(exit_date, date):
        errors.append("exit_date: closing needs an exit date.")
    elif exit_date < entry:
        errors.append(f"exit_date: {exit_date} is before the entry date {entry}.")
    elif exit_date > today:
        errors.append(f"exit_date: {exit_date} is in the future (today is {today}).")
    floor_ok = (lambda p: p >= 0) if is_option else (lambda p: p > 0)
    if not isinstance(exit_price, int | float) or math.isnan(exit_price) or not floor_ok(exit_price):
        errors.append(f"exit_price: must be {'0 or more' if is_option else 'greater than 0'} (got {exit_price!r}).")
    return errors


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
        errors = _exit_errors(draft.entry_date, exit_date, exit_price, draft.position_type.is_option, today)
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
    errors = _exit_errors(row.entry_date, exit_date, exit_price, is_option, today)
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
