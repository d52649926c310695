"""The network: one `yf.download` call and `Ticker.info` lookups, each bounded by a timeout.

`download` never raises: it logs failures to the "yfinance" logger and returns empty or all-NaN
columns. During each call this module attaches a handler to that logger and turns off
yfinance's `hide_exceptions` (restored afterwards, under a lock) so the log names the real
exception per symbol (a timeout, a DNS failure, HTTP 429) instead of "possibly delisted".
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sigma.market.providers.yfinance.query import Window

_CONFIG_LOCK = threading.Lock()
Info = dict[str, Any]  # Yahoo's quote summary as yfinance returns it (vendor payload)


@dataclass(frozen=True)
class Download:
    """What one `yf.download` call gave: its wide frame (None if it raised) and the log lines."""

    wide: pd.DataFrame | None
    messages: tuple[str, ...]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def capturing_yfinance() -> Iterator[list[str]]:
    """Collect yfinance's warnings and errors, with real exceptions named, for the duration of a call."""
    from yfinance.config import YfConfig

    logger = logging.getLogger("yfinance")
    handler, old_level = _Collect(), logger.level
    with _CONFIG_LOCK:
        hide = YfConfig.debug.hide_exceptions
        YfConfig.debug.hide_exceptions = False
        logger.addHandler(handler)
        if logger.getEffectiveLevel() > logging.WARNING:
            logger.setLevel(logging.WARNING)
        try:
            yield handler.messages
        finally:
            logger.removeHandler(handler)
            logger.setLevel(old_level)
            YfConfig.debug.hide_exceptions = hide


def download(symbols: Sequence[str], timeout: float, session: object | None, window: Window) -> Download:
    """One batched `yf.download` of daily bars (adjusted and unadjusted closes), grouped by column."""
    import yfinance as yf

    wide: pd.DataFrame | None = None
    with capturing_yfinance() as messages:
        try:
            wide = yf.download(
                list(symbols),
                auto_adjust=False,
                actions=False,
                group_by="column",
                threads=False,
                progress=False,
                timeout=timeout,
                session=session,
                multi_level_index=True,
                **window,
            )
        except Exception as exc:  # download is documented not to raise; a new yfinance might
            messages.append(f"{list(symbols)!r}: {exc!r}")
    return Download(wide, tuple(messages))


def infos(symbols: Sequence[str], timeout: float, session: object | None) -> dict[str, Info]:
    """`Ticker.info` per symbol; a symbol that fails is left out, a timeout ends the lookups."""
    found: dict[str, Info] = {}
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sigma-yf-info")
    try:
        for symbol in symbols:
            try:
                found[symbol] = pool.submit(_info, symbol, session).result(timeout=timeout)
            except FutureTimeout:
                break  # Yahoo is not answering: the next symbols would wait as long
            except Exception:  # curl_cffi DNSError, HTTPError, YFException...: skip the symbol
                continue
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return found


def _info(symbol: str, session: object | None) -> Info:
    import yfinance as yf

    return dict(yf.Ticker(symbol, session=session).info or {})
