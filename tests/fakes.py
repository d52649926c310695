"""Hand-written fakes shared by the tests (Cosmic Python style: ten lines, no mocks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import Source
from sigma.market.standard import BAR_COLUMNS, PROFILE_COLUMNS, FetchResult


def synthetic_bars(symbols: Sequence[str], start: date, end: date, seed: int = 0) -> pd.DataFrame:
    """A standard bars frame: a seeded random walk per symbol on every business day of [start, end]."""
    days = pd.bdate_range(start, end)
    rng = np.random.default_rng(seed)
    closes = 100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, (len(days), len(symbols))), axis=0))
    frame = pd.DataFrame(closes, index=pd.Index(days.date, name="date"), columns=pd.Index(list(symbols), name="symbol"))
    long = frame.stack().rename("close").reset_index()
    long["adj_close"] = long["close"] * 0.99
    long["open"], long["high"], long["low"] = long["close"], long["close"] * 1.01, long["close"] * 0.99
    long["volume"] = 1_000_000.0
    return long[list(BAR_COLUMNS)]


@dataclass
class FakeProvider:
    """Serves `bars` and records every (symbols, start, end) it is asked for; `fail` makes it raise."""

    bars: pd.DataFrame
    source: Source = Source.SIMULATED
    name: str = "fake"
    fail: Exception | None = None
    fallback_reason: str | None = None
    calls: list[tuple[tuple[str, ...], date, date]] = field(default_factory=list)
    profile_calls: list[tuple[str, ...]] = field(default_factory=list)

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        self.calls.append((tuple(symbols), start, end))
        if self.fail is not None:
            raise self.fail
        b = self.bars
        rows = b[b["symbol"].isin(symbols) & (b["date"] >= start) & (b["date"] <= end)]
        errors = {s: "no data for this symbol" for s in symbols if s not in set(b["symbol"])}
        return FetchResult(rows.reset_index(drop=True), self.source, errors)

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        self.profile_calls.append(tuple(symbols))
        known = [s for s in symbols if s in set(self.bars["symbol"])]
        return pd.DataFrame(
            {"symbol": known, "name": [f"{s} Inc." for s in known], "asset_class": "equity"},
            columns=list(PROFILE_COLUMNS),
        )
