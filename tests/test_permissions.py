"""Every service method that takes an acting user is in a table of who may call it, generated from
the services' public methods: a new method without an entry fails `test_every_acting_user_method_has_an_entry`.

Two analysts (Alice, Bob) and one administrator. Bob calling with Alice's ids is refused with
PermissionDenied and nothing of Alice's changes; an analyst calling an admin-only method is refused,
even when the role on the object he passes is forged to "admin" (the role is re-read from the database).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from sigma.auth.model import AuthUser
from sigma.auth.service import AuditAction, AuthService
from sigma.batch.admin import AdminService
from sigma.batch.sql.heartbeat import Heartbeat
from sigma.batch.sql.queue import JobQueue
from sigma.batch.sql.runs import RunTracker
from sigma.db.models import JobRequest, RiskResult
from sigma.errors import PermissionDenied
from sigma.insights.service import InsightService
from sigma.portfolio.service import PortfolioService
from sigma.risk.service import RiskService
from sigma.risk.view.var import VarView
from tests.insights.calls import alices_card, insights_of
from tests.portfolio.test_service_scoping import ATTEMPTS, Ids, _setup
from tests.portfolio.test_service_support import _insert_bars
from tests.risk.test_service import END, START, RiskWorld, spy_book, world_fixture  # noqa: F401

SERVICES = (PortfolioService, RiskService, AdminService, AuthService, InsightService)
BOSS_PASSWORD = "plover-ferment-quietly-88"
NEW_PASSWORD = "gannet-orbit-lantern-41"


@dataclass
class Cast:
    """The services and the three users; Alice's ids; a VaR view of Alice's book."""

    w: RiskWorld
    auth: AuthService
    admin: AdminService
    boss: AuthUser
    ids: Ids
    spy: int
    view: VarView


Call = Callable[[Cast, AuthUser], object]
REFUSE, ADMIN_ONLY, OWN_ONLY, ANYONE = "refuses another user's ids", "admins only", "own data only", "anyone"


def _risk(name: str) -> dict[str, Call]:
    risk_calls: dict[str, Call] = {
        "performance": lambda c, u: c.w.risk.performance(u, c.spy),
        "factors": lambda c, u: c.w.risk.factors(u, c.spy),
        "book": lambda c, u: c.w.risk.book(u, c.spy),
        "volatility": lambda c, u: c.w.risk.volatility(u, c.spy),
        "var": lambda c, u: c.w.risk.var(u, c.spy, "parametric"),
        "stress_model": lambda c, u: c.w.risk.stress_model(u, c.spy),
        "stress": lambda c, u: c.w.risk.stress(u, c.spy, "Market −10 %"),
        "custom_stress": lambda c, u: c.w.risk.custom_stress(u, c.spy, {"market": -0.1}),
        "sectors": lambda c, u: c.w.risk.sectors(u, c.spy),
        "holdings_correlations": lambda c, u: c.w.risk.holdings_correlations(u, c.spy),
        "store_result": lambda c, u: c.w.risk.store_result(u, c.spy, c.view, "forged"),
        "load_result": lambda c, u: c.w.risk.load_result(u, c.spy, VarView, c.view.as_of),
        "latest_stored": lambda c, u: c.w.risk.latest_stored(u, c.spy, VarView),
    }
    return {name: risk_calls[name]}


def _portfolio(name: str) -> dict[str, Call]:
    """The portfolio scoping test's attempts for `name` (one method may have several variants)."""
    found = {k: v for k, v in ATTEMPTS.items() if k.split(" (")[0] == name}
    return {k: (lambda c, u, f=f: f(c.w.portfolios, u, c.ids)) for k, f in found.items()}  # type: ignore[misc]


