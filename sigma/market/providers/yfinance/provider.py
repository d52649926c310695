"""`YFinanceProvider`: query -> fetch -> transform, with bounded retries of systemic failures.

Timeouts, connection failures and rate limits are retried (only the failed symbols) with
exponential backoff; a symbol that fails otherwise is reported in `FetchResult.errors`. When
nothing at all could be fetched and every failure looks systemic, `ProviderUnavailable` says so.

Every HTTP request goes through a `RequestGuard` (`session`): its timeout is capped at the
provider's, and with `breaker` set, that many systemic request failures in a row open the
circuit breaker, after which the provider raises `ProviderDown` at once, without the network,
until `reset()`: with Yahoo unreachable a run costs `breaker` timeouts, not one per symbol.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd

from sigma.conventions import Source
from sigma.errors import ProviderDown, ProviderUnavailable
from sigma.market.providers.breaker import CircuitBreaker
from sigma.market.providers.yfinance import fetch, transform
from sigma.market.providers.yfinance.failures import (
    NO_ANSWER,
    Failure,
    all_systemic,
    failures_of,
    phrase,
    symbol_error,
    unavailable_message,
)
from sigma.market.providers.yfinance.query import PING_SYMBOL, PING_WINDOW, BarsQuery, RetryPolicy, Window
from sigma.market.providers.yfinance.session import RequestGuard, new_session
from sigma.market.standard import FetchResult

Batch = tuple[pd.DataFrame, dict[str, Failure]]  # long bars and a failure per symbol without any


class YFinanceProvider:
    """Daily bars and profiles from Yahoo Finance, batched, with timeouts and bounded retries."""

    name = "yfinance"

    def __init__(
        self,
        timeout: float = 10,
        retries: int = 3,
        backoff: float = 1.0,
        batch_size: int = 50,
        session: object | None = None,
        sleep: Callable[[float], None] = time.sleep,
        breaker: int | None = None,
    ) -> None:
        self.policy = RetryPolicy(timeout, retries, backoff, batch_size)
        self.breaker = CircuitBreaker(breaker, "Yahoo Finance")
        self._guard = RequestGuard(self.breaker, timeout)
        self._session = None if session is None else self._guard.install(session)
        self._session_lock = threading.Lock()
        self._sleep = sleep
        self.last_error: str | None = None  # why the last ping failed, for the auto provider's banner

    @property
    def source(self) -> Source:
        """Live prices."""
        return Source.LIVE

    @property
    def timeout(self) -> float:
        """Seconds one call may take."""
        return self.policy.timeout

    @property
    def session(self) -> object:
        """The guarded HTTP session: the one given, else yfinance's kind, made on first use."""
        with self._session_lock:
            if self._session is None:
                self._session = self._guard.install(new_session())
            return self._session

    def reset(self) -> None:
        """Close the circuit breaker: a new run may try the network again."""
        self.breaker.reset()

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        """Daily bars from `start` to `end` inclusive; failed symbols in `errors`."""
        query = BarsQuery.of(symbols, start, end)
        frames: list[pd.DataFrame] = []
        failures: dict[str, Failure] = {}
        for batch, rest in query.batches(self.policy.batch_size):
            got, failed = self._fetch_batch(batch, query.window())
            frames.append(got)
            failures.update(failed)
            if all(f.empty for f in frames) and all_systemic(failed.values()):
                # the service or network is down: do not spend attempts x timeout on every further batch
                failures.update(dict.fromkeys(rest, next(iter(failed.values()))))
                break
        if all(f.empty for f in frames) and all_systemic(failures.values()):
            first = next(iter(failures.values()))
            raise ProviderUnavailable(unavailable_message(first, self.policy.timeout, self.policy.retries))
        policy = self.policy
        errors = {s: symbol_error(f, start, end, policy.timeout, policy.retries) for s, f in failures.items()}
        return transform.bars_result(frames, start, end, errors)

    def _fetch_batch(self, batch: list[str], window: Window) -> Batch:
        """One batch with bounded retries: only symbols that failed for systemic reasons are tried again."""
        frames: list[pd.DataFrame] = []
        failures: dict[str, Failure] = {}
        pending = batch
        for attempt in range(self.policy.retries):
            if attempt:
                self._sleep(self.policy.delay(attempt))
            got, failed = self._download(pending, self.policy.timeout, window)
            frames.append(got)
            failures = {s: f for s, f in failures.items() if s not in pending} | failed
            pending = [s for s, f in failed.items() if f.kind.systemic]
            if not pending:
                break
        return pd.concat(frames, ignore_index=True), failures

    def _download(self, symbols: list[str], timeout: float, window: Window) -> Batch:
        """One download: the long frame and a failure per symbol that came back empty; `ProviderDown` if down."""
        self._raise_if_down()
        raw = fetch.download(symbols, timeout, self.session, window)
        self._raise_if_down()
        long = transform.to_long(raw.wide, symbols)
        got = set(long["symbol"].unique())
        return long, failures_of([s for s in symbols if s not in got], raw.messages)

    def ping(self, timeout: float | None = None) -> bool:
        """True if Yahoo Finance returns SPY's last 5 days within `timeout` seconds (one attempt)."""
        limit = self.policy.timeout if timeout is None else timeout
        try:
            with self._guard.limited(limit):
                got, failed = self._download([PING_SYMBOL], limit, PING_WINDOW)
        except ProviderDown:
            self.last_error = self.breaker.reason
            return False
        self.last_error = None if not got.empty else phrase(failed.get(PING_SYMBOL, NO_ANSWER), limit, attempts=0)
        return not got.empty

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Profiles from `Ticker.info`; symbols that fail or time out are left out; `ProviderDown` if down."""
        wanted = list(dict.fromkeys(s.strip().upper() for s in symbols))
        self._raise_if_down()
        infos = fetch.infos(wanted, self.policy.timeout, self.session)
        self._raise_if_down()
        return transform.profiles_frame(infos)

    def _raise_if_down(self) -> None:
        if self.breaker.is_open:
            raise self.breaker.down()
