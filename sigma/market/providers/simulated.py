"""The simulated provider: the embedded default market behind the PriceProvider protocol.

Serves bars from `simulated_market(end=..., years=..., seed=...)`, generated lazily once per
instance. Requests are clipped to the simulated range; symbols outside the universe come back
in `FetchResult.errors` while the rest load. Everything it returns is labelled `simulated`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from sigma.conventions import Source
from sigma.market.simulated.market import SimulatedMarket, simulated_market
from sigma.market.standard import FetchResult, empty_bars
from sigma.market.universe import universe_profiles, universe_symbols

UNKNOWN_REASON = "not in the simulated universe (sigma/market/data/universe.csv); use the live or csv provider"


class SimulatedProvider:
    """Daily bars and profiles from the seeded simulated market."""

    name = "simulated"

    def __init__(self, seed: int, end: date, years: int) -> None:
        self.seed, self.end, self.years = seed, end, years
        self._market: SimulatedMarket | None = None

    @property
    def source(self) -> Source:
        """Always `simulated`."""
        return Source.SIMULATED

    @property
    def market(self) -> SimulatedMarket:
        """The simulated market, generated on first use."""
        if self._market is None:
            self._market = simulated_market(end=self.end, years=self.years, seed=self.seed)
        return self._market

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        """Bars for `symbols` within [start, end] clipped to the simulated range; unknown symbols in `errors`."""
        known_set = set(universe_symbols())
        requested = list(dict.fromkeys(symbols))
        known = [s for s in requested if s in known_set]
        errors = {s: UNKNOWN_REASON for s in requested if s not in known_set}
        if not known:
            return FetchResult(empty_bars(), self.source, errors)
        m = self.market
        if start > end or end < m.start or start > m.end:
            reason = f"no simulated bars between {start} and {end} (simulated range {m.start} to {m.end})"
            return FetchResult(empty_bars(), self.source, errors, {s: reason for s in known})
        bars = m.bars(sorted(known), start=start, end=end)
        bars = bars.sort_values(["symbol", "date"], kind="stable", ignore_index=True)
        return FetchResult(bars, self.source, errors)

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Reference profiles (PROFILE_COLUMNS) of the known `symbols`, in request order."""
        table = universe_profiles().set_index("symbol", drop=False)
        known = [s for s in dict.fromkeys(symbols) if s in table.index]
        return table.loc[known].reset_index(drop=True)
