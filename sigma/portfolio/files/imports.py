"""Broker CSV import of positions and target prices: parse and validate, never write.

Conventions (DOMAIN.md, "Positions and valuation"): types LONG, SHORT, LC, LP, SC, SP;
quantity positive with the side in the type; options carry underlying, strike, expiry and a
multiplier (100 unless the file says otherwise); stocks have multiplier 1. An option's
`symbol` is its compact OCC symbol ("AAPL261218C00150000") however the file wrote it, its
`underlying` the OCC root; the unknown-symbol check looks at the underlying. Every row ends
"ok", "warning" (imported, with a reason) or "error" (not imported); each reason names the
field and the value. The clock is `as_of`: an entry date after it is an error, a missing one
becomes `as_of` (warning). A negative quantity with no side in the file reads as short
(warning); with a long side it is an error. File reading rules: see `csv_read`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

import pandas as pd

from sigma.conventions import OPTION_MULTIPLIER, PositionType
from sigma.delimited import (
    CellError,
    DetectedFormat,
    RawRow,
    RawTable,
    TableSchema,
    is_missing,
    read_table,
    unescape_text,
)
from sigma.errors import ValidationError
from sigma.instruments.occ import OccStyle, OccSymbol, OptionKind, format_occ, looks_like_occ, parse_occ

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

DraftT = TypeVar("DraftT", bound="DataclassInstance")
_SYMBOL = re.compile(r"[A-Z0-9^][A-Z0-9.\-/=^]{0,31}")
_SYNONYMS = {  # normalised header names, best first; "price" is the entry price (cost per share)
    "symbol": "symbol|ticker|instrument|ticker symbol|security|sym|option symbol|occ symbol",
    "quantity": "quantity|qty|shares|units|position|shares held|quantity held|contracts",
    "price": "entry price|cost basis per share|cost basis share|cost per share|cost share|avg cost|average cost|"
    "avg price|average price|unit cost|open price|purchase price|price|cost",
    "date": "entry date|trade date|open date|date acquired|acquired|purchase date|opened|date",
    "type": "position type|type|side|long short|long|short|direction",
    "strike": "strike|strike price",
    "expiry": "expiry|expiration|exp date|expiration date|expiry date|exp|maturity",
    "option_type": "option type|put call|call put|put|call|right|cp",
    "multiplier": "multiplier|contract size|mult",
    "notes": "notes|note|description|comment|comments|memo",
    "underlying": "underlying|underlying symbol|root",
    "target_eoy": "target eoy|target|target price|price target|eoy target|target end of year|eoy",
    "target_next_year": "target next year|next year target|target ny|target next yr|next year",
    "downside": "downside|downside target|downside price|bear case|stop",
    "note": "note|notes|comment|comments|thesis|description",
}
_POSITION_FIELDS = ("symbol", "quantity", "price", "date", "type", "strike", "expiry", "option_type", "multiplier")
POSITION_SCHEMA = TableSchema(
    synonyms={f: tuple(_SYNONYMS[f].split("|")) for f in (*_POSITION_FIELDS, "notes", "underlying")},
    required=(("symbol", "underlying"), ("quantity",)),
    number_fields=frozenset({"quantity", "price", "strike", "multiplier"}),
    date_fields=frozenset({"date", "expiry"}),
)
TARGET_SCHEMA = TableSchema(
    synonyms={
        f: tuple(_SYNONYMS[f].split("|")) for f in ("symbol", "target_eoy", "target_next_year", "downside", "note")
    },
    required=(("symbol",), ("target_eoy", "target_next_year", "downside")),
    number_fields=frozenset({"target_eoy", "target_next_year", "downside"}),
)
_WORDS: dict[str, tuple[int | None, OptionKind | None]] = {
    **dict.fromkeys(("LONG", "L", "BUY", "BOUGHT"), (1, None)),
    **dict.fromkeys(("SHORT", "S", "SELL", "SOLD"), (-1, None)),
    **dict.fromkeys(("CALL", "CALLS", "C"), (None, OptionKind.CALL)),
    **dict.fromkeys(("PUT", "PUTS", "P"), (None, OptionKind.PUT)),
    **dict.fromkeys(("STOCK", "STOCKS", "EQUITY", "ETF", "SHARE", "SHARES", "STK"), (None, None)),
    "LC": (1, OptionKind.CALL),
    "LP": (1, OptionKind.PUT),
    "SC": (-1, OptionKind.CALL),
    "SP": (-1, OptionKind.PUT),
}
_TYPES = {(t.sign, t.option_kind): t for t in PositionType}


class RowStatus(StrEnum):
    """Outcome of one row: ok and warning rows are imported, error rows are not."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class PositionDraft:
    """A validated position ready to store (quantity and price > 0; options fully specified)."""

    symbol: str
    position_type: PositionType
    quantity: float
    entry_price: float
    entry_date: date
    underlying: str | None = None
    strike: float | None = None
    expiry: date | None = None
    multiplier: float = 1.0
    notes: str = ""

    def __post_init__(self) -> None:
        option_fields = (self.underlying, self.strike, self.expiry)
        if self.quantity <= 0 or self.entry_price <= 0 or self.multiplier <= 0:
            raise ValidationError(f"{self.symbol}: quantity, entry price and multiplier must be > 0.")
        if self.position_type.is_option != all(v is not None for v in option_fields):
            raise ValidationError(f"{self.symbol}: options need underlying, strike and expiry; stocks have none.")


