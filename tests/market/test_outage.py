"""Provider outages (issue 11): the circuit breaker, the auto fallback and the refresh's deadline.

The outage double answers like an unreachable Yahoo: every request it is not told to route waits
its whole timeout, then raises `requests.Timeout`. Timeouts here are 0.05 s; at the default 10 s
the same number of requests bounds the wall time (3 requests x 10 s = 30 s, within a minute).
Nothing reaches the network: real sockets fail the test, as in test_yfinance.py.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlparse

import pandas as pd
import pytest
import requests

from sigma.config import MarketDataMode
from sigma.conventions import Source
from sigma.errors import ProviderDown, ProviderUnavailable
from sigma.market.providers.auto import AutoProvider
from sigma.market.providers.breaker import CircuitBreaker
from sigma.market.providers.yfinance import YFinanceProvider
from sigma.market.service import MarketService
from sigma.market.standard import FetchResult, empty_bars
from sigma.market.store.prices import PriceStore
from sigma.market.store.refresh import Deadline
from sigma.wiring import make_provider
from tests.fakes import FakeProvider, synthetic_bars
from tests.market.providers.yf_fixtures import (
    CRUMB,
    NOT_FOUND,
    FixtureAdapter,
    chart,
    chart_routes,
    clear_yfinance_cache,
)

START, END = date(2024, 1, 2), date(2024, 1, 12)
TIMEOUT = 0.05
ADVICE = (
    "Check the network connection (and any proxy), or set SIGMA_MARKET_DATA=auto to fall back to simulated "
    "prices (or SIGMA_MARKET_DATA=simulated), then rerun: python -m jobs run market_data."
)
MANY = [f"S{i:03d}" for i in range(120)]  # three provider calls of at most 50 symbols
ANSWERING = {r"/v1/test/getcrumb": CRUMB, r"^/$": (200, ""), r"/consent": (200, "")}  # cookie pages answer


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Empty yfinance's response cache, and make any real socket connection fail the test."""
    clear_yfinance_cache()

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


class Outage(FixtureAdapter):
    """Routed paths answer as recorded; every other request waits its timeout, then times out."""

    def __init__(self, routes) -> None:
        super().__init__(routes)
        self.timeouts: list[float] = []

    def send(self, request, **kwargs):
        if any(re.search(p, urlparse(request.url).path) for p in self.routes):
            return super().send(request, **kwargs)
        self.paths.append(urlparse(request.url).path)
        self.timeouts.append(kwargs["timeout"])
        time.sleep(kwargs["timeout"])
        raise requests.Timeout(f"Read timed out. (read timeout={kwargs['timeout']})")


def live(routes=None, breaker: int | None = 3, retries: int = 3) -> tuple[YFinanceProvider, Outage]:
    adapter = Outage(routes or {})
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    provider = YFinanceProvider(
        timeout=TIMEOUT, retries=retries, session=session, sleep=lambda s: None, breaker=breaker
    )
    return provider, adapter


def down_message(failures: int = 3, sent: int = 3) -> str:
    return (
        f"Yahoo Finance is down for this run: the last {failures} requests failed in a row ({sent} sent, "
        f"each allowed {TIMEOUT:g} s). Last error: Timeout: Read timed out. (read timeout={TIMEOUT}). {ADVICE}"
    )


# --- the breaker ----------------------------------------------------------------------------------


def test_with_every_request_timing_out_the_breaker_opens_after_three_requests_and_says_what_to_do():
    provider, adapter = live(breaker=3, retries=3)
    began = time.monotonic()
    with pytest.raises(ProviderDown) as err:
        provider.fetch_bars(["SPY", "AAPL", "MSFT"], START, END)
    elapsed = time.monotonic() - began
    assert len(adapter.paths) == 3 <= 3 * (3 + 1)  # breaker x (retries + 1) at most; here exactly the breaker
    assert adapter.timeouts == [TIMEOUT] * 3  # yfinance asks 30 s for its cookie pages: capped at the provider's
    assert elapsed < 3 * TIMEOUT + 2.0
    assert str(err.value) == down_message()
    assert isinstance(err.value, ProviderUnavailable)  # every place that copes with an outage copes with this


def test_an_open_breaker_fails_fast_without_the_network_until_reset():
    provider, adapter = live(breaker=3)
    with pytest.raises(ProviderDown):
        provider.fetch_bars(["SPY"], START, END)
    for call in (lambda: provider.fetch_bars(["AAPL"], START, END), lambda: provider.profiles(["AAPL"])):
        with pytest.raises(ProviderDown, match="the last 3 requests failed in a row"):
            call()
    assert len(adapter.paths) == 3 and provider.ping(TIMEOUT) is False
    assert (
        provider.last_error
        == "Yahoo Finance is down for this run: the last 3 requests failed in a row (3 sent, each allowed 0.05 s)"
    )
    assert len(adapter.paths) == 3
    provider.reset()
    with pytest.raises(ProviderDown):
        provider.fetch_bars(["SPY"], START, END)
    assert len(adapter.paths) == 6  # a new run tries the network again, and gives up as fast


