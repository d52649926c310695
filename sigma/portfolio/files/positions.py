"""Broker CSV import of positions: parse and validate, never write.

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
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sigma.conventions import OPTION_MULTIPLIER, OptionKind, PositionType
from sigma.delimited.cells import is_missing, unescape_text
from sigma.delimited.table import RawRow, RawTable, TableSchema, read_table
from sigma.errors import ValidationError
from sigma.instruments.occ import OccStyle, OccSymbol, format_occ, looks_like_occ, parse_occ
from sigma.portfolio.files.rows import (
    Issues,
    date_cell,
    flag_duplicates,
    fmt_number,
    number_cell,
    schema_synonyms,
    symbol_cell,
)
from sigma.portfolio.model import ImportPreview, ImportRow, PositionDraft, position_fingerprint

_SYMBOL = re.compile(r"[A-Z0-9^][A-Z0-9.\-/=^]{0,31}")
_POSITION_FIELDS = ("symbol", "quantity", "price", "date", "type", "strike", "expiry", "option_type", "multiplier")
POSITION_SCHEMA = TableSchema(
    synonyms=schema_synonyms(*_POSITION_FIELDS, "notes", "underlying"),
    required=(("symbol", "underlying"), ("quantity",)),
    number_fields=frozenset({"quantity", "price", "strike", "multiplier"}),
    date_fields=frozenset({"date", "expiry"}),
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
    return ImportPreview(tuple(flag_duplicates(rows, position_fingerprint)), table.detected)


def _position_row(table: RawTable, raw: RawRow, as_of: date, known: set[str] | None) -> ImportRow[PositionDraft]:
    issues = Issues()
    symbol = symbol_cell(table, raw, issues)
    quantity = number_cell(table, raw, "quantity", "quantity", issues, required=True)
    price = _price(number_cell(table, raw, "price", "price", issues, required=True), issues)
    sign, type_kind = _side(table.value(raw, "type"), "type", issues)
    option_sign, option_kind = _side(table.value(raw, "option_type"), "option type", issues)
    instrument = _instrument(table, raw, symbol, type_kind or option_kind, issues) if symbol else None
    quantity, sign = _signed_quantity(quantity, sign or option_sign, table.value(raw, "type"), issues)
    multiplier = _multiplier(number_cell(table, raw, "multiplier", "multiplier", issues), instrument, issues)
    entry = date_cell(table, raw, "date", "entry date", issues)
    entry = _entrydate_cell(entry, is_missing(table.value(raw, "date")), as_of, instrument, issues)
    name = instrument.underlying or instrument.symbol if instrument else symbol
    if known is not None and name and name not in known:
        issues.errors.append(f"unknown symbol {name}")
    if issues.errors or not (instrument and quantity and price and entry and multiplier):
        return issues.row(raw, symbol, None)
    notes = unescape_text(table.value(raw, "notes"))
    draft = PositionDraft(
        instrument.symbol,
        _TYPES[(sign, instrument.kind)],
        quantity,
        price,
        entry,
        instrument.underlying,
        instrument.strike,
        instrument.expiry,
        multiplier,
        notes,
    )
    return issues.row(raw, instrument.symbol, draft)


def _price(price: float | None, issues: Issues) -> float | None:
    if price is not None and price <= 0:
        issues.errors.append("price is 0" if price == 0 else f"price {fmt_number(price)} is negative")
        return None
    return price


def _side(text: str, label: str, issues: Issues) -> tuple[int | None, OptionKind | None]:
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
    table: RawTable, raw: RawRow, symbol: str, kind: OptionKind | None, issues: Issues
) -> _Instrument | None:
    """The stock or option a row names: an OCC symbol, or separate underlying/strike/expiry/put-call columns."""
    strike = number_cell(table, raw, "strike", "strike", issues)
    expiry = date_cell(table, raw, "expiry", "expiry", issues)
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
    symbol: str, strike: float | None, expiry: date | None, kind: OptionKind | None, issues: Issues
) -> _Instrument | None:
    try:
        occ = parse_occ(symbol)
    except ValidationError as err:
        issues.errors.append(f"symbol {symbol!r}: {err}")
        return None
    _agree(occ, strike, expiry, kind, issues)
    return _option(occ)


def _from_columns(
    underlying: str, kind: OptionKind | None, strike: float | None, expiry: date | None, issues: Issues
) -> _Instrument | None:
    missing = [n for n, v in (("call/put", kind), ("strike", strike), ("expiry", expiry)) if v is None]
    if missing:
        issues.errors.append(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing for an option")
        return None
    if strike is not None and strike <= 0:
        issues.errors.append(f"strike {fmt_number(strike)} is not positive")
        return None
    try:
        return _option(OccSymbol(underlying, expiry, kind, strike))  # type: ignore[arg-type]
    except ValidationError as err:
        issues.errors.append(f"underlying {underlying!r}: {err}")
        return None


def _agree(occ: OccSymbol, strike: float | None, expiry: date | None, kind: OptionKind | None, issues: Issues) -> None:
    """Separate option columns, when filled, must say what the OCC symbol says."""
    if strike is not None and abs(strike - occ.strike) > 1e-6:
        issues.errors.append(f"strike {fmt_number(strike)} disagrees with the symbol's {fmt_number(occ.strike)}")
    if expiry is not None and expiry != occ.expiry:
        issues.errors.append(f"expiry {expiry} disagrees with the symbol's {occ.expiry}")
    if kind is not None and kind is not occ.kind:
        issues.errors.append(f"option type {kind} disagrees with the symbol's {occ.kind}")


def _signed_quantity(
    quantity: float | None, sign: int | None, type_text: str, issues: Issues
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
        issues.errors.append(f"quantity {fmt_number(quantity)} is negative for a long position (type {type_text!r})")
        return None, sign
    return abs(quantity), sign or 1


def _multiplier(value: float | None, instrument: _Instrument | None, issues: Issues) -> float | None:
    if instrument is None or instrument.kind is None:
        if value is not None and value != 1:
            issues.warnings.append(f"multiplier {fmt_number(value)} ignored for a stock (1 used)")
        return 1.0
    if value is not None and value <= 0:
        issues.errors.append(f"multiplier {fmt_number(value)} is not positive")
        return None
    return float(OPTION_MULTIPLIER) if value is None else value


def _entrydate_cell(
    entry: date | None, blank: bool, as_of: date, instrument: _Instrument | None, issues: Issues
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
