"""Options as brokers write them in the symbol column, read into OCC contracts.

Forms read (case-insensitive; dates month-first, as the US brokers that write them do):

- Schwab: ``AAPL 01/16/2027 250.00 C``
- Fidelity: `` -NVDA270115C200`` (a dash, root, YYMMDD, C/P, plain strike)
- E*TRADE: ``AAPL Jan 16 '27 $250 Call``
- Robinhood: ``AAPL $250 Call 1/16/2027`` (also ``AAPL 1/16/2027 Call $250``)
- IBKR's description: ``AAPL 16JAN27 250 C``

OCC symbols proper (``AAPL  270115C00250000``) are `sigma.instruments.occ`'s business.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from sigma.conventions import OptionKind
from sigma.errors import ValidationError
from sigma.instruments.occ import OccSymbol, parse_occ

_ROOT = r"(?P<root>[A-Z][A-Z0-9.]{0,5})"
_STRIKE = r"\$?(?P<strike>\d{1,5}(?:\.\d+)?)"
_KIND = r"(?P<kind>C|P|CALL|PUT)"
_FORMS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"{_ROOT} (?P<day>\d{{1,2}}/\d{{1,2}}/\d{{4}}) {_STRIKE} {_KIND}", re.I), "%m/%d/%Y"),
    (re.compile(rf"{_ROOT} (?P<day>[A-Z]{{3}} \d{{1,2}} '\d{{2}}) {_STRIKE} {_KIND}", re.I), "%b %d '%y"),
    (re.compile(rf"{_ROOT} {_STRIKE} {_KIND} (?P<day>\d{{1,2}}/\d{{1,2}}/\d{{4}})", re.I), "%m/%d/%Y"),
    (re.compile(rf"{_ROOT} (?P<day>\d{{1,2}}/\d{{1,2}}/\d{{4}}) {_KIND} {_STRIKE}", re.I), "%m/%d/%Y"),
    (re.compile(rf"{_ROOT} (?P<day>\d{{2}}[A-Z]{{3}}\d{{2}}) {_STRIKE} {_KIND}", re.I), "%d%b%y"),
)
_FIDELITY = re.compile(r"-(?P<body>[A-Z][A-Z0-9]{0,5}\d{6}[CP]\d{1,5}(?:\.\d{1,3})?)", re.I)


def option_from_text(text: str) -> OccSymbol | None:
    """The option contract a broker's symbol text names, or None when it names none.

    Raises `ValidationError` when the text has an option's shape but an impossible date or strike.
    """
    clean = re.sub(r"\s+", " ", text.strip())
    if match := _FIDELITY.fullmatch(clean):
        return parse_occ("." + match["body"].upper())
    for pattern, fmt in _FORMS:
        if match := pattern.fullmatch(clean):
            return _contract(match, fmt, text)
    return None


def _contract(match: re.Match[str], fmt: str, text: str) -> OccSymbol:
    try:
        expiry: date = datetime.strptime(match["day"].title(), fmt).date()
    except ValueError as err:
        raise ValidationError(f"{text.strip()!r} has an impossible expiry date") from err
    kind = OptionKind.CALL if match["kind"].upper().startswith("C") else OptionKind.PUT
    return OccSymbol(match["root"].upper(), expiry, kind, float(match["strike"]))
