"""The live provider: daily bars and profiles from Yahoo Finance through yfinance.

Read in the order of a request: `query` (what is asked: symbols, window, batches, the retry
policy) -> `fetch` (the network: `yf.download` and `Ticker.info` with a timeout, yfinance's log
captured) -> `transform` (the vendor's payload into Sigma's standard frames) and `failures`
(why a symbol came back empty, as a kind and a message). `provider` ties them together with
bounded retries.
"""

from sigma.market.providers.yfinance.provider import YFinanceProvider

__all__ = ["YFinanceProvider"]
