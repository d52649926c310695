"""YFinanceProvider against recorded Yahoo chart JSON served by a local adapter (no network).

yfinance caches GET responses for past date ranges in-process (`YfData.cache_get`, an LRU
cache): the autouse fixture clears it before each test, so a failure-mode test never sees
the data of an earlier success (and the reverse).
"""

from __future__ import annotations

import logging
import socket
from datetime import date
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
import requests
import yfinance as yf
from yfinance.config import YfConfig

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.providers.yfinance import YFinanceProvider
from sigma.market.providers.yfinance.failures import FailureKind, classify
from sigma.market.providers.yfinance.transform import profile_row, to_long
from sigma.market.standard import BAR_COLUMNS, PROFILE_COLUMNS
from tests.market.providers.yf_fixtures import (
    RATE_LIMITED,
    chart,
    chart_routes,
    clear_yfinance_cache,
    fixture_session,
    info_routes,
)

START, END = date(2024, 1, 2), date(2024, 1, 12)
ADVICE = "Sigma keeps showing the last stored prices; try again later or set SIGMA_MARKET_DATA=simulated."


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Empty yfinance's response cache, and make any real socket connection fail the test."""
    clear_yfinance_cache()

    def refuse(*args, **kwargs):
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def provider(routes, **kwargs):
    session, adapter = fixture_session(routes)
    sleeps: list[float] = []
    return YFinanceProvider(session=session, sleep=sleeps.append, **kwargs), adapter, sleeps


def test_bars_arrive_in_the_standard_frame_with_adjusted_and_unadjusted_closes():
    p, _, sleeps = provider(chart_routes("AAPL", "SPY"))
    result = p.fetch_bars(["spy", "AAPL"], START, END)
    bars = result.bars
    assert tuple(bars.columns) == BAR_COLUMNS and result.source is Source.LIVE
    assert result.errors == {} and result.warnings == {} and sleeps == []
    assert list(bars["symbol"].unique()) == ["AAPL", "SPY"]
    aapl = bars[bars["symbol"] == "AAPL"]
    assert aapl["date"].tolist() == [d.date() for d in pd.bdate_range(START, END)]  # 9 business days
    last = aapl.iloc[-1]
    # recorded close 185.92 and adjclose 185.92 x 0.99 = 184.0608 on 2024-01-12 (end is inclusive)
    assert (last["date"], last["close"], last["adj_close"], last["volume"]) == (END, 185.92, 184.0608, 1008000.0)


def test_end_is_inclusive_so_yahoo_is_asked_for_the_next_day_and_rows_outside_the_window_are_trimmed():
    p, adapter, _ = provider(chart_routes("SPY"))
    bars = p.fetch_bars(["SPY"], date(2024, 1, 4), date(2024, 1, 9)).bars
    assert bars["date"].tolist() == [date(2024, 1, 4), date(2024, 1, 5), date(2024, 1, 8), date(2024, 1, 9)]
    query = parse_qs(urlparse(next(u for u in adapter.urls if "/chart/SPY" in u)).query)
    period2 = pd.Timestamp(int(query["period2"][0]), unit="s", tz="UTC").tz_convert("America/New_York")
    assert period2.date() == date(2024, 1, 10)


def test_a_nan_row_is_dropped_with_a_warning_and_a_duplicated_timestamp_gives_one_row():
    p, _, _ = provider(chart_routes("MSFT"))
    result = p.fetch_bars(["MSFT"], START, END)
    # 10 recorded rows: 9 dates with 2024-01-09 twice; 2024-01-05 has no close
    assert len(result.bars) == 8 and not result.bars.duplicated(["symbol", "date"]).any()
    assert date(2024, 1, 5) not in set(result.bars["date"])
    assert result.warnings == {"MSFT": "dropped 1 row with a missing or non-positive close (first 2024-01-05)"}


def test_an_unknown_symbol_is_an_error_while_the_others_load_and_nothing_is_retried():
    p, _, sleeps = provider(chart_routes("SPY"))
    result = p.fetch_bars(["SPY", "NOPE"], START, END)
    assert set(result.bars["symbol"]) == {"SPY"}
    assert result.errors["NOPE"].startswith("Yahoo Finance returned no prices from 2024-01-02 to 2024-01-12")
    assert sleeps == []


