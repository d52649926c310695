"""The live provider: daily bars and profiles from Yahoo Finance through yfinance.

Bars come from batched `yf.download(..., auto_adjust=False)`, so both Close (split-adjusted)
and Adj Close (split- and dividend-adjusted) exist; `end` is inclusive here and exclusive for
yfinance. `download` never raises: it logs failures to the "yfinance" logger and returns empty
or all-NaN columns. During each call this module attaches a handler to that logger and turns
off yfinance's `hide_exceptions` (restored afterwards, under a lock) so the log names the real
exception per symbol (a timeout, a DNS failure, HTTP 429) instead of "possibly delisted".

Timeouts, connection failures and rate limits are retried (only the failed symbols) with
exponential backoff; a symbol that fails otherwise is reported in `FetchResult.errors`. When
nothing at all could be fetched and every failure looks systemic, `ProviderUnavailable` says so.
Dividend yields are fractions (0.005 = 0.5 %).
"""

from __future__ import annotations

import ast
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

import pandas as pd

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.providers.base import BAR_COLUMNS, PROFILE_COLUMNS, FetchResult, empty_bars
from sigma.market.validate import validate_bars

_YF_COLUMNS = {
    "Open": "open",
    "High": "high",
    "Low": "low",
    "Close": "close",
    "Adj Close": "adj_close",
    "Volume": "volume",
}
_FAILED_LINE = re.compile(r"^\s*(\[[^\]]*\]): (.+)$", re.DOTALL)
_CONFIG_LOCK = threading.Lock()
_ASSET_CLASSES = {"EQUITY": "equity", "ETF": "etf", "MUTUALFUND": "fund", "INDEX": "index",
                  "CRYPTOCURRENCY": "crypto", "CURRENCY": "fx", "FUTURE": "future"}  # fmt: skip
_ADVICE = "Sigma keeps showing the last stored prices; try again later or set SIGMA_MARKET_DATA=simulated."


class FailureKind(StrEnum):
    """Why a symbol came back without prices."""

    RATE_LIMIT = "rate_limit"
    TIMEOUT = "timeout"
    CONNECTION = "connection"
    NO_DATA = "no_data"

    @property
    def systemic(self) -> bool:
        """True for failures of the service or the network rather than of the symbol (retried)."""
        return self is not FailureKind.NO_DATA


_KIND_PATTERNS = (  # exception class names and vendor phrases; case-sensitive so a ticker such as SSL never matches
    (FailureKind.RATE_LIMIT, re.compile(r"YFRateLimitError|Too Many Requests|Rate limited")),
    (FailureKind.TIMEOUT, re.compile(r"Timeout|timed out|curl: \(28\)")),
    (FailureKind.CONNECTION, re.compile(r"ConnectionError|ConnectError|DNSError|ProxyError|SSLError|resolve host|"
                                        r"Failed to resolve|Failed to establish|curl: \((5|6|7|35)\)")),
)  # fmt: skip


def classify(reason: str) -> FailureKind:
    """The kind of failure a yfinance log line or exception text describes."""
    return next((kind for kind, pattern in _KIND_PATTERNS if pattern.search(reason)), FailureKind.NO_DATA)


@dataclass(frozen=True)
class _Failure:
    kind: FailureKind
    detail: str


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _capturing_yfinance() -> Iterator[list[str]]:
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


def parse_failures(messages: Sequence[str]) -> dict[str, str]:
    """Per-symbol reasons from yfinance's "N Failed downloads" lines ("['A', 'B']: Reason(...)")."""
    reasons: dict[str, str] = {}
    for message in messages:
        match = _FAILED_LINE.match(message)
        if match is None:
            continue
        try:
            symbols = ast.literal_eval(match.group(1))
        except (ValueError, SyntaxError):
            continue
        reasons.update({str(s).upper(): match.group(2).strip() for s in symbols})
    return reasons


