"""Lines of a broker export that are not positions: cash, pending activity, totals, notes.

Every such line is kept out of the positions and accounted for, never an error:

- cash: a money-market sweep (Fidelity's core `SPAXX**`, any symbol ending in `**`, a
  preset's sweep fund such as Vanguard's VMFXX), a `Security Type` / `AssetClass` of cash,
  or a line named "Cash ..." without a quantity (Schwab "Cash & Cash Investments", E*TRADE
  "CASH", Degiro "CASH & CASH FUND & FTX CASH (EUR)"). Its amount is the market value
  column, else quantity × last price, else the quantity; the preview sums it as the cash
  found (in the file's currency). Importing never writes it as a position; the page offers
  to record it as a deposit.
- skipped, with a note: "Pending Activity", "Account Total" / "Total" lines, IBKR Flex
  section markers (BOF, BOS, EOS, ...), text lines without a quantity (disclaimers), and a
  second table after the positions (Vanguard's transactions).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from sigma.delimited.cells import CellError, is_missing
from sigma.delimited.table import RawRow, RawTable, normalise_header
from sigma.errors import ValidationError
from sigma.portfolio.files.descriptions import option_from_text
from sigma.portfolio.files.presets import BrokerPreset

_CASH_TYPES = frozenset({"cash and money market", "cash", "money market", "cash equivalents", "cash sweep"})
_SKIP = re.compile(r"pending activity|(?:account |grand |sub ?)?totals?(?: .*)?")
_FLEX_MARKERS = frozenset({"BOF", "BOA", "BOS", "EOS", "EOA", "EOF", "HEADER"})


class LineKind(StrEnum):
    """What a data line of a positions file is."""

    POSITION = "position"
    CASH = "cash"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class CashLine:
    """A cash or money-market line: where, as written, and its amount (None when unreadable)."""

    line: int
    label: str
    amount: float | None


def _label(table: RawTable, raw: RawRow) -> str:
    symbol = table.value(raw, "symbol")
    return symbol or next((c.strip() for c in raw.cells if c.strip()), "")


def line_kind(table: RawTable, raw: RawRow, preset: BrokerPreset) -> tuple[LineKind, str]:
    """(kind, why) of one data line; `why` is the note of a skipped line."""
    label = _label(table, raw)
    name = normalise_header(label)
    no_quantity = is_missing(table.value(raw, "quantity"))
    flex = table.detected.header[:1] and normalise_header(table.detected.header[0]) == "header"
    if flex and raw.cells[:1] and raw.cells[0].strip().upper() in _FLEX_MARKERS:
        return LineKind.SKIPPED, f"Flex section marker {raw.cells[0].strip()!r}"
    if no_quantity and _SKIP.fullmatch(name):
        return LineKind.SKIPPED, f"{label!r} is not a position (activity or total line)"
    security_type = normalise_header(table.value(raw, "security_type"))
    if label.endswith("**") or label.upper() in preset.cash_symbols or security_type in _CASH_TYPES:
        return LineKind.CASH, "cash"
    if no_quantity and name.startswith("cash"):
        return LineKind.CASH, "cash"
    prose = " " in label.strip() and not _names_option(label)
    if prose and _number(table, raw, "quantity") is None:
        return LineKind.SKIPPED, f"{label[:60]!r} is a text line without a quantity (note or disclaimer)"
    return LineKind.POSITION, ""


def _names_option(label: str) -> bool:
    try:
        return option_from_text(label) is not None
    except ValidationError:  # an option's shape with a bad date: a position row reports it
        return True


def cash_line(table: RawTable, raw: RawRow) -> CashLine:
    """The amount of a cash line: market value, else quantity × last price, else quantity."""
    value, quantity, last = (_number(table, raw, f) for f in ("value", "quantity", "last_price"))
    amount = value if value is not None else quantity * last if quantity is not None and last else quantity
    return CashLine(raw.line, _label(table, raw), amount)


def _number(table: RawTable, raw: RawRow, name: str) -> float | None:
    try:
        return table.reader.number(table.value(raw, name), name)
    except CellError:
        return None


def cut_second_table(table: RawTable) -> tuple[RawTable, tuple[str, ...]]:
    """Drop a second table that starts after the positions (a new header with the same first column)."""
    header = [normalise_header(h) for h in table.detected.header]
    if not header or not header[0]:
        return table, ()
    for index, raw in enumerate(table.rows):
        cells = [normalise_header(c) for c in raw.cells]
        if cells[:1] == header[:1] and cells != header:
            dropped = len(table.rows) - index
            note = (
                f"line {raw.line}: a second table starts here; its {dropped} line(s) are not positions and are ignored"
            )
            return replace(table, rows=table.rows[:index]), (note,)
    return table, ()
