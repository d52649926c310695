"""Every Yahoo Finance request through the circuit breaker, each with the provider's timeout at most.

yfinance sends more than the chart request: a cookie page (fc.yahoo.com) and a consent page
(guce.yahoo.com) before it, each with yfinance's own 30 s timeout, and on HTTP 4xx one more try
with its other cookie strategy. With Yahoo unreachable that is two or three requests per symbol,
so a 50-symbol batch took minutes. `RequestGuard.install` wraps the session's `request` (which
`get` and `post` of both requests and curl_cffi sessions call) so that every request
- is refused at once while the breaker is open (`CircuitOpen`, nothing sent);
- waits at most `timeout` seconds (the provider's, or a ping's shorter one), whatever yfinance asks;
- reports its outcome: a timeout, a connection error, HTTP 429 or 5xx is a systemic failure; any
  other answer of a data endpoint (chart, quote, quoteSummary), even 404 for an unknown symbol,
  is a success; a cookie or consent page that answers proves nothing about the data and is neither.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

from sigma.market.providers.breaker import CircuitBreaker
from sigma.market.providers.yfinance.failures import classify

DATA_PATH = "/finance/"  # /v8/finance/chart, /v7/finance/quote, /v10/finance/quoteSummary


def new_session() -> Any:
    """The session yfinance itself would make (curl_cffi impersonating a browser, else requests)."""
    from yfinance._http import new_session as make  # yfinance's own factory; it has no public one

    return make()


def systemic(exc: BaseException) -> bool:
    """True for an exception of the network or the service (timeouts, connection and DNS errors)."""
    return isinstance(exc, TimeoutError | ConnectionError) or classify(f"{type(exc).__name__}: {exc}").systemic


def capped(timeout: object, limit: float) -> object:
    """`timeout` no longer than `limit` seconds (None becomes `limit`; a (connect, read) pair is kept)."""
    if timeout is None:
        return limit
    if isinstance(timeout, int | float):
        return min(float(timeout), limit)
    return timeout


class RequestGuard:
    """Installs the breaker and the timeout cap on a session; `limited` lowers the cap for one call."""

    def __init__(self, breaker: CircuitBreaker, timeout: float) -> None:
        self.breaker, self.default = breaker, timeout
        self._local = threading.local()

    @property
    def timeout(self) -> float:
        """Seconds a request of this thread may take."""
        limit: float = getattr(self._local, "timeout", self.default)
        return limit

    @contextmanager
    def limited(self, timeout: float) -> Iterator[None]:
        """Cap this thread's requests at `timeout` seconds while the block runs (a ping's short timeout)."""
        previous = self.timeout
        self._local.timeout = timeout
        try:
            yield
        finally:
            self._local.timeout = previous

    def install(self, session: Any) -> Any:
        """`session`, its every request now guarded (the object is changed in place and returned)."""
        send = session.request

        def request(*args: Any, **kwargs: Any) -> Any:
            url = str(kwargs.get("url", args[1] if len(args) > 1 else ""))
            limit = self.timeout
            kwargs["timeout"] = capped(kwargs.get("timeout"), limit)
            self.breaker.admit()
            try:
                response = send(*args, **kwargs)
            except Exception as exc:
                if systemic(exc):
                    self.breaker.failure(f"{type(exc).__name__}: {exc}", limit)
                raise
            self._record(url, int(getattr(response, "status_code", 0)), limit)
            return response

        session.request = request
        return session

    def _record(self, url: str, status: int, limit: float) -> None:
        parts = urlparse(url)
        if status == 429 or status >= 500:
            self.breaker.failure(f"HTTP {status} from {parts.netloc or url}", limit)
        elif DATA_PATH in parts.path:
            self.breaker.success()
