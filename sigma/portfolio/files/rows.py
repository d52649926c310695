"""What positions and targets files share: header synonyms, cell readers and the issues of a row.

A row collects errors (not imported) and warnings (imported, with a reason); each reason names
the field and the value. File reading rules: see `sigma.delimited`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from sigma.delimited.cells import CellError, unescape_text
from sigma.delimited.table import RawRow, RawTable
from sigma.portfolio.model import DraftT, ImportRow, RowStatus

_COMPACT_DATE = re.compile(r"((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?:[;, T].*)?")
SYNONYMS = {  # normalised header names, best first; "price" is the entry price (cost per share)
    "symbol": "symbol|ticker|instrument|ticker symbol|security|sym|option symbol|occ symbol|symbol isin",
    "quantity": "quantity|qty|shares|units|position|shares held|quantity held|contracts|qty quantity",
    "price": "entry price|cost basis per share|cost basis share|cost per share|cost share|avg cost|average cost|"
    "avg price|average price|unit cost|open price|purchase price|price|cost|costbasisprice|cost basis price|"
    "average cost basis|price paid",
    "cost_total": "cost basis total|cost basis|total cost|cost basis amount|costbasismoney|cost basis money",
    "last_price": "last price|markprice|mark price|current price|share price|closing|close price|last",
    "value": "market value|current value|mkt val market value|value|total value|positionvalue|value in eur",
    "date": "entry date|trade date|open date|date acquired|acquired|purchase date|opened|date|opendatetime",
    "type": "position type|type|side|long short|long|short|direction",
    "security_type": "security type|asset class|assetclass|asset type|security class",
    "strike": "strike|strike price",
    "expiry": "expiry|expiration|exp date|expiration date|expiry date|exp|maturity",
    "option_type": "option type|put call|call put|put|call|right|cp",
    "multiplier": "multiplier|contract size|mult",
    "notes": "notes|note|description|comment|comments|memo",
    "underlying": "underlying|underlying symbol|underlyingsymbol|root",
    "isin": "isin",
    "target_eoy": "target eoy|target|target price|price target|eoy target|target end of year|eoy",
    "target_next_year": "target next year|next year target|target ny|target next yr|next year",
    "downside": "downside|downside target|downside price|bear case|stop",
    "note": "note|notes|comment|comments|thesis|description",
}


def schema_synonyms(*names: str) -> dict[str, tuple[str, ...]]:
    """The header synonyms of these fields, best first."""
    return {f: tuple(SYNONYMS[f].split("|")) for f in names}


def fmt_number(x: float) -> str:
    return f"{x:.12g}"


@dataclass
class Issues:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def row(self, raw: RawRow, symbol: str, draft: DraftT | None) -> ImportRow[DraftT]:
        status = RowStatus.ERROR if self.errors else RowStatus.WARNING if self.warnings else RowStatus.OK
        reasons = tuple(self.errors + self.warnings)
        return ImportRow(raw.line, status, reasons, raw.cells, symbol, None if self.errors else draft)


def number_cell(
    table: RawTable, raw: RawRow, name: str, label: str, issues: Issues, required: bool = False
) -> float | None:
    """Read a number cell; a parse failure or a missing required value becomes an error."""
    text = table.value(raw, name)
    try:
        value = table.reader.number(text, label)
    except CellError as err:
        issues.errors.append(str(err))
        return None
    if value is None and required:
        issues.errors.append(f"{label} is missing")
    return value


def compact_date(text: str) -> str:
    """'20270115', IBKR's '20250115;093000' and '2025-01-15;09:30:00' as ISO dates; other text unchanged."""
    match = _COMPACT_DATE.fullmatch(text.strip())
    return f"{match[1]}-{match[2]}-{match[3]}" if match else text


def date_cell(table: RawTable, raw: RawRow, name: str, label: str, issues: Issues) -> date | None:
    try:
        return table.reader.date(compact_date(table.value(raw, name)), label)
    except CellError as err:
        issues.errors.append(str(err))
        return None


def flag_duplicates(rows: list[ImportRow[DraftT]], key: Callable[[DraftT], str]) -> list[ImportRow[DraftT]]:
    """A draft whose key an earlier row already had gets a warning naming that line (both are kept)."""
    seen: dict[str, int] = {}
    out: list[ImportRow[DraftT]] = []
    for row in rows:  # a loop over file lines, to name the first occurrence
        k = key(row.draft) if row.draft is not None else None
        first = seen.setdefault(k, row.line) if k is not None else row.line
        reasons = (*row.reasons, f"duplicate of line {first}")
        out.append(row if first == row.line else replace(row, status=RowStatus.WARNING, reasons=reasons))
    return out


def symbol_cell(table: RawTable, raw: RawRow, issues: Issues) -> str:
    symbol = unescape_text(table.value(raw, "symbol") or table.value(raw, "underlying")).upper()
    if not symbol:
        issues.errors.append("symbol is missing")
    return symbol
