"""What a Yahoo Finance request asks for: symbols, the window, batches, and the retry policy.

`end` is inclusive for Sigma and exclusive for yfinance: the window sent asks for the day after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

Window = Mapping[str, object]  # yfinance's start/end or period keywords
PING_SYMBOL = "SPY"
PING_WINDOW: Window = {"period": "5d"}


def normalise(symbols: Iterable[str]) -> list[str]:
    """Yahoo symbols: stripped, upper case, without blanks or repeats."""
    return list(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))


@dataclass(frozen=True)
class BarsQuery:
    """Daily bars of `symbols` from `start` to `end`, both inclusive."""

    symbols: tuple[str, ...]
    start: date
    end: date

    @classmethod
    def of(cls, symbols: Iterable[str], start: date, end: date) -> BarsQuery:
        """A query with normalised symbols."""
        return cls(tuple(normalise(symbols)), start, end)

    def window(self) -> Window:
        """yfinance's window: its `end` is exclusive."""
        return {"start": self.start, "end": self.end + timedelta(days=1)}

    def batches(self, size: int) -> Iterator[tuple[list[str], list[str]]]:
        """(batch, the symbols after it) for every batch of at most `size` symbols."""
        for i in range(0, len(self.symbols), size):
            yield list(self.symbols[i : i + size]), list(self.symbols[i + size :])


@dataclass(frozen=True)
class RetryPolicy:
    """Timeout per call (seconds), attempts in all, exponential backoff base, symbols per call."""

    timeout: float = 10
    retries: int = 3
    backoff: float = 1.0
    batch_size: int = 50

    def __post_init__(self) -> None:
        if self.retries < 1 or self.batch_size < 1:
            raise ValueError("retries (attempts in all) and batch_size must be at least 1")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before `attempt` (0-based; attempt 0 does not wait)."""
        return self.backoff * 2 ** (attempt - 1) if attempt else 0.0
