"""Reading one cell of a broker file: numbers, dates, blanks and text (see `sigma.delimited`).

Numbers: "1,234.50" (US) or "1.234,50" (European), detected once per file; currency signs are
dropped; "(12.50)" and "12.50-" are negative. Dates: ISO (2026-11-20), numeric with slashes
read month-first (11/20/2026, 11/20/26) unless the file shows a day above 12 in first place,
dotted day-first (20.11.2026), and "20-Nov-2026".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")  # a spreadsheet may run these as formulas
_MISSING = frozenset({"", "-", "--", "n/a", "na", "nan", "none", "null"})
_CURRENCY = re.compile(r"[$€£¥]|\b(?:USD|EUR|GBP|CHF|CAD|JPY)\b", re.IGNORECASE)
_US = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+")
_EU = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?|\d+(?:,\d*)?|,\d+")
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ][\d:.+Z-]*)?")
_NUM_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?: [\d:]+(?: ?[AP]M)?)?", re.IGNORECASE)
MAX_NUMBER_CHARS = 30  # digits and separators of a number; a longer one is a cell error, never inf
SHOWN_CHARS = 40
_TEXT_DATES = ("%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%b %d %Y", "%d-%b-%y", "%Y%m%d")


class NumberStyle(StrEnum):
    """Thousands and decimal separators of a file."""

    US = "1,234.56"
    EUROPEAN = "1.234,56"


class DateOrder(StrEnum):
    """How numeric dates with slashes or dashes are read."""

    MONTH_FIRST = "MM/DD/YYYY"
    DAY_FIRST = "DD/MM/YYYY"


class CellError(ValueError):
    """One cell could not be read; the message names the field and the value."""


@dataclass(frozen=True)
class CellReader:
    """Reads numbers, dates and text with the conventions detected for one file."""

    number_style: NumberStyle = NumberStyle.US
    date_order: DateOrder = DateOrder.MONTH_FIRST

    def number(self, text: str, name: str) -> float | None:
        """The number in `text` (None when blank); raise `CellError` naming `name`."""
        value = parse_number(text, self.number_style)
        if value is None and not is_missing(text):
            raise CellError(f"{name} {_shown(text)} is not a number")
        return value

    def date(self, text: str, name: str) -> date | None:
        """The date in `text` (None when blank); raise `CellError` naming `name`."""
        if is_missing(text):
            return None
        parsed = parse_date(text.strip(), self.date_order)
        if parsed is None:
            raise CellError(f"{name} {_shown(text)} is not a date (use 2026-11-20 or 11/20/2026)")
        return parsed[0]


def _shown(text: str) -> str:
    """A cell quoted in a message, cut to a readable length."""
    clean = text.strip()
    return repr(clean) if len(clean) <= SHOWN_CHARS else f"{clean[:SHOWN_CHARS]!r}… ({len(clean):,} characters)"


def is_missing(text: str) -> bool:
    """True for blank cells and the usual placeholders ('--', 'N/A')."""
    return text.strip().lower() in _MISSING


def unescape_text(text: str) -> str:
    """Strip a cell and drop one quote that CSV-injection escaping put before '=', '+', '-', '@' (or quotes)."""
    clean = text.strip()
    return clean[1:] if clean[:1] == "'" and clean.lstrip("'").startswith(FORMULA_TRIGGERS) else clean


def parse_number(text: str, style: NumberStyle) -> float | None:
    """A number written the broker way, or None when blank or unreadable."""
    if is_missing(text):
        return None
    body = re.sub(r"[\s\u00a0\u202f']", "", _CURRENCY.sub("", text))
    negative = body.startswith("(") and body.endswith(")")
    body = body[1:-1] if negative else body
    if body[:1] in ("+", "-") and body[:1]:
        negative, body = negative != (body[0] == "-"), body[1:]
    elif body.endswith("-"):
        negative, body = True, body[:-1]
    pattern, plain = (_US, body.replace(",", "")) if style is NumberStyle.US else (_EU, _eu_plain(body))
    if len(plain) > MAX_NUMBER_CHARS or not pattern.fullmatch(body):
        return None  # 400 digits would parse to inf
    value = float(plain)
    return (-value if negative else value) if math.isfinite(value) else None


def _eu_plain(body: str) -> str:
    return body.replace(".", "").replace(",", ".")


def detect_number_style(cells: Iterable[str]) -> NumberStyle:
    """European when more cells use ',' as the decimal mark than '.', else US."""
    votes = [_style_vote(re.sub(r"[^\d.,]", "", c)) for c in cells]
    return NumberStyle.EUROPEAN if votes.count(-1) > votes.count(1) else NumberStyle.US


def _style_vote(body: str) -> int:
    """+1 for US, -1 for European, 0 when ambiguous ('1,234' could be either)."""
    if "." in body and "," in body:
        return 1 if body.rfind(".") > body.rfind(",") else -1
    sep = "." if "." in body else "," if "," in body else ""
    if not sep:
        return 0
    groups = body.split(sep)
    us_if_decimal = 1 if sep == "." else -1
    if len(groups) > 2:  # a repeated separator groups thousands: '1,234,567'
        return -us_if_decimal
    return us_if_decimal if len(groups[1]) != 3 or groups[0] in ("", "0") else 0


def detect_date_order(cells: Iterable[str]) -> tuple[DateOrder, tuple[str, ...]]:
    """Day-first when some numeric date has a first part above 12 and none a second; with notes."""
    firsts, seconds = False, False
    for cell in cells:
        match = _NUM_DATE.fullmatch(cell.strip())
        if match and match[2] != ".":
            firsts, seconds = firsts or int(match[1]) > 12, seconds or int(match[3]) > 12
    if firsts and seconds:
        return DateOrder.MONTH_FIRST, ("Dates mix day-first and month-first; read month-first (US).",)
    return (DateOrder.DAY_FIRST if firsts else DateOrder.MONTH_FIRST), ()


def numeric_date_parts(text: str) -> tuple[int, int] | None:
    """(first, second) number of a slash or dash date such as 25/03/2026 (None for other cells)."""
    match = _NUM_DATE.fullmatch(text.strip())
    return (int(match[1]), int(match[3])) if match and match[2] != "." else None


def parse_date(text: str, order: DateOrder) -> tuple[date, str] | None:
    """(date, label of the format) or None."""
    try:
        if match := _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3])), "ISO"
        if match := _NUM_DATE.fullmatch(text):
            return _numeric_date(match, order)
    except ValueError:
        return None
    for fmt in _TEXT_DATES:
        try:
            return datetime.strptime(text, fmt).date(), fmt
        except ValueError:
            continue
    return None


def _numeric_date(match: re.Match[str], order: DateOrder) -> tuple[date, str]:
    first, sep, second, year_text = int(match[1]), match[2], int(match[3]), match[4]
    year = (
        int(year_text)
        if len(year_text) == 4
        else 2000 + int(year_text)
        if int(year_text) < 70
        else 1900 + int(year_text)
    )
    day_first = sep == "." or order is DateOrder.DAY_FIRST
    day, month = (first, second) if day_first else (second, first)
    label = ("DD" + sep + "MM" if day_first else "MM" + sep + "DD") + sep + "YY" * (len(year_text) // 2)
    return date(year, month, day), label
