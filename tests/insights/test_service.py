"""The insight service (SQLite and PostgreSQL): the nightly refresh from books and stored views, scoping of
the page methods, one failing book, and as many statements for 30 books as for 3.

Until the risk phase's bulk reads land, `StoredRisk` answers `books` / `stored_views` from books and
views the on-demand RiskService computed beforehand (no SQL of its own)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from threading import Event

import pandas as pd
import pytest
from sqlalchemy import event

from sigma.batch.executors import InlineExecutor
from sigma.batch.phases import Interrupted, RunContext
from sigma.conventions import PositionType
from sigma.errors import InsufficientHistory, PermissionDenied
from sigma.insights.card import Rule, Severity
from sigma.insights.service import InsightService
from sigma.portfolio.model import PositionDraft
from sigma.risk.service import RiskBook
from tests.portfolio.test_service_support import _insert_bars
from tests.risk.test_service import END, ENTRY, START, RiskWorld, spy_book, world_fixture  # noqa: F401

NIGHT = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
KINDS = ("performance", "factors", "volatility", "sectors")


@dataclass
class StoredRisk:
    """The risk phase's bulk reads, answered from what was computed before."""

    books_by_id: dict[int, RiskBook | str]
    views_by_id: dict[int, dict[str, object]]

    def books(self, pids: Sequence[int], executor: object = None) -> Mapping[int, RiskBook | str]:
        return {p: self.books_by_id[p] for p in pids if p in self.books_by_id}

    def stored_views(self, pids: Sequence[int], as_of: date) -> Mapping[int, Mapping[str, object]]:
        return {p: self.views_by_id.get(p, {}) for p in pids}


def _views(w: RiskWorld, pid: int) -> dict[str, object]:
    """The default views the risk phase stores, computed on demand (kinds without enough history left out)."""
    compute: dict[str, Callable[[], object]] = {
        "performance": lambda: w.risk.performance(w.alice, pid),
        "factors": lambda: w.risk.factors(w.alice, pid),
        "volatility": lambda: w.risk.volatility(w.alice, pid),
        "sectors": lambda: w.risk.sectors(w.alice, pid),
    }
    out = {}
    for kind, fn in compute.items():
        try:
            out[kind] = fn()
        except InsufficientHistory:
            continue
    return out


def _service(w: RiskWorld, risk: StoredRisk) -> InsightService:
    return InsightService(w.db.sessions, w.portfolios, risk, w.market, w.risk.settings, now=lambda: NIGHT)


def _stored_risk(w: RiskWorld, pids: list[int]) -> StoredRisk:
    return StoredRisk({p: w.risk.book(w.alice, p) for p in pids}, {p: _views(w, p) for p in pids})


def test_a_spy_book_gets_the_cards_its_numbers_call_for(world: RiskWorld) -> None:
    pid = spy_book(world)
    risk = _stored_risk(world, [pid])
    done = _service(world, risk).refresh([pid], InlineExecutor())
    cards = _service(world, risk).cards(world.alice, pid)
    book, views = risk.books_by_id[pid], risk.views_by_id[pid]
    assert isinstance(book, RiskBook) and set(views) == set(KINDS)
    # independent arithmetic: the book's own drawdown today, the HAR percentile of its stored view
    r = book.returns.dropna().iloc[-252:]
    wealth = (1.0 + r).cumprod()
    drawdown = float(wealth.iloc[-1] / max(float(wealth.max()), 1.0) - 1.0)
    percentile = float(views["volatility"].har["percentile"])  # type: ignore[attr-defined]
    expected = {Rule.POSITION, Rule.HHI}  # 100 % SPY: one position of 100 % of NAV, HHI 1
    expected |= {Rule.DRAWDOWN} if drawdown < -0.10 else set()
    expected |= {Rule.VOLATILITY} if percentile > 80 else set()
    assert {c.rule for c in cards} == expected  # beta 1.0 vs SPY, no tilt vs SPY, no style bet, fresh prices
    position = next(c for c in cards if c.rule == Rule.POSITION)
    assert (position.subject, position.severity) == ("SPY", Severity.CRITICAL)
    assert position.numbers["weight"] == pytest.approx(float(book.weights["SPY"]), rel=1e-12)
    assert position.numbers["weight"] == pytest.approx(1.0, abs=1e-9)  # no cash
    hhi = next(c for c in cards if c.rule == Rule.HHI)
    assert hhi.numbers["hhi"] == pytest.approx(1.0)
    assert {(c.as_of, c.first_seen, c.active) for c in cards} == {(END, NIGHT, True)}
    assert (done.rows, done.items, done.failures) == (len(cards), 1, {})


