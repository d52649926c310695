"""The prices a book needs, read through the market service in a bounded number of queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import DEFAULT_BENCHMARK, THREE_MONTH_YIELD, VIX
from sigma.market.service import MarketService
from sigma.portfolio.inputs import PriceInputs


def load_prices(market: MarketService, symbols: Sequence[str], start: date | None) -> PriceInputs:
    """Close frame (+ ^IRX, and ^VIX and SPY for the option surface, when stored), last price dates and
    profiles: three queries whatever the size."""
    wanted = list(dict.fromkeys([*symbols, THREE_MONTH_YIELD, VIX, DEFAULT_BENCHMARK]))
    last = market.store.last_dates(wanted)
    stored = [s for s in wanted if s in last]
    close = market.close_frame(stored, start=start) if stored else pd.DataFrame(index=pd.DatetimeIndex([]))
    profiles = market.profiles(list(symbols))
    dividends = profiles.set_index("symbol")["dividend_yield"].astype(float).fillna(0.0)
    rate: pd.Series | float = 0.0
    if THREE_MONTH_YIELD in close.columns:
        rate = np.log1p(close[THREE_MONTH_YIELD].dropna() / 100.0)
    return PriceInputs(close, last, rate, dividends, profiles, market.settings.vol_surface)
