"""The nightly `risk` phase: stored views equal the pages' on-demand views, idempotent, constant statements."""

from __future__ import annotations

import pickle
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event, select

from sigma.batch.executors import InlineExecutor
from sigma.batch.phases import Interrupted, RunContext
from sigma.batch.risk_phase import _tasks, run_risk
from sigma.conventions import PositionType
from sigma.db.models import Position, RiskResult
from sigma.portfolio.model import PositionDraft
from sigma.risk.nightly import BookRef, run_chunk
from sigma.risk.service import FactorView, PerformanceView, SectorView, StressView, VarView, VolView
from sigma.risk.view.concentration import ConcentrationView
from sigma.risk.view.health import HealthView
from tests.risk.test_service import END, RiskWorld, world_fixture  # noqa: F401

ENTRY = date(2025, 11, 3)


@dataclass
class _Services:
    """The services a phase reads (the rest of `Services` is not used by it)."""

    risk: Any
    portfolios: Any
    market: Any


def _context(world: RiskWorld, stop: threading.Event | None = None) -> RunContext:
    services: Any = _Services(world.risk, world.portfolios, world.market)
    return RunContext(services, InlineExecutor(), lambda done, total, what: None, stop or threading.Event())


def _price(world: RiskWorld, symbol: str) -> float:
    return float(world.market.close_frame([symbol], start=ENTRY, end=ENTRY)[symbol].iloc[0])


def _book(world: RiskWorld, name: str, holdings: dict[str, float], cash: float = 10_000.0) -> int:
    pid = world.portfolios.create_portfolio(world.alice, name, cash=cash).id
    for symbol, quantity in holdings.items():
        draft = PositionDraft(symbol, PositionType.LONG, quantity, _price(world, symbol), ENTRY)
        world.portfolios.add_position(world.alice, pid, draft)
    return pid


def _mixed(world: RiskWorld) -> int:
    return _book(world, "Mixed", {"AAPL": 40.0, "SPY": 10.0, "GLD": 30.0, "XLE": 50.0})


def _rows(world: RiskWorld) -> list[tuple[Any, ...]]:
    with world.db.sessions() as session:
        found = session.execute(
            select(RiskResult).order_by(RiskResult.portfolio_id, RiskResult.kind, RiskResult.params_key)
        )
        return [
            (r.portfolio_id, r.kind, r.as_of, r.params_key, r.source, r.payload, r.computed_at) for r in found.scalars()
        ]


def test_stored_views_equal_the_views_the_risk_page_computes(world: RiskWorld) -> None:
    pid = _mixed(world)
    result = run_risk(_context(world))
    assert result.failures == {} and result.items == 1
    views = world.risk.stored_views([pid], END)[pid]
    scenarios = [s.name for s in world.risk.scenarios()]
    assert sorted(views) == sorted(
        ["performance", "factors", "volatility", "var", "sectors", "concentration", "health"]
        + [f"stress:{name}" for name in scenarios]
    )
    assert result.rows == len(views)
    alice, risk = world.alice, world.risk
    perf = views["performance"]
    assert isinstance(perf, PerformanceView)
    page = risk.performance(alice, pid, "SPY", "1Y")
    assert perf.market_beta == pytest.approx(page.market_beta, abs=1e-12)
    assert perf.rate_beta == pytest.approx(page.rate_beta, abs=1e-12)
    pd.testing.assert_frame_equal(perf.profile, page.profile, rtol=1e-9)
    var = views["var"]
    assert isinstance(var, VarView)
    pd.testing.assert_frame_equal(var.table, risk.var(alice, pid, "historical").table, rtol=1e-9)
    vol = views["volatility"]
    assert isinstance(vol, VolView)
    page_vol = risk.volatility(alice, pid)
    assert (vol.realized_20, vol.realized_60, vol.ewma) == pytest.approx(
        (page_vol.realized_20, page_vol.realized_60, page_vol.ewma), rel=1e-9
    )
    pd.testing.assert_series_equal(vol.har, page_vol.har, rtol=1e-9)
    factors = views["factors"]
    assert isinstance(factors, FactorView)
    pd.testing.assert_frame_equal(factors.portfolio, risk.factors(alice, pid, "ols", "3M").portfolio, rtol=1e-9)


