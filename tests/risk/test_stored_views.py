"""RiskService.latest_stored: the newest stored default view of a kind, its dates, scoped to the owner, one query."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from sqlalchemy import event

from sigma.errors import PermissionDenied
from sigma.risk.service import RiskService, Stored
from sigma.risk.view.var import VarView
from sigma.risk.view.volatility import VolView
from tests.risk.test_service import END, RiskWorld, spy_book, world_fixture  # noqa: F401

NIGHT = datetime(2026, 11, 21, 22, 47, tzinfo=UTC)
EARLIER_NIGHT = datetime(2026, 11, 20, 22, 45, tzinfo=UTC)


def clocked(w: RiskWorld, now: datetime) -> RiskService:
    """The world's risk service with its clock (computed_at of stored results) stopped at `now`."""
    return RiskService(w.db.sessions, w.market, w.portfolios, w.risk.settings, now=lambda: now)


def test_the_newest_stored_view_comes_back_with_its_dates_and_source(world: RiskWorld) -> None:
    pid = spy_book(world)
    view = world.risk.var(world.alice, pid, "historical")
    older = replace(view, as_of=date(2026, 11, 19), nav=1.0)  # a marker: the older row's NAV is $1
    clocked(world, NIGHT).store_result(world.alice, pid, view)
    clocked(world, EARLIER_NIGHT).store_result(world.alice, pid, older)  # stored later, but for an older day
    found = world.risk.latest_stored(world.alice, pid, VarView)
    assert isinstance(found, Stored)
    assert (found.as_of, found.computed_at, found.source) == (END, NIGHT, "simulated")
    assert found.view.nav == view.nav != 1.0
    pd.testing.assert_frame_equal(found.view.table, view.table)
    assert found.view.value(0.95, 1) == view.value(0.95, 1)
    assert found.stale(date(2026, 11, 23)) and not found.stale(END) and not found.stale(None)


def test_only_the_default_parameters_and_the_asked_kind_count(world: RiskWorld) -> None:
    pid = spy_book(world)
    assert world.risk.latest_stored(world.alice, pid, VarView) is None  # nothing stored yet
    mc = replace(world.risk.var(world.alice, pid, "parametric"), method="monte_carlo")
    world.risk.store_result(world.alice, pid, mc, "monte_carlo")
    world.risk.store_result(world.alice, pid, world.risk.volatility(world.alice, pid))
    assert world.risk.latest_stored(world.alice, pid, VarView) is None  # only a non-default VaR is stored
    found = world.risk.latest_stored(world.alice, pid, VarView, "monte_carlo")
    assert found is not None and found.view.method == "monte_carlo"
    vol = world.risk.latest_stored(world.alice, pid, VolView)
    assert vol is not None and vol.view.ewma == world.risk.volatility(world.alice, pid).ewma


def test_another_users_book_and_a_missing_book_are_refused_alike(world: RiskWorld) -> None:
    pid = spy_book(world)
    world.risk.store_result(world.alice, pid, world.risk.var(world.alice, pid, "historical"))
    for user, ident in ((world.bob, pid), (world.alice, pid + 1000)):
        with pytest.raises(PermissionDenied, match=rf"^Portfolio {ident} is not one of yours\.$"):
            world.risk.latest_stored(user, ident, VarView)


def test_a_lookup_is_one_query(world: RiskWorld) -> None:
    pid = spy_book(world)
    world.risk.store_result(world.alice, pid, world.risk.var(world.alice, pid, "historical"))
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(world.db.engine, "before_cursor_execute", count)
    try:
        assert world.risk.latest_stored(world.alice, pid, VarView) is not None
        assert world.risk.latest_stored(world.alice, pid, VolView) is None
    finally:
        event.remove(world.db.engine, "before_cursor_execute", count)
    assert len(statements) == 2, statements  # one each, ownership included