def test_a_holding_whose_prices_stopped_gets_a_stale_card(world: RiskWorld, small_market) -> None:  # type: ignore[no-untyped-def]
    bars = small_market.bars(["MSFT"])
    _insert_bars(world.db, bars[(bars["date"] >= START) & (bars["date"] <= date(2026, 10, 1))].reset_index(drop=True))
    pid = spy_book(world)
    world.portfolios.add_position(world.alice, pid, PositionDraft("MSFT", PositionType.LONG, 1.0, 100.0, ENTRY))
    risk = StoredRisk({pid: world.risk.book(world.alice, pid)}, {})
    _service(world, risk).refresh([pid], InlineExecutor())
    (stale,) = [c for c in _service(world, risk).cards(world.alice, pid) if c.rule == Rule.STALE]
    # MSFT's last price is 2026-10-01: 50 days before 2026-11-20, past 3 × the 4-day limit
    assert (stale.severity, stale.title) == (Severity.CRITICAL, "Stale prices: MSFT")
    assert stale.numbers["symbols"] == ["MSFT"] and stale.numbers["oldest_days"] == 50


def test_a_failing_book_is_a_failure_entry_and_keeps_its_cards_while_the_others_go_on(world: RiskWorld) -> None:
    good = spy_book(world)
    world.portfolios.rename_portfolio(world.alice, good, "Good")
    bad = spy_book(world, days_before_end=True)
    risk = _stored_risk(world, [good, bad])
    svc = _service(world, risk)
    svc.refresh([good, bad], InlineExecutor())
    before = svc.cards(world.alice, bad)
    risk.books_by_id[bad] = "Portfolio has no open positions."
    book = risk.books_by_id[good]
    assert isinstance(book, RiskBook)
    risk.books_by_id[good] = replace(book, position_exposures=book.position_exposures * 0.0)  # no HHI card now
    done = svc.refresh([good, bad], InlineExecutor())
    assert done.failures == {f"portfolio {bad}": "Portfolio has no open positions."}
    assert done.items == 2 and done.message.endswith("for 1 of 2 portfolio(s); 1 failed")
    assert svc.cards(world.alice, bad) == before and before != []
    assert Rule.HHI not in {c.rule for c in svc.cards(world.alice, good)}


def _statements(world: RiskWorld, svc: InsightService, pids: list[int]) -> int:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    world.market.store.close()  # no cached frames: each load reads the store
    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        svc.refresh(pids, InlineExecutor())
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    return len(seen)


def test_refreshing_thirty_books_takes_as_many_statements_as_three(world: RiskWorld) -> None:
    first = spy_book(world)
    book, views = world.risk.book(world.alice, first), _views(world, first)
    pids = [first] + [world.portfolios.create_portfolio(world.alice, f"Copy {k}").id for k in range(29)]
    risk = StoredRisk({p: replace(book, portfolio_id=p) for p in pids}, {p: views for p in pids})
    svc = _service(world, risk)
    assert _statements(world, svc, pids[:3]) == _statements(world, svc, pids)
    assert {c.subject for c in svc.cards(world.alice, pids[-1]) if c.rule == Rule.POSITION} == {"SPY"}


