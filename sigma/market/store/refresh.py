"""Incremental refresh: what is missing per symbol, one provider call per start date, the report.

For each symbol, fetch from the day after its last stored date (or from `start` if nothing is
stored, or if that is later) to `end`; symbols stored up to `end` are skipped. Symbols sharing
a start date form one batched provider call, so a daily update is one call. Earlier history
than the first stored date is not back-filled. If the provider raises `ProviderUnavailable`,
nothing is written and existing prices stay.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.standard import BAR_COLUMNS, PriceProvider

Progress = Callable[[int, int, str], None]


def unique(symbols: Iterable[str]) -> list[str]:
    """`symbols` without repeats, first occurrence order."""
    return list(dict.fromkeys(symbols))


@dataclass(frozen=True)
class RefreshReport:
    """What an incremental refresh did: rows written per symbol, provider errors as values."""

    source: Source
    symbols: tuple[str, ...]
    rows: Mapping[str, int] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    warnings: Mapping[str, str] = field(default_factory=dict)
    unavailable: str | None = None  # the provider's message when it could not be reached at all
    calls: int = 0
    profiles_written: int = 0

    @property
    def rows_written(self) -> int:
        """Total rows written."""
        return sum(self.rows.values())

    @property
    def failed(self) -> bool:
        """True when the provider was unavailable (nothing written)."""
        return self.unavailable is not None

    def summary(self) -> str:
        """One line for the jobs log and the Admin page."""
        if self.unavailable is not None:
            return f"Provider unavailable, nothing written; existing prices kept ({self.unavailable})"
        fetched = sum(1 for n in self.rows.values() if n)
        text = f"{self.rows_written} rows written for {fetched} of {len(self.symbols)} symbols ({self.source})"
        return text + (f"; {len(self.errors)} failed: {', '.join(sorted(self.errors))}" if self.errors else "")


def missing_ranges(
    symbols: Sequence[str], last: Mapping[str, date], start: date, end: date
) -> dict[str, tuple[date, date]]:
    """What to fetch per symbol given its last stored date; up-to-date symbols omitted."""
    ranges: dict[str, tuple[date, date]] = {}
    for symbol in unique(symbols):  # a dict per symbol is the result; no I/O in the loop
        first = start if symbol not in last else max(start, last[symbol] + timedelta(days=1))
        if first <= end:
            ranges[symbol] = (first, end)
    return ranges


def plan_groups(ranges: Mapping[str, tuple[date, date]]) -> list[tuple[date, list[str]]]:
    """Symbols grouped by their first missing date, oldest first (one provider call per group)."""
    groups: dict[date, list[str]] = {}
    for symbol, (first, _end) in ranges.items():
        groups.setdefault(first, []).append(symbol)
    return sorted(groups.items())


@dataclass(frozen=True)
class Fetched:
    """The bars of every provider call (with a source column), errors and warnings as values."""

    bars: pd.DataFrame
    errors: Mapping[str, str]
    warnings: Mapping[str, str]
    calls: int
    unavailable: str | None = None


def fetch_groups(
    provider: PriceProvider, groups: Sequence[tuple[date, list[str]]], end: date, progress: Progress | None
) -> Fetched:
    """One provider call per group; stops at the first `ProviderUnavailable` (nothing to write then)."""
    frames: list[pd.DataFrame] = []
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    for done, (first, group) in enumerate(groups, start=1):  # one provider call per distinct start date
        if progress is not None:
            progress(done - 1, len(groups), f"fetching {len(group)} symbols from {first:%Y-%m-%d}")
        try:
            result = provider.fetch_bars(group, first, end)
        except ProviderUnavailable as exc:
            return Fetched(pd.DataFrame(), {}, {}, done, unavailable=str(exc))
        frames.append(result.bars.assign(source=str(result.source)))
        errors.update(result.errors)
        warnings.update(result.warnings)
    bars = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*BAR_COLUMNS, "source"])
    return Fetched(bars, errors, warnings, len(groups))
