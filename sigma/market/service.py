"""The market service: the one facade the app, the jobs process and other services use for prices.

The refresh window is [end - `market_years` years, end], where end is `settings.market_end`, or
else the last business day strictly before today (the close that has happened). Today comes from
the injected `clock` (or a `today` argument); this module never reads the clock itself.
Staleness: the latest stored price is stale when it is more than `stale_after_days` calendar
days before `settings.market_end` (when set) or today. Prices, returns and dates follow
`sigma.market.store.prices`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sigma.config import Settings
from sigma.conventions import Source
from sigma.errors import UnknownSymbol
from sigma.market.standard import PriceProvider
from sigma.market.store.prices import PriceStore
from sigma.market.store.refresh import Deadline, Progress, RefreshReport

__all__ = ["MarketService", "MarketStatus", "last_business_day"]

NO_PRICES = "No prices yet. Run: python -m jobs run market_data"


def last_business_day(today: date) -> date:
    """The last weekday strictly before `today`."""
    yesterday = np.datetime64(today, "D") - np.timedelta64(1, "D")
    last: date = np.busday_offset(yesterday, 0, roll="backward").astype(date)
    return last


@dataclass(frozen=True)
class MarketStatus:
    """What the sidebar badge says: where prices come from, how fresh, and any fallback."""

    source: str | None  # simulated | live | csv (of the stored prices; the provider's when empty)
    as_of: date | None
    stale: bool
    fallback_reason: str | None
    message: str


class MarketService:
    """Prices for everyone: refresh from the provider into the store, read from the store."""

    def __init__(
        self,
        store: PriceStore,
        provider: PriceProvider,
        settings: Settings,
        clock: Callable[[], date] = date.today,
    ) -> None:
        self.store, self.provider, self.settings = store, provider, settings
        self._clock = clock

    def window(self, today: date | None = None) -> tuple[date, date]:
        """The refresh window (start, end) for `today` (default: the injected clock)."""
        end = self.settings.market_end or last_business_day(today or self._clock())
        start = (pd.Timestamp(end) - pd.DateOffset(years=self.settings.market_years)).date()
        return start, end

    def refresh(
        self,
        progress: Progress | None = None,
        symbols: Sequence[str] | None = None,
        today: date | None = None,
        deadline: Deadline | None = None,
        stop: Callable[[], bool] | None = None,
        since: date | None = None,
    ) -> RefreshReport:
        """The market_data job: fetch what is missing for the universe (or `symbols`) and store it
        (with `since`: fetch everything again from that date, writing what changed).

        A new run: a live provider called down earlier may be tried again. The refresh stops between
        provider calls, writing what it fetched, once `deadline` passes (default:
        `settings.job_deadline_seconds` from now) or `stop()` is true (a batch run's stop signal).
        """
        if symbols is None:
            from sigma.market.universe import universe_symbols

            symbols = universe_symbols()
        start, end = self.window(today)
        self._new_run()
        deadline = deadline or Deadline.after(self.settings.job_deadline_seconds, stop=stop)
        return self.store.refresh(self.provider, symbols, start, end, progress, deadline, since)

    def sync_profiles(self, symbols: Sequence[str] | None = None) -> int:
        """Fetch and upsert every profile of the universe (or `symbols`); return rows written (a new run)."""
        if symbols is None:
            from sigma.market.universe import universe_symbols

            symbols = universe_symbols()
        self._new_run()
        return self.store.sync_profiles(self.provider, symbols)

    def _new_run(self) -> None:
        """Close the provider's circuit breaker (and redo the auto choice): each job run tries the network anew."""
        reset = getattr(self.provider, "reset", None)
        if callable(reset):
            reset()

    def status(self, today: date | None = None) -> MarketStatus:
        """Source, as-of date, staleness and fallback of the stored prices, for the badge."""
        as_of, stored_source = self.store.as_of()
        reference = self.settings.market_end or today or self._clock()
        fallback = getattr(self.provider, "fallback_reason", None)
        source = stored_source or str(Source(self.provider.source))
        if as_of is None:
            return MarketStatus(source, None, True, fallback, NO_PRICES)
        age = (reference - as_of).days
        stale = age > self.settings.stale_after_days
        message = f"{source.capitalize()} prices as of {as_of:%Y-%m-%d}"
        if stale:
            message += f", stale ({age} days old): run python -m jobs run market_data"
        if fallback:
            message += f". Live data unavailable: {fallback}"
        return MarketStatus(source, as_of, stale, fallback, message)

    def quality(self, today: date | None = None) -> pd.DataFrame:
        """The data-quality report of every stored symbol (see `sigma.market.quality`)."""
        reference = self.settings.market_end or today or self._clock()
        return self.store.quality(reference, self.settings.stale_after_days)

    def close_frame(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None, field: str = "adj_close"
    ) -> pd.DataFrame:
        """Wide prices, dates x symbols (see `PriceStore.close_frame`)."""
        return self.store.close_frame(symbols, start, end, field)

    def returns_frame(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None, field: str = "adj_close"
    ) -> pd.DataFrame:
        """Simple daily returns, dates x symbols (see `PriceStore.returns_frame`)."""
        return self.store.returns_frame(symbols, start, end, field)

    def history(self, symbol: str, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """One symbol's daily bars, oldest first."""
        return self.store.history(symbol, start, end)

    def latest(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Latest and previous adjusted close per symbol, for valuation."""
        return self.store.latest(symbols)

    def price_on(self, symbols: Sequence[str], dates: Sequence[date], field: str = "adj_close") -> np.ndarray:
        """The price of symbols[i] on or before dates[i] (NaN when none)."""
        return self.store.price_on(symbols, dates, field)

    def profiles(self, symbols: Sequence[str] | None = None) -> pd.DataFrame:
        """Stored security profiles."""
        return self.store.profiles(symbols)

    def known_symbols(self) -> set[str]:
        """Symbols with prices or a profile."""
        return self.store.known_symbols()

    def priced_symbols(self) -> set[str]:
        """Symbols with at least one stored price (a profile alone cannot value a position)."""
        return set(self.store.last_dates())

    def require_priced(self, symbols: Sequence[str]) -> None:
        """Raise `UnknownSymbol` naming every symbol with no stored price."""
        priced = self.priced_symbols()
        missing = [s for s in dict.fromkeys(symbols) if s not in priced]
        if missing:
            raise UnknownSymbol(
                missing, "Sigma has no prices for it: check the spelling, or run: python -m jobs run market_data"
            )

    def require_known(self, symbols: Sequence[str]) -> None:
        """Raise `UnknownSymbol` naming every symbol that has neither prices nor a profile."""
        known = self.store.known_symbols(symbols)
        unknown = [s for s in dict.fromkeys(symbols) if s not in known]
        if unknown:
            raise UnknownSymbol(unknown)
