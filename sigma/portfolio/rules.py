"""The validation every entry path shares: forms, CSV imports, edits and the service.

Conventions (DOMAIN.md, "Positions and valuation"): quantity > 0 with the side in the type;
entry price > 0; options carry underlying, strike > 0, expiry after the entry date and a
multiplier > 0; stocks are stored with multiplier 1 and no option fields. The entry date may
not be after `today` (the service's clock); the priced symbol (the underlying for options) must
be known to the price store, else `UnknownSymbol` names it. An exit needs exit date ≥ entry
date and ≤ today, and an exit price > 0 (≥ 0 for options, which may expire worthless).
Portfolio names have 1 to 128 characters, tag names 1 to 64, tag colours are #rrggbb; a
target, when given, is a number > 0.

Every number is finite and inside the bounds below (the database's CHECK constraints, migration
0004, hold the same bounds as the last guard): inf, NaN, 1e308 or a 400-digit integer is refused
with a message that names the field and the bounds, and nothing is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import fields as dc_fields
from datetime import date
from typing import Any

from sigma.conventions import PositionType
from sigma.errors import UnknownSymbol, ValidationError
from sigma.portfolio.model import FlowKind, PositionDraft

DRAFT_FIELDS = tuple(f.name for f in dc_fields(PositionDraft))
EDITABLE = frozenset({*DRAFT_FIELDS, "exit_date", "exit_price"})
KnownCheck = Callable[[list[str]], None]

MAX_QUANTITY = 1e9  # shares or contracts in one position
MAX_PRICE = 1e7  # a price per share: entry, exit, strike, target; also the store's prices
MAX_MULTIPLIER = 1e4  # shares per option contract
MAX_CASH = 1e12  # a cash balance, and one cash flow


def finite(value: object) -> float | None:
    """`value` as a float when it is a real, finite number; None for inf, NaN, text, bools, huge ints."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range (a 400-digit number)
        return None
    return number if math.isfinite(number) else None


def in_range(value: object, high: float, zero_ok: bool = False) -> bool:
    """True when `value` is a finite number in (0, high] (or [0, high] with `zero_ok`)."""
    number = finite(value)
    return number is not None and (number >= 0 if zero_ok else number > 0) and number <= high


def bound(high: float) -> str:
    """A bound as people write it: 1,000,000,000."""
    return f"{high:,.0f}"


def shown(value: object) -> str:
    """`value` for a message, cut short when it is a 400-digit number."""
    text = repr(value)
    return text if len(text) <= 24 else f"{text[:12]}… ({len(text)} characters)"


def _positive(values: Mapping[str, Any], name: str, high: float, errors: list[str]) -> None:
    value = values.get(name)
    if not in_range(value, high):
        errors.append(f"{name}: must be a number greater than 0 and at most {bound(high)} (got {shown(value)}).")


def _option_errors(values: Mapping[str, Any], kind: PositionType, errors: list[str]) -> None:
    if not kind.is_option:
        return
    if not values.get("underlying"):
        errors.append("underlying: an option needs the underlying symbol it is priced from.")
    _positive(values, "strike", MAX_PRICE, errors)
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
    _positive(values, "quantity", MAX_QUANTITY, errors)
    _positive(values, "entry_price", MAX_PRICE, errors)
    entry = values.get("entry_date")
    if not isinstance(entry, date):
        errors.append("entry_date: a position needs an entry date.")
    elif entry > today:
        errors.append(f"entry_date: {entry} is in the future (today is {today}).")
    if kind is not None:
        _option_errors(values, kind, errors)
        if kind.is_option:
            _positive(values, "multiplier", MAX_MULTIPLIER, errors)
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


