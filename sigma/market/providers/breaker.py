"""A circuit breaker for a live provider: after a few systemic failures in a row it is down for the run.

A systemic failure is one of the service or the network, not of a symbol: a timeout, a
connection or DNS error, HTTP 429 or 5xx. An answer that shows the service working (even "no
such symbol") starts the count again. At `threshold` failures in a row the breaker opens: every
further request is refused at once, without touching the network, until `reset()` (the start
of the next run). `down()` is the `ProviderDown` error that says what was tried and what to do.
A threshold of None never opens (the retry policy alone decides).
"""

from __future__ import annotations

import threading

from sigma.errors import ProviderDown

ADVICE = (
    "Check the network connection (and any proxy), or set SIGMA_MARKET_DATA=auto to fall back to simulated "
    "prices (or SIGMA_MARKET_DATA=simulated), then rerun: python -m jobs run market_data."
)


class CircuitOpen(ConnectionError):
    """Raised in place of a request while the breaker is open (a ConnectionError, so callers give up quickly)."""


class CircuitBreaker:
    """Consecutive systemic failures of one service; open (down) at `threshold` until `reset()`. Thread-safe."""

    def __init__(self, threshold: int | None, service: str) -> None:
        if threshold is not None and threshold < 1:
            raise ValueError("the breaker threshold must be at least 1 (or None: never open)")
        self.threshold, self.service = threshold, service
        self._lock = threading.Lock()
        self.sent = 0  # requests let through to the network in this run
        self.refused = 0  # requests refused while open
        self.failures = 0  # systemic failures in a row
        self.last_error: str | None = None
        self.last_timeout: float | None = None

    @property
    def is_open(self) -> bool:
        """True once `threshold` systemic failures came in a row: the service is down for this run."""
        return self.threshold is not None and self.failures >= self.threshold

    def admit(self) -> None:
        """Let one request through, or raise `CircuitOpen` while the breaker is open."""
        with self._lock:
            if self.is_open:
                self.refused += 1
                raise CircuitOpen(f"{self.service} is down for this run; request not sent")
            self.sent += 1

    def failure(self, detail: str, timeout: float | None) -> None:
        """Count a systemic failure (`detail`: the error; `timeout`: seconds the request was allowed)."""
        with self._lock:
            self.failures += 1
            self.last_error, self.last_timeout = detail, timeout

    def success(self) -> None:
        """The service answered: the failures are no longer in a row."""
        with self._lock:
            self.failures = 0

    def reset(self) -> None:
        """Close the breaker and forget the counts: a new run starts."""
        with self._lock:
            self.sent = self.refused = self.failures = 0
            self.last_error, self.last_timeout = None, None

    @property
    def reason(self) -> str:
        """What was tried, as one sentence without a full stop (for a banner or the first line of `down()`)."""
        allowed = f", each allowed {self.last_timeout:g} s" if self.last_timeout is not None else ""
        return (
            f"{self.service} is down for this run: the last {self.failures} requests failed in a row "
            f"({self.sent} sent{allowed})"
        )

    def down(self) -> ProviderDown:
        """The error for a request made while the breaker is open: what was tried, the last error, what to do."""
        last = (self.last_error or "none recorded").rstrip(". ")
        return ProviderDown(f"{self.reason}. Last error: {last if len(last) <= 200 else last[:199] + '…'}. {ADVICE}")