def test_a_dns_failure_on_every_attempt_makes_the_provider_unavailable_with_advice():
    p, _, sleeps = provider({r".": requests.ConnectionError("Failed to resolve 'query2.finance.yahoo.com'")})
    with pytest.raises(ProviderUnavailable, match="Could not reach Yahoo Finance") as err:
        p.fetch_bars(["SPY", "AAPL"], START, END)
    assert "tried 3 times" in str(err.value) and str(err.value).endswith(ADVICE)
    assert sleeps == [1.0, 2.0]  # exponential backoff between the 3 attempts


def test_a_timeout_on_every_attempt_gives_the_documented_message():
    p, _, _ = provider({r".": requests.Timeout("Read timed out. (read timeout=10)")})
    with pytest.raises(ProviderUnavailable) as err:
        p.fetch_bars(["SPY"], START, END)
    assert str(err.value) == f"Yahoo Finance did not answer within 10 s (tried 3 times). {ADVICE}"


def test_a_rate_limit_is_retried_for_the_failed_symbol_only_and_then_succeeds():
    # yfinance itself re-sends a failed request once (with its other cookie strategy): two 429s make one failed attempt
    routes = {r"/v8/finance/chart/AAPL$": [RATE_LIMITED, RATE_LIMITED, chart("AAPL")], **chart_routes("SPY")}
    p, adapter, sleeps = provider(routes, backoff=0.5)
    result = p.fetch_bars(["AAPL", "SPY"], START, END)
    assert result.errors == {} and set(result.bars["symbol"]) == {"AAPL", "SPY"}
    assert sleeps == [0.5]
    assert adapter.calls[r"/v8/finance/chart/AAPL$"] == 3 and adapter.calls[r"/v8/finance/chart/SPY$"] == 1


def test_a_rate_limit_that_never_lifts_makes_the_provider_unavailable():
    p, _, sleeps = provider({r"/v8/finance/chart/": RATE_LIMITED}, retries=2)
    with pytest.raises(ProviderUnavailable, match=r"rate-limiting requests \(HTTP 429; tried 2 times\)"):
        p.fetch_bars(["SPY", "AAPL"], START, END)
    assert sleeps == [1.0]


def test_a_symbol_rate_limited_on_every_attempt_is_a_per_symbol_error_when_others_load():
    p, _, _ = provider({r"/v8/finance/chart/AAPL$": RATE_LIMITED, **chart_routes("SPY")})
    result = p.fetch_bars(["AAPL", "SPY"], START, END)
    assert set(result.bars["symbol"]) == {"SPY"}
    assert result.errors == {"AAPL": "Yahoo Finance is rate-limiting requests (HTTP 429; tried 3 times)"}


def test_symbols_are_downloaded_in_batches(monkeypatch):
    batches: list[list[str]] = []
    real = yf.download

    def spy_download(symbols, **kwargs):
        batches.append(list(symbols))
        return real(symbols, **kwargs)

    monkeypatch.setattr(yf, "download", spy_download)
    p, _, _ = provider(chart_routes("AAPL", "MSFT", "SPY"), batch_size=2)
    result = p.fetch_bars(["AAPL", "MSFT", "SPY"], START, END)
    assert batches == [["AAPL", "MSFT"], ["SPY"]]
    assert set(result.bars["symbol"]) == {"AAPL", "MSFT", "SPY"}


def test_yfinance_settings_and_logger_are_restored_after_a_failing_call():
    logger = logging.getLogger("yfinance")
    handlers = list(logger.handlers)
    p, _, _ = provider({r".": requests.Timeout("t")}, retries=1)
    with pytest.raises(ProviderUnavailable):
        p.fetch_bars(["SPY"], START, END)
    assert YfConfig.debug.hide_exceptions is True and logger.handlers == handlers


def test_without_clearing_yfinance_would_answer_a_past_range_from_its_cache():
    first, _, _ = provider(chart_routes("SPY"))
    assert not first.fetch_bars(["SPY"], START, END).bars.empty
    cached, adapter, _ = provider({r".": requests.Timeout("t")}, retries=1)
    assert not cached.fetch_bars(["SPY"], START, END).bars.empty  # served from yfinance's LRU cache
    assert not any("/chart/" in path for path in adapter.paths)


