"""Incremental refresh: what is missing per symbol, a provider call per batch of a start date, the report.

For each symbol, fetch from the day after its last stored date (or from `start` if nothing is
stored, or if that is later) to `end`; symbols stored up to `end` are skipped. Symbols sharing
a start date form batched provider calls of at most `CALL_SIZE` symbols, so a daily update of
the universe is a few calls. Earlier history than the first stored date is not back-filled.
If the provider raises `ProviderUnavailable` (or `ProviderDown`, its circuit breaker open), the
refresh stops there: what earlier calls fetched is written, the rest keep their stored prices.
A `Deadline` is checked between calls: once past, the refresh stops and reports a partial
result, the symbols not fetched as errors that say so.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.standard import BAR_COLUMNS, PriceProvider

Progress = Callable[[int, int, str], None]
CALL_SIZE = 50  # symbols per provider call: the deadline is checked between calls
RERUN = "python -m jobs run market_data"


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
    unavailable: str | None = None  # the provider's message when it could not be reached (the refresh stopped)
    calls: int = 0
    profiles_written: int = 0
    stopped: str | None = None  # why the refresh stopped early (its deadline); None when it ran to the end

    @property
    def rows_written(self) -> int:
        """Total rows written."""
        return sum(self.rows.values())

    @property
    def failed(self) -> bool:
        """True when the provider was unavailable (the refresh stopped; what came before it is written)."""
        return self.unavailable is not None

    @property
    def partial(self) -> bool:
        """True when the refresh stopped at its deadline (the symbols not fetched are in `errors`)."""
        return self.stopped is not None

    def summary(self) -> str:
        """One line for the jobs log and the Admin page."""
        fetched = sum(1 for n in self.rows.values() if n)
        if self.unavailable is not None:
            if not self.rows_written:
                return f"Provider unavailable, nothing written; existing prices kept ({self.unavailable})"
            return (
                f"Provider unavailable after {self.rows_written} rows for {fetched} of {len(self.symbols)} symbols; "
                f"the rest keep their stored prices ({self.unavailable})"
            )
        text = f"{self.rows_written} rows written for {fetched} of {len(self.symbols)} symbols ({self.source})"
        if self.stopped is not None:
            return f"Stopped early, {self.stopped}: {text}; rerun {RERUN} to fetch the rest"
        return text + (f"; {len(self.errors)} failed: {', '.join(sorted(self.errors))}" if self.errors else "")


@dataclass(frozen=True)
class Deadline:
    """A moment on a monotonic clock (seconds) after which a job stops between provider calls.

    `stop`, when given, is another reason to stop at the same places (a batch run's stop signal:
    its own deadline timer, SIGTERM, a lost lease), so what was fetched is still written.
    """

    seconds: float
    at: float
    clock: Callable[[], float] = time.monotonic
    stop: Callable[[], bool] | None = None

    @classmethod
    def after(
        cls, seconds: float, clock: Callable[[], float] = time.monotonic, stop: Callable[[], bool] | None = None
    ) -> Deadline:
        """The deadline `seconds` from now on `clock` (or as soon as `stop()` is true)."""
        return cls(seconds, clock() + seconds, clock, stop)

    @property
    def passed(self) -> bool:
        """True once the clock reads `at` or later, or `stop()` is true."""
        return self.clock() >= self.at or (self.stop is not None and self.stop())

    def describe(self) -> str:
        """Why the job stops, as a phrase naming the setting that sets the deadline."""
        if self.clock() < self.at:
            return "the run was asked to stop (its deadline, a signal or a lost lease)"
        return f"the job's deadline of {self.seconds:g} s (SIGMA_JOB_DEADLINE_SECONDS) passed"


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


def plan_calls(groups: Sequence[tuple[date, list[str]]], size: int = CALL_SIZE) -> list[tuple[date, list[str]]]:
    """Each group cut into provider calls of at most `size` symbols, in order."""
    return [(first, group[i : i + size]) for first, group in groups for i in range(0, len(group), size)]


@dataclass(frozen=True)
class Fetched:
    """The bars of every provider call (with a source column), errors and warnings as values."""

    bars: pd.DataFrame
    errors: Mapping[str, str]
    warnings: Mapping[str, str]
    calls: int
    unavailable: str | None = None
    stopped: str | None = None  # the deadline passed before every call was made


def fetch_groups(
    provider: PriceProvider,
    groups: Sequence[tuple[date, list[str]]],
    end: date,
    progress: Progress | None,
    deadline: Deadline | None = None,
) -> Fetched:
    """Provider calls of every group (`plan_calls`); stops at a `ProviderUnavailable` or past `deadline`."""
    calls = plan_calls(groups)
    frames: list[pd.DataFrame] = []
    errors: dict[str, str] = {}
    warnings: dict[str, str] = {}
    for done, (first, symbols) in enumerate(calls):
        if deadline is not None and deadline.passed:
            reason, left = deadline.describe(), [s for _first, rest in calls[done:] for s in rest]
            errors.update(dict.fromkeys(left, f"not fetched: {reason}; rerun {RERUN}"))
            return Fetched(_bars(frames), errors, warnings, done, stopped=reason)
        if progress is not None:
            progress(done, len(calls), f"fetching {len(symbols)} symbols from {first:%Y-%m-%d}")
        try:
            result = provider.fetch_bars(symbols, first, end)
        except ProviderUnavailable as exc:
            return Fetched(_bars(frames), errors, warnings, done + 1, unavailable=str(exc))
        frames.append(result.bars.assign(source=str(result.source)))
        errors.update(result.errors)
        warnings.update(result.warnings)
    return Fetched(_bars(frames), errors, warnings, len(calls))


def _bars(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*BAR_COLUMNS, "source"])
