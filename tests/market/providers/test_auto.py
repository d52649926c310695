"""AutoProvider: live when the ping answers, else the fallback, and always able to say why."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import requests

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.providers.auto import AutoProvider
from sigma.market.providers.yfinance import YFinanceProvider
from sigma.market.standard import FetchResult, empty_bars
from tests.market.providers.yf_fixtures import chart_routes, clear_yfinance_cache, fixture_session

START, END = date(2024, 1, 2), date(2024, 1, 12)


class FakeLive:
    """A live provider whose ping answers `alive`; fetch_bars raises when `down`."""

    name = "yfinance"
    source = Source.LIVE

    def __init__(self, alive: bool = True, down: bool = False, last_error: str | None = None) -> None:
        self.alive, self.down, self.last_error, self.pings, self.timeouts = alive, down, last_error, 0, []

    def ping(self, timeout: float) -> bool:
        self.pings += 1
        self.timeouts.append(timeout)
        return self.alive

    def fetch_bars(self, symbols, start, end) -> FetchResult:
        if self.down:
            raise ProviderUnavailable("Yahoo Finance did not answer within 10 s (tried 3 times). Sigma keeps ...")
        return FetchResult(empty_bars(), Source.LIVE)

    def profiles(self, symbols) -> pd.DataFrame:
        return pd.DataFrame({"symbol": ["LIVE"]})


class FakeSimulated:
    name = "simulated"
    source = Source.SIMULATED

    def fetch_bars(self, symbols, start, end) -> FetchResult:
        return FetchResult(empty_bars(), Source.SIMULATED)

    def profiles(self, symbols) -> pd.DataFrame:
        return pd.DataFrame({"symbol": ["SIM"]})


def test_when_the_ping_answers_the_live_provider_is_used_and_no_reason_is_given():
    live = FakeLive(alive=True)
    auto = AutoProvider(live, FakeSimulated(), timeout=3)
    assert auto.name == "auto" and auto.active == "yfinance" and auto.fallback_reason is None
    assert auto.source is Source.LIVE and auto.fetch_bars(["SPY"], START, END).source is Source.LIVE
    assert auto.profiles(["SPY"])["symbol"].tolist() == ["LIVE"] and live.timeouts == [3]


def test_when_the_ping_fails_the_fallback_is_used_and_the_page_can_say_why():
    auto = AutoProvider(FakeLive(alive=False), FakeSimulated(), timeout=3)
    assert auto.active == "simulated" and auto.source is Source.SIMULATED
    assert auto.fallback_reason == (
        "Live prices unavailable (Yahoo Finance did not answer within 3 s); showing simulated prices."
    )
    assert auto.fetch_bars(["SPY"], START, END).source is Source.SIMULATED


def test_the_live_providers_own_explanation_is_used_when_it_has_one():
    auto = AutoProvider(FakeLive(alive=False, last_error="could not reach Yahoo Finance: DNSError"), FakeSimulated(), 3)
    assert (
        auto.fallback_reason
        == "Live prices unavailable (could not reach Yahoo Finance: DNSError); showing simulated prices."
    )


def test_the_choice_is_made_lazily_once_and_reset_pings_again():
    live = FakeLive(alive=False)
    auto = AutoProvider(live, FakeSimulated(), timeout=3)
    assert live.pings == 0
    assert [auto.active, auto.active, str(auto.source)] == ["simulated", "simulated", "simulated"]
    assert live.pings == 1
    live.alive = True
    auto.reset()
    assert auto.active == "yfinance" and auto.fallback_reason is None and live.pings == 2


def test_a_ping_that_raises_counts_as_unavailable():
    class Exploding(FakeLive):
        def ping(self, timeout: float) -> bool:
            raise OSError("network unreachable")

    auto = AutoProvider(Exploding(), FakeSimulated(), timeout=3)
    assert auto.active == "simulated" and "OSError: network unreachable" in (auto.fallback_reason or "")


def test_a_live_provider_that_goes_down_after_the_ping_falls_back_for_the_fetch():
    auto = AutoProvider(FakeLive(alive=True, down=True), FakeSimulated(), timeout=3)
    assert auto.fetch_bars(["SPY"], START, END).source is Source.SIMULATED
    assert auto.active == "simulated"
    assert auto.fallback_reason == (
        "Live prices unavailable (Yahoo Finance did not answer within 10 s (tried 3 times)); showing simulated prices."
    )


@pytest.mark.parametrize(
    ("routes", "active", "reason"),
    [
        (chart_routes("SPY"), "yfinance", None),
        (
            {r".": requests.Timeout("Read timed out")},
            "simulated",
            "Live prices unavailable (Yahoo Finance did not answer within 3 s); showing simulated prices.",
        ),
    ],
)
def test_with_the_real_yfinance_provider_offline(routes, active, reason):
    clear_yfinance_cache()
    session, _ = fixture_session(routes)
    auto = AutoProvider(YFinanceProvider(session=session, sleep=lambda s: None), FakeSimulated(), timeout=3)
    assert (auto.active, auto.fallback_reason) == (active, reason)
