"""Before the first market-data run, the correlation explorer explains what to run (no traceback)."""

from __future__ import annotations

import pytest

from sigma.errors import InsufficientHistory, SigmaError
from sigma.market.standard import empty_bars
from sigma.wiring import build
from tests.fakes import FakeProvider


def test_correlations_without_stored_prices_say_to_load_them(db_settings):
    svc = build(db_settings, provider=FakeProvider(empty_bars()))
    try:
        with pytest.raises(InsufficientHistory, match="python -m jobs run market_data"):
            svc.risk.universe_correlations()
        with pytest.raises(SigmaError, match="SPY"):  # unknown until prices exist, named in the message
            svc.risk.pair("SPY", "QQQ")
    finally:
        svc.close()