def to_long(wide: pd.DataFrame | None, batch: Sequence[str]) -> pd.DataFrame:
    """yfinance's wide frame (columns ('Price', 'Ticker') or flat for one ticker) as a long bars frame."""
    if wide is None or wide.empty:
        return empty_bars()
    frame = wide.copy()
    if not isinstance(frame.columns, pd.MultiIndex):
        frame.columns = pd.MultiIndex.from_product([frame.columns, [batch[0]]], names=["Price", "Ticker"])
    elif frame.columns.names[0] == "Ticker":
        frame.columns = frame.columns.swaplevel(0, 1)
    long = pd.DataFrame(frame.stack(level=1)).rename(columns=_YF_COLUMNS)
    long.index = long.index.set_names(["date", "symbol"])
    long = long.reset_index()
    if "adj_close" not in long.columns:
        long["adj_close"] = long["close"]
    long = long.reindex(columns=list(BAR_COLUMNS))
    # download reindexes every ticker to the union of dates: rows with no price at all are absent data
    return long.dropna(how="all", subset=["open", "high", "low", "close", "adj_close"])


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
    ) -> None:
        if retries < 1 or batch_size < 1:
            raise ValueError("retries (attempts in all) and batch_size must be at least 1")
        self.timeout, self.retries, self.backoff, self.batch_size = timeout, retries, backoff, batch_size
        self._session, self._sleep = session, sleep
        self.last_error: str | None = None  # why the last ping failed, for the auto provider's banner

    @property
    def source(self) -> Source:
        """Live prices."""
        return Source.LIVE

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        """Daily bars from `start` to `end` inclusive; failed symbols in `errors`."""
        wanted = list(dict.fromkeys(s.strip().upper() for s in symbols if s.strip()))
        frames: list[pd.DataFrame] = []
        failures: dict[str, _Failure] = {}
        for i in range(0, len(wanted), self.batch_size):
            batch = wanted[i : i + self.batch_size]
            got, failed = self._fetch_batch(batch, start, end)
            frames.append(got)
            failures.update(failed)
            if all(f.empty for f in frames) and failed and all(f.kind.systemic for f in failed.values()):
                # the service or network is down: do not spend attempts x timeout on every further batch
                first = next(iter(failed.values()))
                failures.update({s: first for s in wanted[i + self.batch_size :]})
                break
        bars = pd.concat([f for f in frames if not f.empty] or [empty_bars()], ignore_index=True)
        if wanted and bars.empty and failures and all(f.kind.systemic for f in failures.values()):
            raise ProviderUnavailable(self._unavailable_message(next(iter(failures.values()))))
        in_window = pd.to_datetime(bars["date"]).between(pd.Timestamp(start), pd.Timestamp(end))
        validated = validate_bars(bars[in_window], Source.LIVE)
        return validated.to_result({s: self._describe(f, start, end) for s, f in failures.items()})

    def _fetch_batch(self, batch: list[str], start: date, end: date) -> tuple[pd.DataFrame, dict[str, _Failure]]:
        """One batch with bounded retries: only symbols that failed for systemic reasons are tried again."""
        frames: list[pd.DataFrame] = []
        failures: dict[str, _Failure] = {}
        pending = batch
        for attempt in range(self.retries):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            got, failed = self._download(pending, self.timeout, start=start, end=end + timedelta(days=1))
            frames.append(got)
            failures = {s: f for s, f in failures.items() if s not in pending} | failed
            pending = [s for s, f in failed.items() if f.kind.systemic]
            if not pending:
                break
        return pd.concat(frames, ignore_index=True), failures

    def _download(self, symbols: list[str], timeout: float, **window: Any) -> tuple[pd.DataFrame, dict[str, _Failure]]:
        """One yf.download call: the long frame and a failure per symbol that came back empty."""
        import yfinance as yf

        wide: pd.DataFrame | None = None
        with _capturing_yfinance() as messages:
            try:
                wide = yf.download(
                    symbols, auto_adjust=False, actions=False, group_by="column", threads=False, progress=False,
                    timeout=timeout, session=self._session, multi_level_index=True, **window,
                )  # fmt: skip
            except Exception as exc:  # download is documented not to raise; a new yfinance might
                messages.append(f"{symbols!r}: {exc!r}")
        long = to_long(wide, symbols)
        reasons = parse_failures(messages)
        missing = set(symbols) - set(long["symbol"].unique())
        fallback = next((m for m in messages if classify(m).systemic), "no prices returned")
        failures = {s: _Failure(classify(reasons.get(s, fallback)), reasons.get(s, fallback)) for s in missing}
        return long, failures

    def _describe(self, failure: _Failure, start: date, end: date) -> str:
        """A per-symbol error message."""
        if failure.kind is FailureKind.NO_DATA:
            return f"Yahoo Finance returned no prices from {start} to {end}; check the symbol (misspelled or delisted?)"
        return _phrase(failure, self.timeout, self.retries)

    def _unavailable_message(self, failure: _Failure) -> str:
        phrase = _phrase(failure, self.timeout, self.retries)
        return f"{phrase[0].upper()}{phrase[1:]}. {_ADVICE}"

    def ping(self, timeout: float | None = None) -> bool:
        """True if Yahoo Finance returns SPY's last 5 days within `timeout` seconds (one attempt)."""
        limit = self.timeout if timeout is None else timeout
        got, failed = self._download(["SPY"], limit, period="5d")
        failure = failed.get("SPY", _Failure(FailureKind.NO_DATA, ""))
        self.last_error = None if not got.empty else _phrase(failure, limit, attempts=0)
        return not got.empty

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Profiles from `Ticker.info`; symbols that fail or time out are left out."""
        rows: list[dict[str, object]] = []
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sigma-yf-info")
        try:
            for symbol in dict.fromkeys(s.strip().upper() for s in symbols):
                try:
                    info = pool.submit(self._info, symbol).result(timeout=self.timeout)
                except FutureTimeout:
                    break  # Yahoo is not answering: the next symbols would wait as long
                except Exception:  # curl_cffi DNSError, HTTPError, YFException...: skip the symbol
                    continue
                if info.get("quoteType") or info.get("longName") or info.get("shortName"):
                    rows.append(profile_row(symbol, info))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))

    def _info(self, symbol: str) -> dict[str, Any]:
        import yfinance as yf

        return dict(yf.Ticker(symbol, session=self._session).info or {})


def profile_row(symbol: str, info: dict[str, Any]) -> dict[str, object]:
    """One PROFILE_COLUMNS row from a Ticker.info dict (dividend yield as a fraction, never `dividendYield`)."""
    price = info.get("regularMarketPrice") or info.get("currentPrice") or info.get("previousClose")
    dividend_yield = info.get("trailingAnnualDividendYield")
    if dividend_yield is None and info.get("dividendRate") and price:
        dividend_yield = float(info["dividendRate"]) / float(price)
    quote_type = str(info.get("quoteType") or "").upper()
    return {
        "symbol": symbol,
        "name": info.get("longName") or info.get("shortName") or symbol,
        "asset_class": _ASSET_CLASSES.get(quote_type, quote_type.lower() or "unknown"),
        "sector": info.get("sector"),
        "industry": info.get("industry"),
        "market_cap": info.get("marketCap"),
        "dividend_yield": dividend_yield,
    }


def _phrase(failure: _Failure, timeout: float, attempts: int) -> str:
    """What went wrong, as a phrase ("tried N times" when `attempts` is positive)."""
    tried = f"tried {attempts} time{'s' if attempts > 1 else ''}" if attempts > 0 else ""
    if failure.kind is FailureKind.RATE_LIMIT:
        return f"Yahoo Finance is rate-limiting requests (HTTP 429{'; ' + tried if tried else ''})"
    if failure.kind is FailureKind.TIMEOUT:
        return f"Yahoo Finance did not answer within {timeout:g} s{f' ({tried})' if tried else ''}"
    if failure.kind is FailureKind.CONNECTION:
        return f"could not reach Yahoo Finance ({_short(failure.detail)}{'; ' + tried if tried else ''})"
    return "Yahoo Finance returned no prices"


def _short(detail: str, limit: int = 120) -> str:
    return detail if len(detail) <= limit else detail[: limit - 1] + "…"
