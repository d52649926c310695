"""Why a symbol came back from Yahoo Finance without prices: a kind, and a message that advises.

Timeouts, connection failures and rate limits are systemic (the service or the network) and
worth retrying; anything else means the symbol has no data (misspelled or delisted).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

ADVICE = "Sigma keeps showing the last stored prices; try again later or set SIGMA_MARKET_DATA=simulated."
_FAILED_LINE = re.compile(r"^\s*(\[[^\]]*\]): (.+)$", re.DOTALL)


class FailureKind(StrEnum):
    """Why a symbol came back without prices."""

    RATE_LIMIT = "rate_limit"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    NO_DATA = "no_data"

    @property
    def systemic(self) -> bool:
        """True for failures of the service or the network rather than of the symbol (retried)."""
        return self is not FailureKind.NO_DATA


_CONNECTION = (
    r"ConnectionError|ConnectError|DNSError|ProxyError|SSLError|resolve host|"
    r"Failed to resolve|Failed to establish|curl: \((5|6|7|35)\)"
)
_KIND_PATTERNS = (  # exception class names and vendor phrases; case-sensitive so a ticker such as SSL never matches
    (FailureKind.RATE_LIMIT, re.compile(r"YFRateLimitError|Too Many Requests|Rate limited")),
    (FailureKind.TIMEOUT, re.compile(r"Timeout|timed out|curl: \(28\)")),
    (FailureKind.CONNECTION, re.compile(_CONNECTION)),
)


def classify(reason: str) -> FailureKind:
    """The kind of failure a yfinance log line or exception text describes."""
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(reason)), FailureKind.NO_DATA)


@dataclass(frozen=True)
class Failure:
    """One symbol's failure: its kind and the vendor's text."""

    kind: FailureKind
    detail: str

    @classmethod
    def of(cls, reason: str) -> Failure:
        """The failure a log line or exception text describes."""
        return cls(classify(reason), reason)


NO_ANSWER = Failure(FailureKind.NO_DATA, "")


def all_systemic(failures: Iterable[Failure]) -> bool:
    """True when there is at least one failure and every one is systemic."""
    kinds = [f.kind for f in failures]
    return bool(kinds) and all(k.systemic for k in kinds)


def parse_failures(messages: Sequence[str]) -> dict[str, str]:
    """Per-symbol reasons from yfinance's "N Failed downloads" lines ("['A', 'B']: Reason(...)")."""
    reasons: dict[str, str] = {}
    for message in messages:
        match = _FAILED_LINE.match(message)
        if match is None:
            continue
        try:
            symbols = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            continue
        reasons.update({str(s).upper(): match.group(2).strip() for s in symbols})
    return reasons


def failures_of(missing: Iterable[str], messages: Sequence[str]) -> dict[str, Failure]:
    """A failure per symbol that came back empty: its own log line, else the first systemic one."""
    reasons = parse_failures(messages)
    fallback = next((m for m in messages if classify(m).systemic), "no prices returned")
    return {s: Failure.of(reasons.get(s, fallback)) for s in missing}


def phrase(failure: Failure, timeout: float, attempts: int) -> str:
    """What went wrong, as a phrase ("tried N times" when `attempts` is positive)."""
    tried = f"tried {attempts} time{'s' if attempts > 1 else ''}" if attempts > 0 else ""
    if failure.kind is FailureKind.RATE_LIMIT:
        return f"Yahoo Finance is rate-limiting requests (HTTP 429{'; ' + tried if tried else ''})"
    if failure.kind is FailureKind.TIMEOUT:
        return f"Yahoo Finance did not answer within {timeout:g} s{f' ({tried})' if tried else ''}"
    if failure.kind is FailureKind.CONNECTION:
        return f"could not reach Yahoo Finance ({_short(failure.detail)}{'; ' + tried if tried else ''})"
    return "Yahoo Finance returned no prices"


def symbol_error(failure: Failure, start: date, end: date, timeout: float, attempts: int) -> str:
    """The per-symbol error message of `FetchResult.errors`."""
    if failure.kind is FailureKind.NO_DATA:
        return f"Yahoo Finance returned no prices from {start} to {end}; check the symbol (misspelled or delisted?)"
    return phrase(failure, timeout, attempts)


def unavailable_message(failure: Failure, timeout: float, attempts: int) -> str:
    """The `ProviderUnavailable` message: what went wrong, capitalised, then the advice."""
    text = phrase(failure, timeout, attempts)
    return f"{text[0].upper()}{text[1:]}. {ADVICE}"


def _short(detail: str, limit: int = 120) -> str:
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"
