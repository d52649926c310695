"""The stock or option contract a positions row names, and the ISIN a row may give instead.

An option comes from an OCC symbol (`sigma.instruments.occ`), a broker's description in the
symbol column (`files.descriptions`), or separate underlying / strike / expiry / put-call
columns; filled columns must agree with the symbol. An ISIN (ISO 6166, check digit verified
with python-stdnum) in the symbol or ISIN column resolves to the profile's symbol; an ISIN no
profile carries is an error naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from stdnum import isin as iso6166

from sigma.conventions import OptionKind
from sigma.delimited.cells import unescape_text
from sigma.delimited.table import RawRow, RawTable
from sigma.errors import ValidationError
from sigma.instruments.occ import OccStyle, OccSymbol, format_occ, looks_like_occ, parse_occ
from sigma.portfolio.files.descriptions import option_from_text
from sigma.portfolio.files.rows import Issues, date_cell, fmt_number, number_cell, symbol_cell

_SYMBOL = re.compile(r"[A-Z0-9^][A-Z0-9.\-/=^]{0,31}")
_ISIN_SHAPE = re.compile(r"[A-Z]{2}[A-Z0-9]{9}[0-9]")


@dataclass(frozen=True)
class Instrument:
    """A stock (only `symbol`) or an option contract with its OCC fields."""

    symbol: str
    underlying: str | None = None
    kind: OptionKind | None = None
    strike: float | None = None
    expiry: date | None = None


def instrument(table: RawTable, raw: RawRow, symbol: str, kind: OptionKind | None, issues: Issues) -> Instrument | None:
    """The stock or option a row names: an OCC symbol, or separate underlying/strike/expiry/put-call columns."""
    strike = number_cell(table, raw, "strike", "strike", issues)
    expiry = date_cell(table, raw, "expiry", "expiry", issues)
    described = _described(symbol, issues)
    if described is not None:
        _agree(described, strike, expiry, kind, issues)
        return _option(described)
    if looks_like_occ(symbol):
        return _from_occ(symbol, strike, expiry, kind, issues)
    if kind is not None or strike is not None or expiry is not None:
        underlying = unescape_text(table.value(raw, "underlying")).upper() or symbol
        return _from_columns(underlying, kind, strike, expiry, issues)
    if not _SYMBOL.fullmatch(symbol):
        issues.errors.append(f"symbol {symbol!r} is not a ticker (letters, digits and . - / ^ =, no spaces)")
        return None
    return Instrument(symbol)


def _option(occ: OccSymbol) -> Instrument:
    return Instrument(format_occ(occ, OccStyle.COMPACT), occ.underlying, occ.kind, occ.strike, occ.expiry)


def _from_occ(
    symbol: str, strike: float | None, expiry: date | None, kind: OptionKind | None, issues: Issues
) -> Instrument | None:
    try:
        occ = parse_occ(symbol)
    except ValidationError as err:
        issues.errors.append(f"symbol {symbol!r}: {err}")
        return None
    _agree(occ, strike, expiry, kind, issues)
    return _option(occ)


def _from_columns(
    underlying: str, kind: OptionKind | None, strike: float | None, expiry: date | None, issues: Issues
) -> Instrument | None:
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


def _described(symbol: str, issues: Issues) -> OccSymbol | None:
    try:
        return option_from_text(symbol)
    except ValidationError as err:
        issues.errors.append(f"symbol {symbol!r}: {err}")
        return None


def row_symbol(table: RawTable, raw: RawRow, isins: Mapping[str, str], issues: Issues) -> str:
    """The row's ticker: the symbol column (an ISIN there is resolved), else the ISIN column."""
    text = symbol_cell(table, raw, Issues()) or unescape_text(table.value(raw, "isin")).upper()
    if not text:
        issues.errors.append("symbol is missing")
        return ""
    if not _ISIN_SHAPE.fullmatch(text):
        return text
    if not iso6166.is_valid(text):
        issues.errors.append(f"ISIN {text} has a wrong check digit; check the code in the file")
        return ""
    if text not in isins:
        issues.errors.append(
            f"ISIN {text} is in no security profile; add the profile with its ISIN or write the ticker"
        )
        return ""
    return isins[text]
