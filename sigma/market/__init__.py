"""Market data: providers (simulated, yfinance, csv), the price store, quality checks, the universe.

For notebooks::

    from datetime import date
    from sigma.market import simulated_market
    m = simulated_market(end=date(2026, 11, 20), years=10, seed=1)
    m.close            # wide adjusted closes: business days x ~150 symbols
    m.bars(["SPY"])    # the long OHLCV frame the store takes
"""

from sigma.market.simulated.market import SimulatedMarket, simulated_market

__all__ = ["SimulatedMarket", "simulated_market"]
