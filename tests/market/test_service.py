"""The market service: refresh window from the injected clock, status badge, pass-throughs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sigma.conventions import Source
from sigma.errors import UnknownSymbol
from sigma.market.service import NO_PRICES, MarketService, last_business_day
from sigma.market.store.prices import PriceStore
from tests.fakes import FakeProvider, synthetic_bars

SYMBOLS = ["AAA", "BBB"]


@pytest.fixture
def store(db):
    s = PriceStore(db.sessions)
    yield s
    s.close()


def _service(store, settings, provider, today=date(2026, 11, 23)):
    return MarketService(store, provider, settings, clock=lambda: today)


def test_the_window_ends_on_the_last_business_day_before_today(settings):
    assert last_business_day(date(2026, 11, 23)) == date(2026, 11, 20)  # Monday -> Friday
    assert last_business_day(date(2026, 11, 20)) == date(2026, 11, 19)  # strictly before
    assert last_business_day(date(2026, 11, 22)) == date(2026, 11, 20)  # Sunday -> Friday
    service = MarketService(
        None, None, replace(settings, market_end=None, market_years=2), clock=lambda: date(2026, 11, 22)
    )  # type: ignore[arg-type]
    assert service.window() == (date(2024, 11, 20), date(2026, 11, 20))
    assert MarketService(None, None, settings).window() == (date(2023, 11, 20), date(2026, 11, 20))  # type: ignore[arg-type]


def test_refresh_fetches_the_window_then_nothing(db, store, settings):
    provider = FakeProvider(synthetic_bars(SYMBOLS, date(2026, 9, 1), date(2026, 11, 20)))
    service = _service(store, replace(settings, market_years=1), provider)
    report = service.refresh(symbols=SYMBOLS)
    assert provider.calls == [(tuple(SYMBOLS), date(2025, 11, 20), date(2026, 11, 20))]
    assert report.rows_written == 2 * 59 and report.source == Source.SIMULATED  # Sep 1 - Nov 20: 59 business days
    assert service.refresh(symbols=SYMBOLS).rows_written == 0 and len(provider.calls) == 1


def test_status_says_source_as_of_and_freshness(db, store, settings):
    provider = FakeProvider(synthetic_bars(SYMBOLS, date(2026, 11, 2), date(2026, 11, 13)))
    live = replace(settings, market_end=None)
    empty = _service(store, live, provider).status()
    assert empty.as_of is None and empty.stale and empty.message == NO_PRICES
    store.upsert_bars(provider.bars, Source.SIMULATED)
    fresh = _service(store, live, provider, today=date(2026, 11, 16)).status()
    assert (fresh.source, fresh.as_of, fresh.stale) == ("simulated", date(2026, 11, 13), False)
    assert fresh.message == "Simulated prices as of 2026-11-13"
    stale = _service(store, live, provider, today=date(2026, 11, 18)).status()  # 5 days > 4
    assert stale.stale and "stale (5 days old)" in stale.message


def test_status_reports_the_auto_providers_fallback(db, store, settings):
    provider = FakeProvider(
        synthetic_bars(SYMBOLS, date(2026, 11, 2), date(2026, 11, 20)), fallback_reason="Yahoo timed out"
    )
    store.upsert_bars(provider.bars, Source.SIMULATED)
    status = _service(store, settings, provider).status()
    assert status.fallback_reason == "Yahoo timed out" and "Live data unavailable: Yahoo timed out" in status.message


def test_known_symbols_and_require_known(db, store, settings):
    provider = FakeProvider(synthetic_bars(SYMBOLS, date(2026, 11, 2), date(2026, 11, 20)))
    service = _service(store, settings, provider)
    store.upsert_bars(provider.bars[provider.bars["symbol"] == "AAA"], Source.SIMULATED)
    store.upsert_profiles(provider.profiles(["BBB"]), "reference")
    assert service.known_symbols() == {"AAA", "BBB"}
    service.require_known(["AAA", "BBB"])
    with pytest.raises(UnknownSymbol) as err:
        service.require_known(["AAA", "XX", "YY"])
    assert err.value.symbols == ["XX", "YY"]


def test_quality_uses_the_reference_date(db, store, settings):
    provider = FakeProvider(synthetic_bars(SYMBOLS, date(2026, 11, 2), date(2026, 11, 13)))
    store.upsert_bars(provider.bars, Source.SIMULATED)
    report = _service(store, settings, provider).quality().set_index("symbol")  # market_end 2026-11-20
    assert list(report.index) == SYMBOLS and report["stale"].all() and (report["days_since_last"] == 7).all()
