"""The validation every entry path shares: forms, CSV imports, edits and the service.

Conventions (DOMAIN.md, "Positions and valuation"): quantity > 0 with the side in the type;
entry price > 0; options carry underlying, strike > 0, expiry after the entry date and a
multiplier > 0; stocks are stored with multiplier 1 and no option fields. The entry date may
not be after `today` (the service's clock); the priced symbol (the underlying for options) must
be known to the price store, else `UnknownSymbol` names it. An exit needs exit date ≥ entry
date and ≤ today, and an exit price > 0 (≥ 0 for options, which may expire worthless).
Portfolio names have 1 to 128 characters, tag names 1 to 64, tag colours are #rrggbb; a
target, when given, is a number > 0.
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


def exit_errors(entry: date, exit_date: object, exit_price: object, is_option: bool, today: date) -> list[str]:
    """Every problem with an exit date and price, one message per field."""
    errors: list[str] = []
    if not isinstance(exit_date, date):
        errors.append("exit_date: closing needs an exit date.")
    elif exit_date < entry:
        errors.append(f"exit_date: {exit_date} is before the entry date {entry}.")
    elif exit_date > today:
        errors.append(f"exit_date: {exit_date} is in the future (today is {today}).")
    valid = (
        isinstance(exit_price, int | float)
        and not math.isnan(exit_price)
        and (exit_price >= 0 if is_option else exit_price > 0)
    )
    if not valid:
        errors.append(f"exit_price: must be {'0 or more' if is_option else 'greater than 0'} (got {exit_price!r}).")
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
    if not amount > 0:
        raise ValidationError(f"amount: enter a positive amount (got {amount}); the kind gives the sign.")
    if day > today:
        raise ValidationError(f"date: {day} is in the future (today is {today}).")
    return flow_kind, -float(amount) if flow_kind is FlowKind.WITHDRAWAL else float(amount)


TARGET_FIELDS = ("target_eoy", "target_next_year", "downside")


def _target_value(raw: object, name: str) -> float | None:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)):
        return None
    if not isinstance(raw, int | float) or raw <= 0:
        raise ValidationError(f"{name}: a target must be a number greater than 0 (got {raw!r}).")
    return float(raw)


def target_row(position_id: int, values: Mapping[str, object]) -> dict[str, object]:
    """A checked target_prices row (blank targets are None, a blank note is "")."""
    note = values.get("note")
    clean_note = "" if note is None or (isinstance(note, float) and math.isnan(note)) else str(note)
    return {
        "position_id": int(position_id),
        **{name: _target_value(values.get(name), name) for name in TARGET_FIELDS},
        "note": clean_note,
    }
