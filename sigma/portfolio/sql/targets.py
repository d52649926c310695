"""Target prices: one row per position (end-of-year target, next-year target, downside, note).

Targets are prices of the priced symbol (the underlying for options), each > 0 when given.
A targets file names symbols: a row applies to every open position of the portfolio priced off
that symbol; a later line for the same symbol wins. Rows naming a symbol the portfolio does not
hold get a warning and are skipped. The export writes one row per priced symbol.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser
from sigma.db import upsert
from sigma.db.models import Position, TargetPrice
from sigma.delimited import summarize
from sigma.errors import ValidationError
from sigma.portfolio.files.export import targets_to_csv
from sigma.portfolio.files.targets import parse_targets_csv
from sigma.portfolio.model import ImportResult, ImportRow, RowStatus, TargetDraft, TargetImportPreview
from sigma.portfolio.rules import TARGET_FIELDS, target_row
from sigma.portfolio.sql.owned import owned_positions


def write_targets(session: Session, rows: Sequence[dict[str, object]], now: datetime) -> None:
    """Upsert target rows (stamped `now`, UTC) in one statement."""
    stamped = [{**r, "updated_at": now} for r in rows]
    upsert(session, TargetPrice.__table__, stamped, key=("position_id",))  # type: ignore[arg-type]


def set_targets(session: Session, user: AuthUser, position_id: int, values: dict[str, object], now: datetime) -> None:
    """Set the targets of the user's position `position_id` (each > 0 when given)."""
    row = owned_positions(session, user, [position_id])[0]
    write_targets(session, [target_row(row.id, values)], now)


def bulk_set_targets(session: Session, user: AuthUser, pid: int, frame: pd.DataFrame, now: datetime) -> int:
    """Targets from a data editor (position_id + the four fields); every position must be in `pid`."""
    if "position_id" not in frame.columns:
        raise ValidationError("position_id: the targets table needs a position_id column.")
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    owned_positions(session, user, [int(r["position_id"]) for r in records], pid=pid)
    rows = [target_row(int(r["position_id"]), r) for r in records]
    write_targets(session, rows, now)
    return len(rows)


def _held(session: Session, pid: int) -> dict[str, list[int]]:
    """Open position ids by priced symbol."""
    priced = func.coalesce(Position.underlying, Position.symbol)
    stmt = select(priced, Position.id).where(Position.portfolio_id == pid, Position.exit_date.is_(None))
    held: dict[str, list[int]] = {}
    for symbol, pos_id in session.execute(stmt):  # grouping query rows by symbol
        held.setdefault(symbol, []).append(pos_id)
    return held


def preview_targets(session: Session, pid: int, data: bytes, known: Collection[str]) -> TargetImportPreview:
    """Parse a targets file; rows for symbols the portfolio does not hold become warnings."""
    preview = parse_targets_csv(data, known)
    held = _held(session, pid)
    rows = [_mark_unheld(row, held) for row in preview.rows]
    return TargetImportPreview(tuple(rows), preview.detected)


def _mark_unheld(row: ImportRow[TargetDraft], held: dict[str, list[int]]) -> ImportRow[TargetDraft]:
    if row.draft is None or row.symbol in held:
        return row
    reason = f"no open position in this portfolio is priced off {row.symbol}: skipped"
    return replace(row, status=RowStatus.WARNING, reasons=(*row.reasons, reason))


def commit_targets(
    session: Session, pid: int, data: bytes, known: Collection[str], all_or_nothing: bool, now: datetime
) -> ImportResult:
    """Write the targets of every valid row (later lines win); errors are reported, not written."""
    preview = preview_targets(session, pid, data, known)
    errors = tuple(f"line {r.line}: {'; '.join(r.reasons)}" for r in preview.rows if r.status is RowStatus.ERROR)
    if errors and all_or_nothing:
        raise ValidationError(f"Nothing imported: {len(errors):,} row(s) have errors. " + summarize(errors))
    held = _held(session, pid)
    latest = {d.symbol: d for d in preview.valid_drafts}  # later lines win
    rows = [
        target_row(pos_id, {**{f: getattr(d, f) for f in TARGET_FIELDS}, "note": d.note})
        for d in latest.values()
        for pos_id in held.get(d.symbol, [])
    ]
    write_targets(session, rows, now)
    skipped = sum(1 for d in preview.valid_drafts if d.symbol not in held)
    return ImportResult(len(rows), skipped, errors)


def export_targets(session: Session, pid: int) -> bytes:
    """One CSV row per priced symbol with a target (the lowest position id's target)."""
    priced = func.coalesce(Position.underlying, Position.symbol).label("symbol")
    stmt = (
        select(priced, TargetPrice.target_eoy, TargetPrice.target_next_year, TargetPrice.downside, TargetPrice.note)
        .join(TargetPrice, TargetPrice.position_id == Position.id)
        .where(Position.portfolio_id == pid)
        .order_by(Position.id)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["symbol", *TARGET_FIELDS, "note"])
    return targets_to_csv(frame.drop_duplicates("symbol", keep="first"))
