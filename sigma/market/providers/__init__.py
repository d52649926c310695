"""Market-data providers behind one protocol (the only place besides sigma.chat.llm with network)."""

from sigma.market.providers.base import BAR_COLUMNS, PROFILE_COLUMNS, FetchResult, PriceProvider, empty_bars

__all__ = ["BAR_COLUMNS", "PROFILE_COLUMNS", "FetchResult", "PriceProvider", "empty_bars"]