def test_a_symbol_without_data_does_not_count_towards_the_breaker():
    routes = {rf"/v8/finance/chart/NOPE{i}$": NOT_FOUND for i in range(5)} | chart_routes("SPY")
    provider, _ = live({**ANSWERING, **routes}, breaker=2)
    result = provider.fetch_bars([f"NOPE{i}" for i in range(5)] + ["SPY"], START, END)
    assert set(result.bars["symbol"]) == {"SPY"} and sorted(result.errors) == [f"NOPE{i}" for i in range(5)]
    assert not provider.breaker.is_open and provider.breaker.failures == 0


def test_failures_that_are_not_in_a_row_do_not_open_the_breaker():
    # AAPL and MSFT time out, SPY answers in between: never two failures in a row (yfinance orders
    # the symbols of one download as it likes, so each is its own call here)
    provider, _ = live({**ANSWERING, **chart_routes("SPY")}, breaker=2, retries=1)
    timed_out = f"Yahoo Finance did not answer within {TIMEOUT:g} s (tried 1 time). "
    with pytest.raises(ProviderUnavailable) as aapl:
        provider.fetch_bars(["AAPL"], START, END)
    assert set(provider.fetch_bars(["SPY"], START, END).bars["symbol"]) == {"SPY"}
    with pytest.raises(ProviderUnavailable) as msft:
        provider.fetch_bars(["MSFT"], START, END)
    assert str(aapl.value).startswith(timed_out) and str(msft.value).startswith(timed_out)
    assert not isinstance(msft.value, ProviderDown)
    assert not provider.breaker.is_open and provider.breaker.failures == 1


def test_http_429_and_5xx_count_as_systemic_failures():
    breaker = CircuitBreaker(2, "Yahoo Finance")
    provider, _ = live({**ANSWERING, r"/v8/finance/chart/": (503, "Service Unavailable")}, breaker=2)
    with pytest.raises(ProviderDown, match=r"the last 2 requests .* Last error: HTTP 503 from query\d\.finance"):
        provider.fetch_bars(["SPY", "AAPL"], START, END)
    breaker.failure("HTTP 429 from query2.finance.yahoo.com", 10)
    breaker.success()
    breaker.failure("HTTP 429 from query2.finance.yahoo.com", 10)
    assert not breaker.is_open and breaker.failures == 1


def test_without_a_threshold_the_breaker_never_opens():
    breaker = CircuitBreaker(None, "Yahoo Finance")
    for _ in range(100):
        breaker.admit()
        breaker.failure("Timeout", 10)
    assert not breaker.is_open and breaker.sent == 100
    with pytest.raises(ValueError, match="at least 1"):
        CircuitBreaker(0, "Yahoo Finance")


def test_wiring_gives_the_live_provider_the_configured_breaker(settings):
    provider = make_provider(replace(settings, market_data=MarketDataMode.YFINANCE, provider_breaker=4))
    assert isinstance(provider, YFinanceProvider) and provider.breaker.threshold == 4


# --- auto -----------------------------------------------------------------------------------------


@dataclass
class Simulated:
    name: str = "simulated"
    source: Source = Source.SIMULATED
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def fetch_bars(self, symbols, start, end) -> FetchResult:
        self.calls.append(tuple(symbols))
        return FetchResult(empty_bars(), Source.SIMULATED)

    def profiles(self, symbols) -> pd.DataFrame:
        return pd.DataFrame({"symbol": ["SIM"]})


def test_auto_falls_back_to_simulated_when_the_breaker_opens_during_the_ping():
    # the ping sends two or three requests (a crumb, or a cookie and a consent page, then the chart): two open it
    provider, adapter = live(breaker=2)
    auto = AutoProvider(provider, Simulated(), timeout=TIMEOUT)
    assert auto.fetch_bars(["AAPL"], START, END).source is Source.SIMULATED
    assert auto.fallback_reason == (
        "Live prices unavailable (Yahoo Finance is down for this run: the last 2 requests failed in a row "
        "(2 sent, each allowed 0.05 s)); showing simulated prices."
    )
    assert len(adapter.paths) == 2


def test_auto_falls_back_for_the_rest_of_the_run_when_the_breaker_opens_after_the_ping():
    fallback = Simulated()
    provider, adapter = live({r"/v1/test/getcrumb": CRUMB, r"/v8/finance/chart/SPY$": chart("SPY")}, breaker=3)
    auto = AutoProvider(provider, fallback, timeout=TIMEOUT)
    assert auto.active == "yfinance"
    assert auto.fetch_bars(["AAPL", "MSFT", "NVDA"], START, END).source is Source.SIMULATED
    assert (auto.active, fallback.calls) == ("simulated", [("AAPL", "MSFT", "NVDA")])
    assert (auto.fallback_reason or "").startswith(
        "Live prices unavailable (Yahoo Finance is down for this run: the last 3 requests failed in a row"
    )
    sent = len(adapter.paths)
    assert auto.profiles(["AAPL"])["symbol"].tolist() == ["SIM"] and len(adapter.paths) == sent
    auto.reset()
    assert not provider.breaker.is_open  # the next run pings again


# --- the refresh ----------------------------------------------------------------------------------