def test_another_users_portfolio_and_cards_are_refused_and_a_dismissal_hides_only_that_card(
    world: RiskWorld,
) -> None:
    pid = spy_book(world)
    svc = _service(world, _stored_risk(world, [pid]))
    svc.refresh([pid], InlineExecutor())
    cards = svc.cards(world.alice, pid)
    target = next(c for c in cards if c.rule == Rule.POSITION)
    with pytest.raises(PermissionDenied, match=rf"Portfolio {pid} is not one of yours\."):
        svc.cards(world.bob, pid)
    with pytest.raises(PermissionDenied, match=rf"Insight {target.id} is not one of yours\."):
        svc.dismiss(world.bob, target.id)
    with pytest.raises(PermissionDenied, match=r"Insight 987654 is not one of yours\."):
        svc.dismiss(world.alice, 987654)  # the same words for one that does not exist
    assert svc.cards(world.alice, pid) == cards
    svc.dismiss(world.alice, target.id)
    svc.dismiss(world.alice, target.id)  # twice: the first dismissal stands
    assert [c.id for c in svc.cards(world.alice, pid)] == [c.id for c in cards if c.id != target.id]
    shown = svc.cards(world.alice, pid, include_dismissed=True)
    assert {c.id: c.dismissed_at for c in shown}[target.id] == NIGHT
    svc.refresh([pid], InlineExecutor())  # the rule still fires: the card stays dismissed
    assert target.id not in [c.id for c in svc.cards(world.alice, pid)]


def test_cards_are_listed_critical_first() -> None:
    order = [Severity.INFO, Severity.CRITICAL, Severity.WARNING]
    assert sorted(order, key=lambda s: s.rank) == [Severity.CRITICAL, Severity.WARNING, Severity.INFO]
    assert pd.Series([s.rank for s in Severity]).tolist() == [2, 1, 0]


def test_the_risk_services_bulk_reads_give_the_same_cards_as_the_views_they_stored(world: RiskWorld) -> None:
    pid = spy_book(world)
    views = _views(world, pid)
    for view in views.values():
        world.risk.store_result(world.alice, pid, view)  # type: ignore[arg-type]  # as the risk phase stores them
    real = InsightService(world.db.sessions, world.portfolios, world.risk, world.market, world.risk.settings)
    done = real.refresh([pid], InlineExecutor())
    from_store = [(c.rule, c.subject, c.severity, c.numbers) for c in real.cards(world.alice, pid)]
    fake = _stored_risk(world, [pid])
    fake.views_by_id[pid] = views
    _service(world, fake).refresh([pid], InlineExecutor())
    computed = [(c.rule, c.subject, c.severity, c.numbers) for c in real.cards(world.alice, pid)]
    assert done.failures == {} and from_store == computed
    # the stored views did reach the rules: their numbers are the inputs' numbers
    book = world.risk.book(world.alice, pid)
    (inputs,) = real._inputs({pid: book}, {})
    assert inputs.beta == views["performance"].market_beta  # type: ignore[attr-defined]
    assert inputs.vol_percentile == views["volatility"].har["percentile"]  # type: ignore[attr-defined]
    assert inputs.tilts is not None and inputs.style is not None and "Market" not in inputs.style.index


def test_a_stop_request_ends_the_refresh_before_it_writes(world: RiskWorld) -> None:
    pid = spy_book(world)
    svc = _service(world, _stored_risk(world, [pid]))
    stop = Event()
    stop.set()  # SIGTERM arrived
    ctx = RunContext(services=None, executor=InlineExecutor(), progress=lambda *_: None, stop=stop)  # type: ignore[arg-type]
    with pytest.raises(Interrupted):
        svc.refresh([pid], ctx.executor, checkpoint=ctx.checkpoint, progress=ctx.progress)
    assert svc.cards(world.alice, pid) == []
