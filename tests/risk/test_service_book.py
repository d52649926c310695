"""One book per page render: the risk sections take the book the page loaded once, and stay scoped."""

from __future__ import annotations

import pytest

from sigma.errors import InsufficientHistory, PermissionDenied
from tests.risk.test_service import RiskWorld, spy_book
from tests.risk.test_service import world_fixture as world_fixture  # the shared fixture, re-exported


def test_every_section_reuses_one_loaded_book_and_gives_the_same_numbers(world: RiskWorld) -> None:
    pid = spy_book(world)
    calls: list[int] = []
    open_book = world.portfolios.open_book

    def counting(user, pid):  # type: ignore[no-untyped-def]
        calls.append(pid)
        return open_book(user, pid)

    world.portfolios.open_book = counting  # type: ignore[method-assign]
    book = world.risk.book(world.alice, pid)
    alice, risk = world.alice, world.risk
    vol = risk.volatility(alice, pid, book)
    var = risk.var(alice, pid, "parametric", book)
    perf = risk.performance(alice, pid, "SPY", "1Y", book)
    risk.factors(alice, pid, "ols", "3M", book)
    risk.stress_model(alice, pid, book)
    risk.sectors(alice, pid, "SPY", book)
    with pytest.raises(InsufficientHistory):  # one holding: no pair to correlate, but no second load either
        risk.holdings_correlations(alice, pid, "1Y", "pearson", book)
    assert calls == [pid]  # seven sections, one valuation of the book
    assert vol.ewma == risk.volatility(alice, pid).ewma
    assert var.value(0.99, 1, "var") == risk.var(alice, pid, "parametric").value(0.99, 1, "var")
    assert perf.market_beta == pytest.approx(1.0, abs=1e-9)  # 100 % SPY against SPY, as without a book
    assert len(calls) == 3  # the two calls without a book loaded it themselves


def test_a_loaded_book_does_not_lend_its_portfolio_to_another_user_or_id(world: RiskWorld) -> None:
    pid = spy_book(world)
    book = world.risk.book(world.alice, pid)
    with pytest.raises(PermissionDenied):
        world.risk.volatility(world.bob, pid, book)
    with pytest.raises(ValueError, match="not"):
        world.risk.volatility(world.alice, pid + 1, book)
