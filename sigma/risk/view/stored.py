"""A view as the nightly batch stored it: the view itself, the price date it is for, and when it was computed.

Pages draw the stored default view of a section instead of computing it, and say which day it
is for and when it was computed; `stale` tells them when prices have moved on since, so they can
offer to recompute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from sigma.risk.view.base import RiskView

V = TypeVar("V", bound=RiskView)


@dataclass(frozen=True)
class Stored(Generic[V]):
    """A stored risk view with its as-of date (the last price date used), computed_at (UTC) and price source."""

    view: V
    as_of: date
    computed_at: datetime
    source: str

    def stale(self, latest: date | None) -> bool:
        """True when prices are stored for a later day than the one this view was computed for."""
        return latest is not None and self.as_of < latest