def test_stored_sector_stress_concentration_and_health_equal_the_pages(world: RiskWorld) -> None:
    pid = _mixed(world)
    run_risk(_context(world))
    views = world.risk.stored_views([pid], END)[pid]
    sectors = views["sectors"]
    assert isinstance(sectors, SectorView)
    page = world.risk.sectors(world.alice, pid, "SPY")
    pd.testing.assert_frame_equal(sectors.exposure, page.exposure, rtol=1e-9)
    concentration = views["concentration"]
    assert isinstance(concentration, ConcentrationView)
    assert (concentration.hhi, concentration.top1, concentration.diversification_ratio) == pytest.approx(
        (page.hhi, page.top1, page.diversification_ratio), rel=1e-12
    )
    assert concentration.positions == 4 and concentration.band == page.band
    stress = views["stress:Market −10 %"]
    assert isinstance(stress, StressView)
    on_demand = world.risk.stress(world.alice, pid, "Market −10 %")
    assert stress.total == pytest.approx(on_demand.total, rel=1e-12) and stress.basis == on_demand.basis
    pd.testing.assert_frame_equal(stress.positions, on_demand.positions, rtol=1e-9)
    health = views["health"]
    assert isinstance(health, HealthView)
    kpis = world.portfolios.view(world.alice, pid).kpis
    assert kpis.health is not None
    assert health.score == pytest.approx(kpis.health.score, abs=1e-12) and health.grade == kpis.health.grade
    assert list(health.components.index) == [c.name for c in kpis.health.components]
    assert health.components["weight"].sum() == pytest.approx(1.0)


def test_running_the_phase_twice_leaves_identical_rows(world: RiskWorld) -> None:
    _mixed(world)
    _book(world, "SPY only", {"SPY": 100.0}, cash=0.0)
    first = run_risk(_context(world))
    before = _rows(world)
    second = run_risk(_context(world))
    assert first.rows == second.rows == len(before) > 0
    assert _rows(world) == before  # unchanged payloads keep their computed_at


def _count_statements(world: RiskWorld) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    # no cached frame survives: the books just written change the prices version that keys the store's cache
    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        result = run_risk(_context(world))
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    assert result.failures == {}
    return len(seen)


def test_the_phase_issues_as_many_statements_for_three_portfolios_as_for_thirty(world: RiskWorld) -> None:
    symbols = ("AAPL", "SPY", "GLD", "XLE", "AGG")
    for k in range(3):
        _book(world, f"Book {k}", {s: 1.0 + (k + i) % 4 for i, s in enumerate(symbols)})
    three = _count_statements(world)
    with world.db.sessions() as session:
        session.query(RiskResult).delete()
        session.commit()
    for k in range(3, 30):
        _book(world, f"Book {k}", {s: 1.0 + (k + i) % 4 for i, s in enumerate(symbols)})
    assert _count_statements(world) == three


def test_a_book_whose_holding_has_no_prices_fails_and_the_others_are_stored(world: RiskWorld) -> None:
    good = _book(world, "Good", {"SPY": 10.0})
    bad = _book(world, "Bad", {"SPY": 10.0})
    with world.db.sessions() as session:  # a symbol the market has no price for (imports check; rows may not)
        session.add(
            Position(
                portfolio_id=bad,
                symbol="ZZZZ",
                position_type="long",
                quantity=5.0,
                entry_price=10.0,
                entry_date=ENTRY,
                multiplier=1.0,
            )
        )
        session.commit()
    result = run_risk(_context(world))
    assert set(result.failures) == {f"portfolio {bad}"} and "ZZZZ" in result.failures[f"portfolio {bad}"]
    assert result.items == 2 and result.coverage == pytest.approx(0.5)
    stored = world.risk.stored_views(None, END)
    assert set(stored) == {good} and "var" in stored[good]


def test_a_stop_between_chunks_interrupts_before_anything_is_written(world: RiskWorld) -> None:
    _book(world, "SPY only", {"SPY": 100.0}, cash=0.0)
    stop = threading.Event()
    stop.set()
    with pytest.raises(Interrupted):
        run_risk(_context(world, stop))
    assert _rows(world) == []


