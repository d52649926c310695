"""CSV export of positions and target prices, safe to open in a spreadsheet.

Conventions: plain UTF-8 without a BOM (pass ``excel_bom=True`` for Excel on Windows, which
otherwise guesses the code page), comma-separated, RFC 4180 quoting and CRLF line ends, ISO
dates (2026-11-20), numbers written as plain numbers that read back exactly (shortest
round-trip form, never exponent notation), blanks for missing values. Columns: the known
ones first in a fixed order (headers `csv_import` reads back), then any others as given.

CSV injection (OWASP): a *text* cell that starts with = + - @, a tab or a carriage return
(or their full-width forms) gets a leading single quote, so a spreadsheet shows it instead of
running it. Numbers are never escaped: -5 stays -5. `csv_read.unescape_text` drops that quote
on import, so an export re-imports to the same drafts.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from numbers import Number

import pandas as pd

from sigma.delimited.cells import FORMULA_TRIGGERS

POSITION_COLUMNS: tuple[str, ...] = ("symbol", "type", "quantity", "entry_price", "entry_date", "underlying")
POSITION_COLUMNS += ("strike", "expiry", "multiplier", "notes")
TARGET_COLUMNS = ("symbol", "target_eoy", "target_next_year", "downside", "note")
_POSITION_ALIASES = {"position_type": "type", "price": "entry_price", "date": "entry_date"}


def escape_text(text: str) -> str:
    """Prefix a single quote when a spreadsheet would read `text` as a formula.

    Text that is already quotes before a trigger ("'=x") gets one more, so that import,
    which drops exactly one, gives back what was exported.
    """
    return "'" + text if text.lstrip("'").startswith(FORMULA_TRIGGERS) else text


def export_cell(value: object) -> str:
    """One cell as written: '' for missing, ISO for dates, plain numbers, escaped text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Number) and not isinstance(value, complex):
        return _number(float(value))  # type: ignore[arg-type]
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return escape_text(str(value))


def _number(x: float) -> str:
    if math.isnan(x):
        return ""
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return format(Decimal(repr(x)), "f")


def positions_to_csv(frame: pd.DataFrame, *, excel_bom: bool = False) -> bytes:
    """Positions (columns as in `PositionDraft` or the positions table) as CSV bytes."""
    renames = {old: new for old, new in _POSITION_ALIASES.items() if new not in frame.columns}
    return _to_csv(frame.rename(columns=renames), POSITION_COLUMNS, excel_bom)


def targets_to_csv(frame: pd.DataFrame, *, excel_bom: bool = False) -> bytes:
    """Target prices (symbol, target_eoy, target_next_year, downside, note) as CSV bytes."""
    return _to_csv(frame, TARGET_COLUMNS, excel_bom)


def _to_csv(frame: pd.DataFrame, known: Sequence[str], excel_bom: bool) -> bytes:
    columns = [c for c in known if c in frame.columns] + [c for c in frame.columns if c not in known]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_text(str(c)) for c in columns])
    # A loop over rows and cells: each cell's type decides how it is written; exports are small.
    for row in frame[columns].itertuples(index=False, name=None):
        writer.writerow([export_cell(v) for v in row])
    return ("\ufeff" if excel_bom else "").encode() + buffer.getvalue().encode("utf-8")