@dataclass(frozen=True)
class TargetDraft:
    """Validated target prices for one symbol (each given target > 0)."""

    symbol: str
    target_eoy: float | None
    target_next_year: float | None
    downside: float | None
    note: str = ""


@dataclass(frozen=True)
class ImportRow(Generic[DraftT]):
    """One data row of the file: where, how it went, why, what it said, and the draft if not an error."""

    line: int
    status: RowStatus
    reasons: tuple[str, ...]
    cells: tuple[str, ...]
    symbol: str
    draft: DraftT | None


@dataclass(frozen=True)
class _Preview(Generic[DraftT]):
    rows: tuple[ImportRow[DraftT], ...]
    detected: DetectedFormat

    @property
    def errors(self) -> int:
        """Number of rows that will not be imported."""
        return sum(r.status is RowStatus.ERROR for r in self.rows)

    @property
    def warnings(self) -> int:
        """Number of rows imported with a warning."""
        return sum(r.status is RowStatus.WARNING for r in self.rows)

    @property
    def valid_drafts(self) -> tuple[DraftT, ...]:
        """Drafts of the ok and warning rows, in file order."""
        return tuple(r.draft for r in self.rows if r.draft is not None)

    def _frame(self, rename: dict[str, str]) -> pd.DataFrame:
        records = [
            {"line": r.line, "status": str(r.status), "reason": "; ".join(r.reasons), "symbol": r.symbol}
            | ({rename.get(k, k): v for k, v in asdict(r.draft).items()} if r.draft is not None else {})
            for r in self.rows
        ]
        return pd.DataFrame.from_records(records, columns=["line", "status", "reason", *rename.values()])


@dataclass(frozen=True)
class ImportPreview(_Preview[PositionDraft]):
    """Every data row of a positions file with its status, plus what was detected about the file."""

    def fingerprint(self, draft: PositionDraft) -> str:
        """Stable key of a draft; the service skips drafts whose key is already stored."""
        return position_fingerprint(draft)

    def to_frame(self) -> pd.DataFrame:
        """One row per data line: line, status, reason, symbol, type, quantity, price, date, option fields, notes."""
        names = {f.name: f.name for f in fields(PositionDraft)}
        return self._frame(names | {"position_type": "type", "entry_price": "price", "entry_date": "date"})


@dataclass(frozen=True)
class TargetImportPreview(_Preview[TargetDraft]):
    """Every data row of a target-prices file with its status."""

    def to_frame(self) -> pd.DataFrame:
        """One row per data line: line, status, reason, symbol, target_eoy, target_next_year, downside, note."""
        return self._frame({f.name: f.name for f in fields(TargetDraft)})