TABLE: dict[tuple[type, str], tuple[str, dict[str, Call]]] = {
    **{(PortfolioService, name): (REFUSE, _portfolio(name)) for name in {k.split(" (")[0] for k in ATTEMPTS}},
    (PortfolioService, "open_book"): (REFUSE, {"open_book": lambda c, u: c.w.portfolios.open_book(u, c.ids.pid)}),
    (PortfolioService, "list_portfolios"): (OWN_ONLY, {}),
    (PortfolioService, "create_portfolio"): (OWN_ONLY, {}),
    (PortfolioService, "tags"): (OWN_ONLY, {}),
    (PortfolioService, "create_tag"): (OWN_ONLY, {}),
    **{
        (RiskService, name): (REFUSE, _risk(name))
        for name in (
            "book",
            "performance",
            "factors",
            "volatility",
            "var",
            "stress_model",
            "stress",
            "custom_stress",
            "sectors",
            "holdings_correlations",
            "store_result",
            "load_result",
            "latest_stored",
        )
    },
    (RiskService, "scenarios"): (ANYONE, {}),
    (RiskService, "save_scenario"): (
        ADMIN_ONLY,
        {"save_scenario": lambda c, u: c.w.risk.save_scenario(u, "Mine", {"market": -0.5})},
    ),
    (InsightService, "cards"): (REFUSE, {"cards": lambda c, u: insights_of(c).cards(u, c.spy)}),
    (InsightService, "dismiss"): (REFUSE, {"dismiss": lambda c, u: insights_of(c).dismiss(u, alices_card(c))}),
    (AdminService, "view"): (ADMIN_ONLY, {"view": lambda c, u: c.admin.view(u)}),
    (AdminService, "runs"): (ADMIN_ONLY, {"runs": lambda c, u: c.admin.runs(u)}),
    (AdminService, "request_job"): (ADMIN_ONLY, {"request_job": lambda c, u: c.admin.request_job(u, "snapshots")}),
    (AuthService, "list_users"): (ADMIN_ONLY, {"list_users": lambda c, u: c.auth.list_users(u)}),
    (AuthService, "unlock"): (ADMIN_ONLY, {"unlock": lambda c, u: c.auth.unlock(u, "alice")}),
    (AuthService, "create_user"): (
        ADMIN_ONLY,
        {"create_user": lambda c, u: c.auth.create_user(u, "mallory", "Mallory", NEW_PASSWORD, "admin")},
    ),
    (AuthService, "set_password"): (
        ADMIN_ONLY,  # of another user; one's own password is one's own
        {"set_password": lambda c, u: c.auth.set_password(u, c.w.alice.id, NEW_PASSWORD)},
    ),
    (AuthService, "set_active"): (ADMIN_ONLY, {"set_active": lambda c, u: c.auth.set_active(u, c.w.alice.id, False)}),
    (AuthService, "set_role"): (ADMIN_ONLY, {"set_role": lambda c, u: c.auth.set_role(u, c.w.alice.id, "analyst")}),
    (AuthService, "reset_password"): (
        ADMIN_ONLY,
        {"reset_password": lambda c, u: c.auth.reset_password(u, c.w.alice.id, NEW_PASSWORD)},
    ),
    (AuthService, "deactivate"): (ADMIN_ONLY, {"deactivate": lambda c, u: c.auth.deactivate(u, c.w.alice.id)}),
    (AuthService, "audit_log"): (ADMIN_ONLY, {"audit_log": lambda c, u: c.auth.audit_log(u)}),
    (AuthService, "audited"): (
        ADMIN_ONLY,
        {"audited": lambda c, u: c.auth.audited(u, AuditAction.QUEUE_RUN, "batch", {}, lambda s: None)},
    ),
}


def _acting_user_methods(cls: type) -> list[str]:
    """Public methods whose first parameter after self is annotated with AuthUser."""
    names = []
    for name, fn in inspect.getmembers(cls, inspect.isfunction):
        params = list(inspect.signature(fn).parameters.values())
        if not name.startswith("_") and len(params) > 1 and "AuthUser" in str(params[1].annotation):
            names.append(name)
    return names


def test_every_acting_user_method_has_an_entry_and_every_entry_is_a_method() -> None:
    found = {(cls, name) for cls in SERVICES for name in _acting_user_methods(cls)}
    missing = sorted(f"{cls.__name__}.{name}" for cls, name in found - TABLE.keys())
    stale = sorted(f"{cls.__name__}.{name}" for cls, name in TABLE.keys() - found)
    assert missing == [], f"add these to TABLE in tests/test_permissions.py: {missing}"
    assert stale == []
    assert all(calls for kind, calls in TABLE.values() if kind in (REFUSE, ADMIN_ONLY))