def exit_errors(entry: date, exit_date: object, exit_price: object, is_option: bool, today: date) -> list[str]:
    """Every problem with an exit date and price, one message per field."""
    errors: list[str] = []
    if not isinstance(exit_date, date):
        errors.append("exit_date: closing needs an exit date.")
    elif exit_date < entry:
        errors.append(f"exit_date: {exit_date} is before the entry date {entry}.")
    elif exit_date > today:
        errors.append(f"exit_date: {exit_date} is in the future (today is {today}).")
    if not in_range(exit_price, MAX_PRICE, zero_ok=is_option):
        low = "0 or more" if is_option else "greater than 0"
        errors.append(f"exit_price: must be {low} and at most {bound(MAX_PRICE)} (got {shown(exit_price)}).")
    return errors


MAX_NAME = 128


def clean_name(name: str) -> str:
    """A portfolio name without surrounding blanks; empty or too long is a ValidationError."""
    text = (name or "").strip()
    if not text:
        raise ValidationError("name: a portfolio needs a name.")
    if len(text) > MAX_NAME:
        raise ValidationError(f"name: at most {MAX_NAME} characters (got {len(text)}).")
    return text


MAX_TAG = 64
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def tag_name(name: str) -> str:
    """A tag name without surrounding blanks, 1 to MAX_TAG characters."""
    text = (name or "").strip()
    if not 0 < len(text) <= MAX_TAG:
        raise ValidationError(f"name: a tag name has 1 to {MAX_TAG} characters (got {len(text)}).")
    return text


def tag_color(color: str) -> str:
    """A #rrggbb colour, lower-cased."""
    if not _COLOR.fullmatch(color or ""):
        raise ValidationError(f"color: use a hex colour like #4c78a8 (got {color!r}).")
    return color.lower()


def signed_flow(kind: FlowKind | str, amount: float, day: date, today: date) -> tuple[FlowKind, float]:
    """(kind, signed amount) of a cash flow entered positive, dated no later than `today`."""
    try:
        flow_kind = FlowKind(kind)
    except ValueError:
        raise ValidationError(f"kind: {kind!r} is not one of deposit, withdrawal, dividend.") from None
    if not in_range(amount, MAX_CASH):
        raise ValidationError(
            f"amount: enter a positive amount of at most {bound(MAX_CASH)} (got {shown(amount)}); "
            "the kind gives the sign."
        )
    if day > today:
        raise ValidationError(f"date: {day} is in the future (today is {today}).")
    return flow_kind, -float(amount) if flow_kind is FlowKind.WITHDRAWAL else float(amount)


def opening_cash(cash: object) -> float:
    """The opening cash of a new portfolio: a finite number in [0, MAX_CASH]."""
    number = finite(cash)
    if number is None or not 0 <= number <= MAX_CASH:
        raise ValidationError(
            f"cash: the opening cash must be 0 or more and at most {bound(MAX_CASH)} (got {shown(cash)})."
        )
    return number


def new_balance(balance: float, signed: float) -> float:
    """The cash balance after a signed flow: never below 0 nor above MAX_CASH."""
    after = balance + signed
    if after < -1e-9:
        raise ValidationError(f"amount: withdrawing {-signed:,.2f} exceeds the cash balance {balance:,.2f}.")
    if after > MAX_CASH:
        raise ValidationError(f"amount: the cash balance would be {after:,.2f}, over the limit of {bound(MAX_CASH)}.")
    return max(after, 0.0)  # a rounding residue below 0 is 0


TARGET_FIELDS = ("target_eoy", "target_next_year", "downside")


def _target_value(raw: object, name: str) -> float | None:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None  # a blank cell of the data editor
    number = finite(raw)
    if number is None or not 0 < number <= MAX_PRICE:
        raise ValidationError(
            f"{name}: a target must be a number greater than 0 and at most {bound(MAX_PRICE)} (got {shown(raw)})."
        )
    return number


def target_row(position_id: int, values: Mapping[str, object]) -> dict[str, object]:
    """A checked target_prices row (blank targets are None, a blank note is "")."""
    note = values.get("note")
    clean_note = "" if note is None or (isinstance(note, float) and math.isnan(note)) else str(note)
    return {
        "position_id": int(position_id),
        **{name: _target_value(values.get(name), name) for name in TARGET_FIELDS},
        "note": clean_note,
    }