def position_fingerprint(draft: PositionDraft) -> str:
    """'symbol|type|quantity|price|date|strike|expiry|multiplier' with numbers written canonically."""
    parts = (draft.symbol, draft.position_type.value, _canon(draft.quantity), _canon(draft.entry_price))
    tail = (draft.entry_date.isoformat(), _canon(draft.strike), str(draft.expiry or ""), _canon(draft.multiplier))
    return "|".join(parts + tail)


def _canon(x: float | None) -> str:
    return "" if x is None else f"{x:.8f}".rstrip("0").rstrip(".")


def _fmt(x: float) -> str:
    return f"{x:.12g}"


@dataclass
class _Issues:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def row(self, raw: RawRow, symbol: str, draft: DraftT | None) -> ImportRow[DraftT]:
        status = RowStatus.ERROR if self.errors else RowStatus.WARNING if self.warnings else RowStatus.OK
        reasons = tuple(self.errors + self.warnings)
        return ImportRow(raw.line, status, reasons, raw.cells, symbol, None if self.errors else draft)


def _number(
    table: RawTable, raw: RawRow, name: str, label: str, issues: _Issues, required: bool = False
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


def _date(table: RawTable, raw: RawRow, name: str, label: str, issues: _Issues) -> date | None:
    try:
        return table.reader.date(table.value(raw, name), label)
    except CellError as err:
        issues.errors.append(str(err))
        return None


@dataclass(frozen=True)
class _Instrument:
    symbol: str
    underlying: str | None = None
    kind: OptionKind | None = None
    strike: float | None = None
    expiry: date | None = None


def parse_positions_csv(data: bytes, as_of: date, known_symbols: Collection[str] | None = None) -> ImportPreview:
    """Read a broker positions file into a preview: one `ImportRow` per data line, nothing written."""
    table = read_table(data, POSITION_SCHEMA)
    known = None if known_symbols is None else {s.strip().upper() for s in known_symbols}
    rows = [_position_row(table, raw, as_of, known) for raw in table.rows]
    return ImportPreview(tuple(_flag_duplicates(rows, position_fingerprint)), table.detected)


def parse_targets_csv(data: bytes, known_symbols: Collection[str] | None = None) -> TargetImportPreview:
    """Read a target-prices file into a preview; a target <= 0 is an error, downside above target a warning."""
    table = read_table(data, TARGET_SCHEMA)
    known = None if known_symbols is None else {s.strip().upper() for s in known_symbols}
    rows = [_target_row(table, raw, known) for raw in table.rows]
    return TargetImportPreview(tuple(_flag_duplicates(rows, lambda d: d.symbol)), table.detected)


def _flag_duplicates(rows: list[ImportRow[DraftT]], key: Callable[[DraftT], str]) -> list[ImportRow[DraftT]]:
    """A draft whose key an earlier row already had gets a warning naming that line (both are kept)."""
    seen: dict[str, int] = {}
    out: list[ImportRow[DraftT]] = []
    for row in rows:  # a loop over file lines, to name the first occurrence
        k = key(row.draft) if row.draft is not None else None
        first = seen.setdefault(k, row.line) if k is not None else row.line
        reasons = (*row.reasons, f"duplicate of line {first}")
        out.append(row if first == row.line else replace(row, status=RowStatus.WARNING, reasons=reasons))
    return out


def _symbol(table: RawTable, raw: RawRow, issues: _Issues) -> str:
    symbol = unescape_text(table.value(raw, "symbol") or table.value(raw, "underlying")).upper()
    if not symbol:
        issues.errors.append("symbol is missing")
    return symbol


def _position_row(table: RawTable, raw: RawRow, as_of: date, known: set[str] | None) -> ImportRow[PositionDraft]:
    issues = _Issues()
    symbol = _symbol(table, raw, issues)
    quantity = _number(table, raw, "quantity", "quantity", issues, required=True)
    price = _price(_number(table, raw, "price", "price", issues, required=True), issues)
    sign, type_kind = _side(table.value(raw, "type"), "type", issues)
    option_sign, option_kind = _side(table.value(raw, "option_type"), "option type", issues)
    instrument = _instrument(table, raw, symbol, type_kind or option_kind, issues) if symbol else None
    quantity, sign = _signed_quantity(quantity, sign or option_sign, table.value(raw, "type"), issues)
    multiplier = _multiplier(_number(table, raw, "multiplier", "multiplier", issues), instrument, issues)
    entry = _date(table, raw, "date", "entry date", issues)
    entry = _entry_date(entry, is_missing(table.value(raw, "date")), as_of, instrument, issues)
    name = instrument.underlying or instrument.symbol if instrument else symbol
    if known is not None and name and name not in known:
        issues.errors.append(f"unknown symbol {name}")
    if issues.errors or not (instrument and quantity and price and entry and multiplier):
        return issues.row(raw, symbol, None)
    notes = unescape_text(table.value(raw, "notes"))
    draft = PositionDraft(
        instrument.symbol, _TYPES[(sign, instrument.kind)], quantity, price, entry,
        instrument.underlying, instrument.strike, instrument.expiry, multiplier, notes,
    )  # fmt: skip
    return issues.row(raw, instrument.symbol, draft)


def _price(price: float | None, issues: _Issues) -> float | None:
    if price is not None and price <= 0:
        issues.errors.append("price is 0" if price == 0 else f"price {_fmt(price)} is negative")
        return None
    return price


def _side(text: str, label: str, issues: _Issues) -> tuple[int | None, OptionKind | None]:
    """(+1 long / -1 short / None, call / put / None) from words like 'Long Call', 'Sell', 'SP'."""
    signs: set[int] = set()
    kinds: set[OptionKind] = set()
    for word in re.findall(r"[A-Z]+", text.upper()):
        if word not in _WORDS:
            issues.errors.append(f"{label} {text!r} is unknown (use LONG, SHORT, LC, LP, SC, SP, Buy/Sell, Call/Put)")
            return None, None
        sign, kind = _WORDS[word]
        signs |= {sign} if sign is not None else set()
        kinds |= {kind} if kind is not None else set()
        if word in ("SELL", "SOLD"):
            issues.warnings.append(f"{label} {text!r} read as short")
    if len(signs) > 1 or len(kinds) > 1:
        issues.errors.append(f"{label} {text!r} contradicts itself")
        return None, None
    return next(iter(signs), None), next(iter(kinds), None)


def _instrument(
    table: RawTable, raw: RawRow, symbol: str, kind: OptionKind | None, issues: _Issues
) -> _Instrument | None:
    """The stock or option a row names: an OCC symbol, or separate underlying/strike/expiry/put-call columns."""
    strike = _number(table, raw, "strike", "strike", issues)
    expiry = _date(table, raw, "expiry", "expiry", issues)
    if looks_like_occ(symbol):
        return _from_occ(symbol, strike, expiry, kind, issues)
    if kind is not None or strike is not None or expiry is not None:
        underlying = unescape_text(table.value(raw, "underlying")).upper() or symbol
        return _from_columns(underlying, kind, strike, expiry, issues)
    if not _SYMBOL.fullmatch(symbol):
        issues.errors.append(f"symbol {symbol!r} is not a ticker (letters, digits and . - / ^ =, no spaces)")
        return None
    return _Instrument(symbol)


def _option(occ: OccSymbol) -> _Instrument:
    return _Instrument(format_occ(occ, OccStyle.COMPACT), occ.underlying, occ.kind, occ.strike, occ.expiry)


def _from_occ(
    symbol: str, strike: float | None, expiry: date | None, kind: OptionKind | None, issues: _Issues
) -> _Instrument | None:
    try:
        occ = parse_occ(symbol)
    except ValidationError as err:
        issues.errors.append(f"symbol {symbol!r}: {err}")
        return None
    _agree(occ, strike, expiry, kind, issues)
    return _option(occ)


def _from_columns(
    underlying: str, kind: OptionKind | None, strike: float | None, expiry: date | None, issues: _Issues
) -> _Instrument | None:
    missing = [n for n, v in (("call/put", kind), ("strike", strike), ("expiry", expiry)) if v is None]
    if missing:
        issues.errors.append(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing for an option")
        return None
    if strike is not None and strike <= 0:
        issues.errors.append(f"strike {_fmt(strike)} is not positive")
        return None
    try:
        return _option(OccSymbol(underlying, expiry, kind, strike))  # type: ignore[arg-type]
    except ValidationError as err:
        issues.errors.append(f"underlying {underlying!r}: {err}")
        return None


def _agree(occ: OccSymbol, strike: float | None, expiry: date | None, kind: OptionKind | None, issues: _Issues) -> None:
    """Separate option columns, when filled, must say what the OCC symbol says."""
    if strike is not None and abs(strike - occ.strike) > 1e-6:
        issues.errors.append(f"strike {_fmt(strike)} disagrees with the symbol's {_fmt(occ.strike)}")
    if expiry is not None and expiry != occ.expiry:
        issues.errors.append(f"expiry {expiry} disagrees with the symbol's {occ.expiry}")
    if kind is not None and kind is not occ.kind:
        issues.errors.append(f"option type {kind} disagrees with the symbol's {occ.kind}")


def _signed_quantity(
    quantity: float | None, sign: int | None, type_text: str, issues: _Issues
) -> tuple[float | None, int]:
    """(positive quantity, side); a negative quantity without a side reads as short."""
    if quantity is None:
        return None, sign or 1
    if quantity == 0:
        issues.errors.append("quantity is 0")
        return None, sign or 1
    if quantity < 0 and sign is None:
        issues.warnings.append("negative quantity read as short")
        sign = -1
    elif quantity < 0 and sign == 1:
        issues.errors.append(f"quantity {_fmt(quantity)} is negative for a long position (type {type_text!r})")
        return None, sign
    return abs(quantity), sign or 1


def _multiplier(value: float | None, instrument: _Instrument | None, issues: _Issues) -> float | None:
    if instrument is None or instrument.kind is None:
        if value is not None and value != 1:
            issues.warnings.append(f"multiplier {_fmt(value)} ignored for a stock (1 used)")
        return 1.0
    if value is not None and value <= 0:
        issues.errors.append(f"multiplier {_fmt(value)} is not positive")
        return None
    return float(OPTION_MULTIPLIER) if value is None else value


def _entry_date(
    entry: date | None, blank: bool, as_of: date, instrument: _Instrument | None, issues: _Issues
) -> date | None:
    """The entry date checked against the clock and the expiry; a blank one becomes `as_of` (warning)."""
    if entry is None and not blank:  # unreadable: already reported
        return None
    if entry is None:
        issues.warnings.append(f"entry date missing; the as-of date {as_of} is used")
        entry = as_of
    if entry > as_of:
        issues.errors.append(f"entry date {entry} is after the as-of date {as_of}")
    expiry = instrument.expiry if instrument else None
    if expiry is not None and expiry <= entry:
        issues.errors.append(f"expiry {expiry} is not after the entry date {entry}")
    elif expiry is not None and expiry < as_of:
        issues.warnings.append(f"option expired on {expiry}")
    return entry


def _target_row(table: RawTable, raw: RawRow, known: set[str] | None) -> ImportRow[TargetDraft]:
    issues = _Issues()
    symbol = _symbol(table, raw, issues)
    labels = {"target_eoy": "target EOY", "target_next_year": "target next year", "downside": "downside"}
    values = {name: _number(table, raw, name, label, issues) for name, label in labels.items()}
    for name, value in values.items():
        if value is not None and value <= 0:
            issues.errors.append(f"{labels[name]} {_fmt(value)} is not positive")
    if all(v is None for v in values.values()) and not issues.errors:
        issues.errors.append("no target given (target EOY, target next year or downside)")
    upside = values["target_eoy"] if values["target_eoy"] is not None else values["target_next_year"]
    downside = values["downside"]
    if upside is not None and downside is not None and 0 < upside < downside:
        issues.warnings.append(f"downside {_fmt(downside)} is above the target {_fmt(upside)}")
    if symbol and known is not None and symbol not in known:
        issues.errors.append(f"unknown symbol {symbol}")
    note = unescape_text(table.value(raw, "note"))
    return issues.row(
        raw, symbol, TargetDraft(symbol, values["target_eoy"], values["target_next_year"], downside, note)
    )