@pytest.fixture
def cast(world: RiskWorld, small_market) -> Cast:  # type: ignore[no-untyped-def]
    w = world
    bars = small_market.bars(["MSFT"])  # Bob's own position in the portfolio scoping set-up
    _insert_bars(w.db, bars[(bars["date"] >= START) & (bars["date"] <= END)].reset_index(drop=True))
    ids = _setup(SimpleNamespace(svc=w.portfolios, alice=w.alice, bob=w.bob))  # type: ignore[arg-type]
    auth = AuthService(w.db.sessions, w.risk.settings)
    boss = auth.ensure_user("boss", "Boss", BOSS_PASSWORD, "admin")
    sessions = w.db.sessions
    admin = AdminService(auth, w.market, RunTracker(sessions), JobQueue(sessions), Heartbeat(sessions), 60)
    spy = spy_book(w)
    view = w.risk.var(w.alice, spy, "parametric")
    w.risk.store_result(w.alice, spy, view, "")
    return Cast(w, auth, admin, boss, ids, spy, view)


def _alice_state(c: Cast) -> tuple[object, ...]:
    p, a = c.w.portfolios, c.w.alice
    with c.w.db.sessions() as session:
        results = session.scalar(select(func.count()).select_from(RiskResult))
        requests = session.scalar(select(func.count()).select_from(JobRequest))
    scenarios = [(s.name, s.shocks) for s in c.w.risk.scenarios()]
    books = [(b.id, b.name, b.cash, b.benchmark, b.archived) for b in p.list_portfolios(a, include_archived=True)]
    exports = (p.export_positions(a, c.ids.pid), p.export_targets(a, c.ids.pid), len(p.cash_flows(a, c.ids.pid)))
    users = [(u.username, u.role, u.is_active, u.locked, u.failures) for u in c.auth.list_users(c.boss)]
    return books, exports, [(t.id, t.name, t.color) for t in p.tags(a)], results, requests, scenarios, users


def _entries(kind: str) -> list[tuple[str, Call]]:
    return [(label, call) for k, calls in TABLE.values() if k == kind for label, call in calls.items()]


def test_bob_with_alices_ids_is_refused_by_every_method_and_nothing_changes(cast: Cast) -> None:
    before = _alice_state(cast)
    for label, call in _entries(REFUSE):
        with pytest.raises(PermissionDenied, match=r"is not one of yours\.") as info:
            call(cast, cast.w.bob)
        assert "Alice" not in str(info.value), label
    assert _alice_state(cast) == before


def test_an_analyst_is_refused_every_admin_method_even_with_a_forged_role(cast: Cast) -> None:
    before = _alice_state(cast)
    forged = replace(cast.w.bob, role="admin")
    for _label, call in _entries(ADMIN_ONLY):
        for acting in (cast.w.bob, forged):
            with pytest.raises(PermissionDenied, match=r"(?i)admin"):
                call(cast, acting)
    assert _alice_state(cast) == before


def test_the_administrator_may_call_every_admin_method(cast: Cast) -> None:
    for _label, call in _entries(ADMIN_ONLY):
        call(cast, cast.boss)
    assert [u.username for u in cast.auth.list_users(cast.boss)] == ["alice", "bob", "boss", "mallory", "root"]
    assert "Mine" in [s.name for s in cast.w.risk.scenarios()]


def test_own_data_methods_show_and_change_only_the_acting_users_data(cast: Cast) -> None:
    p, bob = cast.w.portfolios, cast.w.bob
    assert [(t.name, t.color) for t in p.tags(bob)] == [("His", "#222222")]
    assert [b.name for b in p.list_portfolios(bob)] == ["Bob book"]
    before = _alice_state(cast)
    p.create_tag(bob, "Mine", "#333333")  # Alice has a tag of that name: Bob's is his own
    p.create_portfolio(bob, "Alice book", cash=1.0)
    assert [t.name for t in p.tags(bob)] == ["His", "Mine"]
    assert sorted(b.name for b in p.list_portfolios(bob)) == ["Alice book", "Bob book"]
    assert _alice_state(cast) == before
