"""Broker CSV import of positions: parse and validate, never write.

Conventions (DOMAIN.md, "Positions and valuation"): types LONG, SHORT, LC, LP, SC, SP;
quantity positive with the side in the type; options carry underlying, strike, expiry and a
multiplier (100 unless the file says otherwise); stocks have multiplier 1. An option's
`symbol` is its compact OCC symbol ("AAPL261218C00150000") however the file wrote it, its
`underlying` the OCC root; the unknown-symbol check looks at the underlying. Every row ends
"ok", "warning" (imported, with a reason) or "error" (not imported); each reason names the
field and the value. The clock is `as_of`: an entry date after it is an error, a missing one
becomes `as_of` (warning). A negative quantity with no side in the file reads as short
(warning); with a long side it is an error. An account type (Cash, Margin) is no side.

The file is read with one preset (`files.presets`, chosen by `files.mapping`); cash and
non-position lines are set aside by `files.lines`. The entry price is the cost per share;
else the total cost ÷ (|quantity| × multiplier); else the last price, with a warning.
File reading rules: see `sigma.delimited`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from datetime import date

from sigma.conventions import OPTION_MULTIPLIER, OptionKind, PositionType
from sigma.delimited.cells import is_missing, unescape_text
from sigma.delimited.table import RawRow, RawTable, read_table
from sigma.errors import ValidationError
from sigma.portfolio import rules
from sigma.portfolio.files.contracts import Instrument, instrument, row_symbol
from sigma.portfolio.files.lines import CashLine, LineKind, cash_line, cut_second_table, line_kind
from sigma.portfolio.files.mapping import ImportOptions, choose_preset
from sigma.portfolio.files.presets import BrokerPreset
from sigma.portfolio.files.rows import Issues, date_cell, flag_duplicates, fmt_number, number_cell
from sigma.portfolio.model import ImportPreview, ImportRow, PositionDraft, position_fingerprint

_WORDS: dict[str, tuple[int | None, OptionKind | None]] = {
    **dict.fromkeys(("LONG", "L", "BUY", "BOUGHT"), (1, None)),
    **dict.fromkeys(("SHORT", "S", "SELL", "SOLD"), (-1, None)),
    **dict.fromkeys(("CALL", "CALLS", "C"), (None, OptionKind.CALL)),
    **dict.fromkeys(("PUT", "PUTS", "P"), (None, OptionKind.PUT)),
    **dict.fromkeys(("STOCK", "STOCKS", "EQUITY", "ETF", "SHARE", "SHARES", "STK"), (None, None)),
    **dict.fromkeys(("CASH", "MARGIN", "OPTION", "OPTIONS", "OPT"), (None, None)),  # account / asset types
    "LC": (1, OptionKind.CALL),
    "LP": (1, OptionKind.PUT),
    "SC": (-1, OptionKind.CALL),
    "SP": (-1, OptionKind.PUT),
}
_TYPES = {(t.sign, t.option_kind): t for t in PositionType}


@dataclass(frozen=True)
class BrokerPreview(ImportPreview):
    """An `ImportPreview` plus the preset that read the file, the cash found and the lines set aside."""

    preset: str = "generic"
    preset_label: str = "Generic CSV (columns matched by name)"
    cash: tuple[CashLine, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def cash_total(self) -> float:
        """The sum of the readable cash lines (in the file's currency)."""
        return sum(c.amount for c in self.cash if c.amount is not None)


@dataclass(frozen=True)
class _Context:
    as_of: date
    known: set[str] | None
    isins: Mapping[str, str]


def parse_positions_csv(
    data: bytes, as_of: date, known_symbols: Collection[str] | None = None, options: ImportOptions | None = None
) -> BrokerPreview:
    """Read a broker positions file into a preview: one `ImportRow` per position line, nothing written."""
    options = options or ImportOptions()
    preset = choose_preset(data, options)
    table, notes = cut_second_table(_read(data, preset))
    known = None if known_symbols is None else {s.strip().upper() for s in known_symbols}
    context = _Context(as_of, known, options.isins)
    rows: list[ImportRow[PositionDraft]] = []
    cash: list[CashLine] = []
    skipped: list[str] = []
    for raw in table.rows:  # a loop over file lines: each line is one decision
        kind, why = line_kind(table, raw, preset)
        if kind is LineKind.CASH:
            cash.append(cash_line(table, raw))
        elif kind is LineKind.SKIPPED:
            skipped.append(f"line {raw.line}: skipped, {why}")
        else:
            rows.append(_position_row(table, raw, context))
    cash_notes = [f"line {c.line}: {c.label!r} is cash ({_amount(c.amount)}), not a position" for c in cash]
    return BrokerPreview(
        tuple(flag_duplicates(rows, position_fingerprint)),
        table.detected,
        preset.key,
        preset.label,
        tuple(cash),
        (*notes, *cash_notes, *skipped),
    )


def _read(data: bytes, preset: BrokerPreset) -> RawTable:
    try:
        return read_table(data, preset.schema)
    except ValidationError as err:
        if not str(err).startswith("No header row"):
            raise
        advice = f"Read as: {preset.label}. Choose your broker's preset, or Generic and map the columns by hand."
        raise ValidationError(f"{err} {advice}") from err


def _amount(amount: float | None) -> str:
    return "amount unreadable" if amount is None else f"{amount:,.2f}"


def _position_row(table: RawTable, raw: RawRow, ctx: _Context) -> ImportRow[PositionDraft]:
    issues = Issues()
    symbol = row_symbol(table, raw, ctx.isins, issues)
    quantity = number_cell(table, raw, "quantity", "quantity", issues, required=True)
    sign, type_kind = _side(table.value(raw, "type"), "type", issues)
    option_sign, option_kind = _side(table.value(raw, "option_type"), "option type", issues)
    contract = instrument(table, raw, symbol, type_kind or option_kind, issues) if symbol else None
    quantity, sign = _signed_quantity(quantity, sign or option_sign, table.value(raw, "type"), issues)
    multiplier = _multiplier(number_cell(table, raw, "multiplier", "multiplier", issues), contract, issues)
    price = _entry_price(table, raw, quantity, multiplier, issues)
    entry = date_cell(table, raw, "date", "entry date", issues)
    entry = _entrydate_cell(entry, is_missing(table.value(raw, "date")), ctx.as_of, contract, issues)
    name = contract.underlying or contract.symbol if contract else symbol
    if ctx.known is not None and name and name not in ctx.known:
        issues.errors.append(f"unknown symbol {name}")
    if issues.errors or not (contract and quantity and price and entry and multiplier):
        return issues.row(raw, symbol, None)
    notes = unescape_text(table.value(raw, "notes"))
    draft = PositionDraft(
        contract.symbol,
        _TYPES[(sign, contract.kind)],
        quantity,
        price,
        entry,
        contract.underlying,
        contract.strike,
        contract.expiry,
        multiplier,
        notes,
    )
    issues.errors.extend(rules.field_errors(asdict(draft), date.max))  # the commit's own checks: no "ok" it refuses
    return issues.row(raw, contract.symbol, None if issues.errors else draft)


def _entry_price(
    table: RawTable, raw: RawRow, quantity: float | None, multiplier: float | None, issues: Issues
) -> float | None:
    """Cost per share; else total cost ÷ (quantity × multiplier); else the last price (warning)."""
    price = number_cell(table, raw, "price", "price", issues)
    if price is None and quantity and multiplier:
        total = number_cell(table, raw, "cost_total", "cost basis", issues)
        price = None if total is None else abs(total) / (quantity * multiplier)
    if price is None:
        price = number_cell(table, raw, "last_price", "last price", issues)
        if price is not None:
            issues.warnings.append(f"no cost basis in the file; entry price is the last price {fmt_number(price)}")
    if price is None:
        issues.errors.append("price is missing")
    return _price(price, issues)


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


def _multiplier(value: float | None, contract: Instrument | None, issues: Issues) -> float | None:
    if contract is None or contract.kind is None:
        if value is not None and value != 1:
            issues.warnings.append(f"multiplier {fmt_number(value)} ignored for a stock (1 used)")
        return 1.0
    if value is not None and value <= 0:
        issues.errors.append(f"multiplier {fmt_number(value)} is not positive")
        return None
    return float(OPTION_MULTIPLIER) if value is None else value


def _entrydate_cell(
    entry: date | None, blank: bool, as_of: date, contract: Instrument | None, issues: Issues
) -> date | None:
    """The entry date checked against the clock and the expiry; a blank one becomes `as_of` (warning)."""
    if entry is None and not blank:  # unreadable: already reported
        return None
    if entry is None:
        issues.warnings.append(f"entry date missing; the as-of date {as_of} is used")
        entry = as_of
    if entry > as_of:
        issues.errors.append(f"entry date {entry} is after the as-of date {as_of}")
    expiry = contract.expiry if contract else None
    if expiry is not None and expiry <= entry:
        issues.errors.append(f"expiry {expiry} is not after the entry date {entry}")
    elif expiry is not None and expiry < as_of:
        issues.warnings.append(f"option expired on {expiry}")
    return entry