def test_ping_is_true_when_spy_answers_and_says_why_when_it_does_not():
    alive, _, _ = provider(chart_routes("SPY"))
    assert alive.ping(1.0) is True and alive.last_error is None
    dead, _, _ = provider({r".": requests.Timeout("t")})
    assert dead.ping(3.0) is False and dead.last_error == "Yahoo Finance did not answer within 3 s"
    unreachable, _, _ = provider({r".": requests.ConnectionError("Failed to resolve 'query2.finance.yahoo.com'")})
    assert unreachable.ping(3.0) is False and unreachable.last_error.startswith("could not reach Yahoo Finance")


def test_profiles_map_info_fields_and_use_the_trailing_yield_fraction_not_dividend_yield():
    p, _, _ = provider(info_routes())
    profiles = p.profiles(["AAPL", "NOPE"])
    assert tuple(profiles.columns) == PROFILE_COLUMNS and profiles["symbol"].tolist() == ["AAPL"]
    row = profiles.iloc[0]
    assert (row["name"], row["asset_class"], row["sector"], row["industry"]) == (
        "Apple Inc.",
        "equity",
        "Technology",
        "Consumer Electronics",
    )
    assert row["market_cap"] == 2.871e12 and row["dividend_yield"] == pytest.approx(0.0051)  # not 0.52 (% points)


def test_profiles_skip_symbols_whose_info_raises():
    p, _, _ = provider({r".": requests.ConnectionError("Failed to resolve 'query2.finance.yahoo.com'")})
    profiles = p.profiles(["AAPL"])
    assert profiles.empty and tuple(profiles.columns) == PROFILE_COLUMNS


def test_without_a_trailing_yield_the_yield_is_dividend_rate_over_price():
    row = profile_row("XOM", {"quoteType": "EQUITY", "shortName": "Exxon", "dividendRate": 3.8, "currentPrice": 95.0})
    assert row["dividend_yield"] == pytest.approx(0.04)  # 3.80 / 95.00
    assert row["name"] == "Exxon" and row["asset_class"] == "equity"
    assert profile_row("SPY", {"quoteType": "ETF"})["dividend_yield"] is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("['A']: YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", FailureKind.RATE_LIMIT),
        ("['A']: Timeout('Read timed out')", FailureKind.TIMEOUT),
        ("['A']: ConnectTimeout('...')", FailureKind.TIMEOUT),
        (
            "['A']: DNSError('Failed to perform, curl: (6) Could not resolve host: query2.finance.yahoo.com')",
            FailureKind.CONNECTION,
        ),
        ("['A']: ConnectionError('Failed to resolve')", FailureKind.CONNECTION),
        ("['SSL']: HTTPError('404 Client Error: None for url: https://x/quoteSummary/SSL')", FailureKind.NO_DATA),
        ("['A']: possibly delisted; no price data found", FailureKind.NO_DATA),
    ],
)
def test_failures_are_classified_by_exception_name_not_by_words_in_a_ticker(text, kind):
    assert classify(text) is kind


def test_the_wide_frame_translates_the_same_whichever_way_yfinance_groups_it():
    index = pd.DatetimeIndex(["2024-01-02", "2024-01-03"], name="Date")
    fields = {
        "Adj Close": [9.0, 9.5],
        "Close": [10.0, 10.5],
        "High": [11.0, 11.0],
        "Low": [9.0, 9.0],
        "Open": [10.0, 10.0],
        "Volume": [5.0, 6.0],
    }
    by_column = pd.DataFrame({(f, "SPY"): v for f, v in fields.items()}, index=index)
    by_column.columns.names = ["Price", "Ticker"]
    by_ticker = by_column.swaplevel(0, 1, axis=1)
    by_ticker.columns.names = ["Ticker", "Price"]
    flat = pd.DataFrame(fields, index=index)
    expected = to_long(by_column, ["SPY"])
    assert expected["close"].tolist() == [10.0, 10.5] and expected["adj_close"].tolist() == [9.0, 9.5]
    pd.testing.assert_frame_equal(to_long(by_ticker, ["SPY"]), expected)
    pd.testing.assert_frame_equal(to_long(flat, ["SPY"]), expected)
