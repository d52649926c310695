"""SimulatedProvider: the simulated market behind the provider protocol."""

from __future__ import annotations

from datetime import date

import pytest

from sigma.conventions import Source
from sigma.market.providers.simulated import SimulatedProvider
from sigma.market.standard import BAR_COLUMNS, PROFILE_COLUMNS, PriceProvider

END = date(2026, 11, 20)


@pytest.fixture(scope="module")
def provider() -> SimulatedProvider:
    return SimulatedProvider(seed=1, end=END, years=3)


def test_the_provider_satisfies_the_protocol_and_labels_its_prices(provider: SimulatedProvider) -> None:
    assert isinstance(provider, PriceProvider)
    assert provider.name == "simulated" and provider.source is Source.SIMULATED


def test_the_provider_clips_the_window_to_the_simulated_range(provider: SimulatedProvider) -> None:
    result = provider.fetch_bars(["SPY", "TLT"], date(2000, 1, 1), date(2030, 1, 1))
    m = provider.market
    assert set(result.bars["date"]) == {d.date() for d in m.close.index}
    inner = provider.fetch_bars(["SPY"], date(2025, 3, 1), date(2025, 3, 31))
    assert inner.bars["date"].min() == date(2025, 3, 3) and inner.bars["date"].max() == date(2025, 3, 31)
    assert len(inner.bars) == 21  # business days in March 2025
    assert inner.source is Source.SIMULATED and not inner.errors


def test_an_unknown_symbol_is_an_error_while_the_others_load(provider: SimulatedProvider) -> None:
    result = provider.fetch_bars(["AAPL", "ZZZZ", "MSFT"], date(2026, 1, 1), date(2026, 1, 31))
    assert set(result.errors) == {"ZZZZ"} and "not in the simulated universe" in result.errors["ZZZZ"]
    assert set(result.bars["symbol"]) == {"AAPL", "MSFT"}


def test_a_window_outside_the_range_returns_no_bars_with_a_warning(provider: SimulatedProvider) -> None:
    result = provider.fetch_bars(["SPY"], date(2010, 1, 1), date(2010, 12, 31))
    assert result.bars.empty and list(result.bars.columns) == list(BAR_COLUMNS)
    assert "simulated range" in result.warnings["SPY"]


def test_provider_profiles_cover_known_symbols_in_request_order(provider: SimulatedProvider) -> None:
    profiles = provider.profiles(["MSFT", "NOPE", "SPY"])
    assert profiles["symbol"].tolist() == ["MSFT", "SPY"]
    assert list(profiles.columns) == list(PROFILE_COLUMNS)
    assert profiles.loc[0, "sector"] == "Information Technology"
