"""An insight card: a rule that fired for a portfolio, with its severity, words and the numbers behind it.

Conventions: `numbers` holds plain JSON values (finite floats, ints, strings, lists of strings):
fractions stay fractions (0.245 is 24.5 %), percent points stay points, dates are ISO strings.
`subject` names what the card is about (a symbol, a sector, a factor, a cluster's members; "" for
the whole book), so that the same rule firing for the same subject night after night is one card.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

Number = float | int | str | list[str]


class Severity(StrEnum):
    """How loudly a card speaks; `rank` orders them (critical first)."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for critical, 1 for warning, 2 for info: the page's sort order."""
        return {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}[self]


class Rule(StrEnum):
    """The rule ids stored in `insights.rule` (one per rule of DOMAIN.md)."""

    POSITION = "position_concentration"
    HHI = "hhi_concentration"
    SECTOR = "sector_tilt"
    BETA = "beta"
    DRAWDOWN = "drawdown"
    VOLATILITY = "volatility_regime"
    STYLE = "style_tilt"
    CLUSTER = "correlated_cluster"
    STALE = "stale_data"


def clean_numbers(numbers: Mapping[str, object]) -> dict[str, Number]:
    """The numbers as JSON-safe values: non-finite floats dropped, numpy scalars made plain, dates ISO."""
    out: dict[str, Number] = {}
    for key, value in numbers.items():
        if isinstance(value, date | datetime):
            out[key] = value.isoformat()
        elif isinstance(value, str):
            out[key] = value
        elif isinstance(value, Sequence):
            out[key] = [str(v) for v in value]
        elif isinstance(value, bool | int) and not isinstance(value, float):
            out[key] = int(value)
        else:
            number = float(value)  # type: ignore[arg-type]
            if math.isfinite(number):
                out[key] = number
    return out


@dataclass(frozen=True)
class Card:
    """One rule firing for one subject of a portfolio (what the batch stores, before ids and dates)."""

    rule: Rule
    subject: str
    severity: Severity
    title: str
    body: str
    numbers: dict[str, Number] = field(default_factory=dict)


def card(rule: Rule, subject: str, severity: Severity, title: str, body: str, numbers: Mapping[str, object]) -> Card:
    """A card with its numbers made JSON-safe (`clean_numbers`)."""
    return Card(rule, subject, severity, title, body, clean_numbers(numbers))


@dataclass(frozen=True)
class StoredCard:
    """A stored card as the page draws it: the card's words and numbers, its id and its dates."""

    id: int
    portfolio_id: int
    rule: str
    subject: str
    severity: Severity
    title: str
    body: str
    numbers: dict[str, Number]
    as_of: date
    active: bool
    first_seen: datetime
    last_seen: datetime
    dismissed_at: datetime | None
