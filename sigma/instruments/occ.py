"""OCC option symbols: parse and format.

Conventions: the OCC (Options Clearing Corporation) symbol is the root padded with spaces to
6 characters, the expiry as YYMMDD, C or P, and the strike × 1000 as 8 digits:
``"AAPL  250117C00150000"`` is the AAPL call expiring 2025-01-17 struck at 150.00.
Also read: the compact form without padding (``"AAPL250117C00150000"``) and the dotted
retail form with a plain strike (``".AAPL250117C150"``, ``".SPY261218P452.5"``).
Years are 2000–2099. Strikes are in the option's quote currency per share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sigma.conventions import OptionKind
from sigma.errors import ValidationError

__all__ = ["OccStyle", "OccSymbol", "OptionKind", "format_occ", "looks_like_occ", "parse_occ"]

_OCC = re.compile(r"^(?P<root>[A-Z][A-Z0-9.]{0,5}?) *(?P<ymd>\d{6})(?P<cp>[CP])(?P<strike>\d{8})$")
_DOTTED = re.compile(r"^\.(?P<root>[A-Z][A-Z0-9]{0,5}?)(?P<ymd>\d{6})(?P<cp>[CP])(?P<strike>\d{1,5}(?:\.\d{1,3})?)$")
_LOOKS_LIKE = re.compile(r"^\.?[A-Z][A-Z0-9.]{0,5} *\d{6}[CP]\d")
_MAX_STRIKE = 99_999.999


class OccStyle(StrEnum):
    """How `format_occ` writes a symbol."""

    PADDED = "padded"  # "AAPL  250117C00150000", the OCC standard (21 characters)
    COMPACT = "compact"  # "AAPL250117C00150000"
    DOTTED = "dotted"  # ".AAPL250117C150"


@dataclass(frozen=True)
class OccSymbol:
    """One listed option contract as named by its OCC symbol."""

    underlying: str
    expiry: date
    kind: OptionKind
    strike: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", OptionKind(self.kind))
        if not 0 < self.strike <= _MAX_STRIKE:
            raise ValidationError(f"Strike {self.strike} is outside (0, {_MAX_STRIKE}] for an OCC symbol.")
        if not re.fullmatch(r"[A-Z][A-Z0-9.]{0,5}", self.underlying):
            raise ValidationError(f"Option root {self.underlying!r} must be 1–6 upper-case letters or digits.")
        if not 2000 <= self.expiry.year <= 2099:
            raise ValidationError(f"Expiry {self.expiry} is outside 2000–2099, which an OCC symbol cannot write.")


def looks_like_occ(text: str) -> bool:
    """True when `text` has the shape of an option symbol (root, 6 digits, C/P, strike)."""
    return bool(_LOOKS_LIKE.match(text.strip().upper()))


def parse_occ(text: str) -> OccSymbol:
    """Parse a padded, compact or dotted OCC symbol; raise `ValidationError` naming the problem."""
    clean = text.strip().upper()
    match = _DOTTED.match(clean) if clean.startswith(".") else _OCC.match(clean)
    if match is None:
        raise ValidationError(f"{text!r} is not an OCC option symbol (expected like 'AAPL  250117C00150000').")
    ymd = match["ymd"]
    try:
        expiry = date(2000 + int(ymd[:2]), int(ymd[2:4]), int(ymd[4:]))
    except ValueError:
        raise ValidationError(f"{text!r} has an impossible expiry date {ymd} (YYMMDD).") from None
    raw_strike = match["strike"]
    strike = int(raw_strike) / 1000 if not clean.startswith(".") else float(raw_strike)
    kind = OptionKind.CALL if match["cp"] == "C" else OptionKind.PUT
    return OccSymbol(underlying=match["root"], expiry=expiry, kind=kind, strike=strike)


def format_occ(symbol: OccSymbol, style: OccStyle = OccStyle.PADDED) -> str:
    """Write `symbol` in the given style; strikes are rounded to the OCC's 1/1000."""
    ymd = symbol.expiry.strftime("%y%m%d")
    cp = "C" if symbol.kind is OptionKind.CALL else "P"
    thousandths = round(symbol.strike * 1000)
    if style is OccStyle.DOTTED:
        whole, frac = divmod(thousandths, 1000)
        strike = f"{whole}.{frac:03d}".rstrip("0").rstrip(".")
        return f".{symbol.underlying}{ymd}{cp}{strike}"
    root = symbol.underlying.ljust(6) if style is OccStyle.PADDED else symbol.underlying
    return f"{root}{ymd}{cp}{thousandths:08d}"
