"""Every phase that works per portfolio issues as many SQL statements for 30 books as for 3: bulk loads
and bulk upserts, no N+1 (the risk and insights phases have their own such tests next to them).

Counted with an SQLAlchemy `before_cursor_execute` listener on the phase alone (the orchestrator's
own run-row updates are not the phase's).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete, event, func, select

from sigma.batch import nightly
from sigma.batch.executors import InlineExecutor
from sigma.batch.phases import PhaseResult, RunContext
from sigma.db.models import PortfolioSnapshot, PositionTag
from tests.batch.test_risk_phase import _book
from tests.risk.test_service import RiskWorld, world_fixture  # noqa: F401

SYMBOLS = ("AAPL", "SPY", "GLD", "XLE", "AGG")


@dataclass
class _Services:
    risk: Any
    portfolios: Any
    market: Any


def _count(world: RiskWorld, phase: Callable[[RunContext], PhaseResult]) -> tuple[int, PhaseResult]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    services: Any = _Services(world.risk, world.portfolios, world.market)
    ctx = RunContext(services, InlineExecutor(), lambda *_: None, threading.Event())
    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        result = phase(ctx)
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    return len(seen), result


def _books(world: RiskWorld, first: int, last: int) -> None:
    for k in range(first, last):
        _book(world, f"Book {k}", {s: 1.0 + (k + i) % 4 for i, s in enumerate(SYMBOLS)})


def _snapshot_rows(world: RiskWorld) -> int:
    with world.db.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(PortfolioSnapshot)) or 0)


def test_the_snapshots_phase_issues_as_many_statements_for_thirty_books_as_for_three(
    world: RiskWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL switches from executemany to COPY (three statements) at COPY_ROWS rows: by the rows'
    # count, not the books'; pinned here so both counts take the same path.
    monkeypatch.setattr(importlib.import_module("sigma.db.upsert"), "COPY_ROWS", 1)
    _books(world, 0, 3)
    three, first = _count(world, nightly.snapshots)
    days = first.rows // 3
    assert first.items == 3 and first.failures == {} and days > 200 and _snapshot_rows(world) == 3 * days
    with world.db.sessions() as session:
        session.execute(delete(PortfolioSnapshot))
        session.commit()
    _books(world, 3, 30)
    thirty, second = _count(world, nightly.snapshots)
    assert (thirty, second.rows, second.items) == (three, 30 * days, 30)
    _count_again, again = _count(world, nightly.snapshots)
    assert again.rows == 0 and _snapshot_rows(world) == 30 * days  # idempotent: nothing new to write


def test_the_sector_tags_of_every_book_take_as_many_statements_for_thirty_books_as_for_three(world: RiskWorld) -> None:
    def tags(ctx: RunContext) -> PhaseResult:
        return PhaseResult(rows=ctx.services.portfolios.sync_all_sector_tags())

    _books(world, 0, 3)
    three, first = _count(world, tags)
    tagged = first.rows
    assert tagged == 3 * 2  # AAPL (Information Technology) and XLE (Energy); SPY, GLD and AGG have no sector
    _books(world, 3, 30)
    thirty, second = _count(world, tags)
    assert (thirty, second.rows) == (three, 30 * 2)
    with world.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PositionTag)) == 30 * 2  # re-run: none doubled