def test_chunks_are_picklable_and_cut_to_their_symbols(world: RiskWorld) -> None:
    pids = [_book(world, f"Book {k}", {"AAPL": 1.0, ("GLD", "XLE", "AGG")[k % 3]: 2.0}) for k in range(6)]
    opener = world.risk.nightly_opener(pids)
    items = [BookRef(pid, END, opener.symbols(pid)) for pid in pids]
    assert [opener.as_of(pid) for pid in pids] == [END] * 6  # known before any book is valued
    inputs = {END: world.risk.nightly_inputs(END)}
    tasks = _tasks(items, world.risk.nightly_close(items), inputs, 1, opener)
    assert [len(t.books) for t in tasks] == [2, 2, 2]  # 6 books, 1 worker × 4 chunks at most: 3 chunks of 2
    assert [sorted(t.close.columns) for t in tasks] == [
        ["AAPL", "GLD", "XLE"],
        ["AAPL", "AGG", "GLD"],
        ["AAPL", "AGG", "XLE"],
    ]
    assert [sorted(t.open.ids()) for t in tasks] == [sorted(pids[0:2]), sorted(pids[2:4]), sorted(pids[4:6])]
    back = pickle.loads(pickle.dumps(tasks[0]))
    inline, shipped = run_chunk(tasks[0]), run_chunk(back)
    assert [r.rows for r in inline] == [r.rows for r in shipped]
    var = next(r for r in inline[0].rows if r["kind"] == "var")
    book = world.portfolios.open_book(world.alice, pids[0])
    assert VarView.from_payload(var["payload"]).nav == pytest.approx(book.nav, rel=1e-12)


def test_a_chunk_opens_its_books_as_the_page_opens_them_one_at_a_time(world: RiskWorld) -> None:
    pids = [_mixed(world), _book(world, "SPY only", {"SPY": 100.0}, cash=0.0)]
    opener = world.risk.nightly_opener(pids).subset(pids[1:])
    assert opener.ids() == pids[1:]
    opened = opener(pids[1])
    assert not isinstance(opened, str)
    book, scored = opened
    one = world.portfolios.open_book(world.alice, pids[1])
    assert (book.as_of, book.nav, book.cash, book.rate) == (one.as_of, one.nav, one.cash, one.rate)
    pd.testing.assert_frame_equal(book.positions, one.positions)
    pd.testing.assert_series_equal(book.returns, one.returns)
    health = world.portfolios.view(world.alice, pids[1]).kpis.health
    assert scored is not None and not isinstance(scored, str) and health is not None
    assert scored.score == pytest.approx(health.score, abs=1e-12) and scored.grade == health.grade


class _Pickling:
    """A two-worker executor that ships every chunk and result through pickle, as a process pool does."""

    workers = 2

    def __init__(self) -> None:
        self.chunks = 0

    def map(self, fn: Any, items: Any) -> list[Any]:
        self.chunks += len(items)
        return [pickle.loads(pickle.dumps(fn(pickle.loads(pickle.dumps(item))))) for item in items]


def test_books_opened_in_chunks_on_an_executor_equal_the_books_opened_here(world: RiskWorld) -> None:
    pids = [_mixed(world), _book(world, "SPY only", {"SPY": 100.0}, cash=0.0), _book(world, "Empty", {})]
    here, pool = world.risk.books(pids), _Pickling()
    there = world.risk.books(pids, pool)
    assert pool.chunks == 3 and sorted(there) == sorted(here) == sorted(pids)
    assert (
        there[pids[2]] == here[pids[2]] == f"Portfolio {pids[2]} has no open positions: add one on the Portfolio page."
    )
    for pid in pids[:2]:
        a, b = here[pid], there[pid]
        assert not isinstance(a, str) and not isinstance(b, str)
        assert (a.as_of, a.nav, a.symbols) == (b.as_of, b.nav, b.symbols)
        pd.testing.assert_series_equal(a.delta, b.delta)
        pd.testing.assert_series_equal(a.returns, b.returns)
