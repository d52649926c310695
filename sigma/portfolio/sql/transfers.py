"""Positions CSV import (preview, commit) and export, on top of `csv_import` and `csv_export`.

A row is "already imported" when a stored position of the portfolio has the same fingerprint
(`csv_import.position_fingerprint`): the preview marks it as a warning and the commit skips it,
so importing the same file twice changes nothing. A later line repeating an earlier one in the
same file is skipped too (one lot per fingerprint). A commit is one transaction; with
`all_or_nothing` any error row means nothing is written. The export writes every position,
closed ones with their exit date and price as extra columns (import ignores them).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import insert
from sqlalchemy.orm import Session

from sigma.conventions import PositionType
from sigma.db.models import Position
from sigma.delimited import summarize
from sigma.errors import ValidationError
from sigma.portfolio.files.export import positions_to_csv
from sigma.portfolio.files.mapping import ImportOptions
from sigma.portfolio.files.positions import parse_positions_csv
from sigma.portfolio.model import (
    ImportPreview,
    ImportResult,
    ImportRow,
    PositionDraft,
    RowStatus,
    position_fingerprint,
)
from sigma.portfolio.rules import check_draft, known_check
from sigma.portfolio.sql.positions import draft_row
from sigma.portfolio.sql.records import positions_frame
from sigma.portfolio.sql.snapshots import invalidate_snapshots

ALREADY = "already imported"


def stored_fingerprints(frame: pd.DataFrame) -> set[str]:
    """Fingerprints of stored positions (rows that no longer make a valid draft are left out)."""
    out: set[str] = set()
    records: list[dict[str, Any]] = frame.to_dict("records")  # type: ignore[assignment]
    for r in records:  # one fingerprint per stored position; no I/O
        strike = None if pd.isna(r["strike"]) else float(r["strike"])
        try:
            draft = PositionDraft(
                r["symbol"],
                PositionType(r["position_type"]),
                r["quantity"],
                r["entry_price"],
                r["entry_date"],
                r["underlying"],
                strike,
                r["expiry"],
                r["multiplier"],
                r["notes"],
            )
        except (ValueError, ValidationError):
            continue
        out.add(position_fingerprint(draft))
    return out


def _mark(row: ImportRow[PositionDraft], stored: set[str]) -> ImportRow[PositionDraft]:
    if row.draft is None or position_fingerprint(row.draft) not in stored:
        return row
    return replace(row, status=RowStatus.WARNING, reasons=(*row.reasons, ALREADY))


def preview_import(
    session: Session, pid: int, data: bytes, as_of: date, known: Collection[str], options: ImportOptions | None = None
) -> ImportPreview:
    """Parse a positions file against the known symbols; rows already stored are marked 'already imported'."""
    preview = parse_positions_csv(data, as_of, known, options)
    stored = stored_fingerprints(positions_frame(session, pid))
    return replace(preview, rows=tuple(_mark(r, stored) for r in preview.rows))


def commit_import(
    session: Session,
    pid: int,
    data: bytes,
    as_of: date,
    known: Collection[str],
    all_or_nothing: bool,
    options: ImportOptions | None = None,
) -> ImportResult:
    """Insert the valid rows not stored yet (one insert); report error lines."""
    preview = parse_positions_csv(data, as_of, known, options)
    errors = tuple(f"line {r.line}: {'; '.join(r.reasons)}" for r in preview.rows if r.status is RowStatus.ERROR)
    if errors and all_or_nothing:
        raise ValidationError(f"Nothing imported: {len(errors):,} row(s) have errors. " + summarize(errors))
    seen = stored_fingerprints(positions_frame(session, pid))
    check = known_check(set(known))
    rows, skipped = [], 0
    for draft in preview.valid_drafts:  # file rows, in order: the first of equal fingerprints wins
        key = position_fingerprint(draft)
        if key in seen:
            skipped += 1
            continue
        seen.add(key)
        rows.append(draft_row(check_draft(draft, as_of, check), pid))
    if rows:
        session.execute(insert(Position), rows)
        invalidate_snapshots(session, pid, [min(r["entry_date"] for r in rows)])
    return ImportResult(len(rows), skipped, errors)


def export_positions(session: Session, pid: int) -> bytes:
    """Every position as injection-safe CSV (closed ones with exit_date and exit_price)."""
    frame = positions_frame(session, pid).rename(columns={"position_type": "type"})
    frame["strike"] = frame["strike"].astype(object).where(frame["strike"].notna(), None)
    columns = ["symbol", "type", "quantity", "entry_price", "entry_date", "underlying", "strike", "expiry"]
    columns += ["multiplier", "notes", "exit_date", "exit_price"]
    return positions_to_csv(frame[columns])
