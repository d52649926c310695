"""The auto provider: live prices when Yahoo Finance answers, else the fallback (simulated), saying so.

The choice is made once per instance, lazily on first use, by pinging the live provider with a
short timeout; `reset()` forgets it (and closes the live provider's circuit breaker, if it has
one) so the next use pings again. If the live provider later raises `ProviderUnavailable`, for
instance `ProviderDown` when its breaker opens, the instance switches to the fallback for the
rest of its life (until `reset()`, the next run). `active` names the provider in use and
`fallback_reason` says why, for the badge every page shows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol, TypeVar

import pandas as pd

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.standard import FetchResult, PriceProvider

T = TypeVar("T")


class LiveProvider(PriceProvider, Protocol):
    """A provider that can say cheaply whether its service answers."""

    def ping(self, timeout: float) -> bool:
        """True if the service answered within `timeout` seconds."""
        ...


class AutoProvider:
    """Live provider if it answers a ping within `timeout` seconds, otherwise the fallback."""

    name = "auto"

    def __init__(self, live: LiveProvider, fallback: PriceProvider, timeout: float) -> None:
        self.live, self.fallback, self.timeout = live, fallback, timeout
        self._chosen: PriceProvider | None = None
        self._reason: str | None = None
        self._lock = threading.Lock()

    @property
    def active(self) -> str:
        """Name of the provider in use ("yfinance" or "simulated"); pings on first use."""
        return self._provider().name

    @property
    def fallback_reason(self) -> str | None:
        """Why the fallback is in use, as a sentence for the page; None when live."""
        self._provider()
        return self._reason

    @property
    def source(self) -> Source:
        """The source label of the provider in use."""
        return self._provider().source

    def reset(self) -> None:
        """Forget the choice and close the live provider's breaker: the next use pings again."""
        with self._lock:
            self._chosen, self._reason = None, None
            close = getattr(self.live, "reset", None)
            if callable(close):
                close()

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        """Bars from the provider in use; falls back if the live one becomes unavailable."""
        return self._use(lambda provider: provider.fetch_bars(symbols, start, end))

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Profiles from the provider in use; falls back if the live one becomes unavailable."""
        return self._use(lambda provider: provider.profiles(symbols))

    def _use(self, call: Callable[[PriceProvider], T]) -> T:
        """`call` on the provider in use; if the live one raises `ProviderUnavailable`, on the fallback from now on."""
        provider = self._provider()
        if provider is not self.live:
            return call(provider)
        try:
            return call(provider)
        except ProviderUnavailable as exc:  # ProviderDown too: its first sentence says what was tried
            self._fall_back(str(exc).split(". ")[0])
            return call(self.fallback)

    def _provider(self) -> PriceProvider:
        with self._lock:
            if self._chosen is None:
                self._chosen, self._reason = self._decide()
            return self._chosen

    def _decide(self) -> tuple[PriceProvider, str | None]:
        try:
            alive = self.live.ping(self.timeout)
        except Exception as exc:  # a ping must never break a page: any failure means "use the fallback"
            alive, detail = False, f"{exc.__class__.__name__}: {exc}"
        else:
            detail = getattr(self.live, "last_error", None) or f"Yahoo Finance did not answer within {self.timeout:g} s"
        if alive:
            return self.live, None
        return self.fallback, self._sentence(detail)

    def _fall_back(self, detail: str) -> None:
        with self._lock:
            self._chosen, self._reason = self.fallback, self._sentence(detail)

    def _sentence(self, detail: str) -> str:
        return f"Live prices unavailable ({detail}); showing {self.fallback.name} prices."
