"""The health view: the Portfolio page's health score of a book, storable in `risk_results`.

The score is computed by the portfolio package (`sigma.portfolio.health`, fed from the book's
Portfolio-page KPIs) and handed over as plain data: this module reads any object with the
score's shape (`Scored`), so risk never imports the portfolio package. Components keep their
input value, 0–100 score (NaN when unscored), weight (renormalised, 0 when unscored) and reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Protocol

import pandas as pd

from sigma.risk.view.base import RiskView

COMPONENT_COLUMNS = ("value", "score", "weight", "reason")


class Component(Protocol):
    """One health component as the portfolio package scores it."""

    @property
    def name(self) -> str: ...

    @property
    def value(self) -> float: ...

    @property
    def score(self) -> float: ...

    @property
    def reason(self) -> str: ...

    @property
    def weight(self) -> float: ...


class Scored(Protocol):
    """A health score: the total (0–100), the letter grade and the components."""

    @property
    def score(self) -> float: ...

    @property
    def grade(self) -> str: ...

    @property
    def components(self) -> Sequence[Component]: ...


@dataclass(frozen=True)
class HealthView(RiskView):
    """The book's health score (0–100), grade and components against its own benchmark."""

    KIND: ClassVar[str] = "health"
    benchmark: str
    score: float
    grade: str
    components: pd.DataFrame  # index component name; value, score, weight, reason


def health_view(as_of: date, source: str, benchmark: str, scored: Scored) -> HealthView:
    """The storable view of a health score."""
    rows = [(c.value, c.score, c.weight, c.reason) for c in scored.components]
    frame = pd.DataFrame(rows, columns=list(COMPONENT_COLUMNS), index=pd.Index([c.name for c in scored.components]))
    frame = frame.astype({"value": "float64", "score": "float64", "weight": "float64"})
    return HealthView(as_of, source, benchmark, float(scored.score), str(scored.grade), frame)