@pytest.fixture
def store(db):
    s = PriceStore(db.sessions)
    yield s
    s.close()


def test_the_refresh_of_a_large_universe_ends_after_three_timeouts_and_keeps_existing_prices(db, store, settings):
    provider, adapter = live(breaker=settings.provider_breaker, retries=settings.provider_retries)
    service = MarketService(store, provider, replace(settings, market_years=1), clock=lambda: date(2026, 11, 23))
    began = time.monotonic()
    report = service.refresh(symbols=MANY)
    assert time.monotonic() - began < 3 * TIMEOUT + 3.0
    assert len(adapter.paths) == settings.provider_breaker == 3 and report.calls == 1
    assert len(adapter.paths) * settings.provider_timeout <= 60  # the same requests at the default 10 s
    assert report.failed and report.rows_written == 0
    assert report.summary() == f"Provider unavailable, nothing written; existing prices kept ({down_message()})"
    again = service.refresh(symbols=MANY)  # the next run closes the breaker and tries once more
    assert again.failed and len(adapter.paths) == 6


@dataclass
class Clock:
    now: float = 0.0


@dataclass
class SlowProvider(FakeProvider):
    """A FakeProvider whose every call takes `step` seconds on `clock`."""

    clock: Clock = field(default_factory=Clock)
    step: float = 100.0

    def fetch_bars(self, symbols, start, end) -> FetchResult:
        self.clock.now += self.step
        return super().fetch_bars(symbols, start, end)


def test_past_the_deadline_the_refresh_stops_between_calls_with_a_partial_result(db, store):
    start, end = date(2026, 3, 2), date(2026, 3, 6)  # five business days
    provider = SlowProvider(synthetic_bars(MANY, start, end))
    deadline = Deadline(150, 150.0, lambda: provider.clock.now)
    report = store.refresh(provider, MANY, start, end, deadline=deadline)
    assert [len(c[0]) for c in provider.calls] == [50, 50] and report.calls == 2
    assert report.partial and not report.failed and report.rows_written == 100 * 5
    reason = "the job's deadline of 150 s (SIGMA_JOB_DEADLINE_SECONDS) passed"
    assert report.errors == dict.fromkeys(MANY[100:], f"not fetched: {reason}; rerun python -m jobs run market_data")
    assert report.summary() == (
        f"Stopped early, {reason}: 500 rows written for 100 of 120 symbols (simulated); "
        "rerun python -m jobs run market_data to fetch the rest"
    )
    provider.calls.clear()
    rest = store.refresh(provider, MANY, start, end)  # the rerun fetches only what is missing
    assert provider.calls == [(tuple(MANY[100:]), start, end)] and rest.rows_written == 20 * 5


def test_the_service_stops_at_the_configured_deadline(db, store, settings):
    class Sleepy(FakeProvider):
        def fetch_bars(self, symbols, start, end):
            time.sleep(1.05)
            return super().fetch_bars(symbols, start, end)

    provider = Sleepy(synthetic_bars(MANY, date(2026, 11, 16), date(2026, 11, 20)))
    service = MarketService(store, provider, replace(settings, job_deadline_seconds=1, market_years=1))
    report = service.refresh(symbols=MANY)
    assert len(provider.calls) == 1 and report.partial and report.rows_written == 50 * 5
    assert "the job's deadline of 1 s (SIGMA_JOB_DEADLINE_SECONDS) passed" in report.summary()


def test_an_outage_after_some_calls_keeps_what_came_before(db, store):
    start, end = date(2026, 3, 2), date(2026, 3, 6)

    class Flaky(FakeProvider):
        def fetch_bars(self, symbols, start, end):
            if self.calls:
                self.fail = ProviderDown("Yahoo Finance is down for this run: the last 3 requests failed in a row")
            return super().fetch_bars(symbols, start, end)

    report = store.refresh(Flaky(synthetic_bars(MANY, start, end)), MANY, start, end)
    assert report.failed and report.calls == 2 and report.rows_written == 50 * 5
    assert report.summary() == (
        "Provider unavailable after 250 rows for 50 of 120 symbols; the rest keep their stored prices "
        "(Yahoo Finance is down for this run: the last 3 requests failed in a row)"
    )
    assert store.missing_ranges(MANY, start, end).keys() == set(MANY[50:])


def test_a_batch_runs_stop_signal_ends_the_refresh_the_same_way_and_says_why(db, store, settings):
    stop = threading.Event()

    class Stopping(FakeProvider):
        def fetch_bars(self, symbols, start, end):
            stop.set()  # the run is asked to stop while the first call is under way
            return super().fetch_bars(symbols, start, end)

    provider = Stopping(synthetic_bars(MANY, date(2026, 11, 16), date(2026, 11, 20)))
    service = MarketService(store, provider, replace(settings, market_years=1))
    report = service.refresh(symbols=MANY, stop=stop.is_set)
    reason = "the run was asked to stop (its deadline, a signal or a lost lease)"
    assert len(provider.calls) == 1 and report.partial and report.rows_written == 50 * 5
    assert report.errors == dict.fromkeys(MANY[50:], f"not fetched: {reason}; rerun python -m jobs run market_data")
