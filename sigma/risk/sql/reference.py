"""Risk reference data in the database: stress scenarios, style-factor definitions, sector weights.

`seed_reference` fills each empty table from the package's catalogue (`sigma.risk.stress.SCENARIO_CATALOGUE`,
`sigma.risk.style.DEFAULT_FACTORS`, `sigma.risk.sector.LOOK_THROUGH`) with insert-or-ignore upserts,
so seeding is idempotent and never overwrites an admin's edits; `python -m jobs init` runs it.
The readers never write: while a table is still empty they answer from the same built-in
catalogue, so results are the same before and after seeding. Functions take a Session.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sigma.conventions import Role
from sigma.db import upsert
from sigma.db.models import BenchmarkWeight, FactorDefinition, StressScenario, User
from sigma.errors import NotFound, PermissionDenied, ValidationError
from sigma.risk.scenarios import ScenarioInfo, builtin_catalogue, check_shocks
from sigma.risk.sector import LOOK_THROUGH, LOOK_THROUGH_AS_OF
from sigma.risk.stress import SCENARIO_CATALOGUE, Scenario, ScenarioKind
from sigma.risk.style import DEFAULT_FACTORS, FactorSpec


def _empty(session: Session, table: type[StressScenario | FactorDefinition | BenchmarkWeight]) -> bool:
    """True while a reference table is not seeded yet."""
    return not session.scalar(select(func.count()).select_from(table))


def seed_reference(session: Session) -> None:
    """Insert the catalogue rows that are missing (idempotent; existing rows are left alone)."""
    rows: list[dict[str, Any]]
    if _empty(session, StressScenario):
        rows = [
            {
                "name": s.name,
                "kind": str(s.kind),
                "description": s.description,
                "shocks": dict(s.shocks),
                "window_start": s.window_start,
                "window_end": s.window_end,
            }
            for s in SCENARIO_CATALOGUE
        ]
        upsert(session, StressScenario.__table__, rows, key=("name",), update=())  # type: ignore[arg-type]
    if _empty(session, FactorDefinition):
        rows = [
            {"name": n, "long_symbol": lo, "short_symbol": sh, "description": f"{lo} − {sh}" if sh else lo}
            for n, lo, sh in DEFAULT_FACTORS
        ]
        upsert(session, FactorDefinition.__table__, rows, key=("name",), update=())  # type: ignore[arg-type]
    if _empty(session, BenchmarkWeight):
        rows = [
            {"benchmark": b, "sector": s, "weight": w, "as_of": LOOK_THROUGH_AS_OF}
            for b, weights in LOOK_THROUGH.items()
            for s, w in weights.items()
        ]
        upsert(session, BenchmarkWeight.__table__, rows, key=("benchmark", "sector"), update=())  # type: ignore[arg-type]


def scenario_infos(session: Session) -> list[ScenarioInfo]:
    """The catalogue, historical first then hypothetical, by id (the built-in one until seeded)."""
    rows = session.scalars(select(StressScenario).order_by(StressScenario.id)).all()
    if not rows:
        return builtin_catalogue()
    return [
        ScenarioInfo(
            r.id,
            r.name,
            r.kind,
            r.description,
            {k: float(v) for k, v in r.shocks.items()},
            r.window_start,
            r.window_end,
        )
        for r in rows
    ]


def scenario_by_name(session: Session, name: str) -> Scenario:
    """One catalogue scenario as a `Scenario`; NotFound when missing."""
    row = session.scalar(select(StressScenario).where(StressScenario.name == name))
    builtin = {s.name: s for s in SCENARIO_CATALOGUE}
    if row is None and name in builtin and _empty(session, StressScenario):
        return builtin[name]
    if row is None:
        raise NotFound(f"No stress scenario named {name!r}. Pick one from the catalogue.")
    shocks = {k: float(v) for k, v in row.shocks.items()}
    return Scenario(row.name, shocks, ScenarioKind(row.kind), row.description, row.window_start, row.window_end)


def require_admin(session: Session, user_id: int, what: str) -> None:
    """`PermissionDenied` unless `user_id` is, as stored now, an active admin: the role is re-read
    in the writing transaction, never taken from the `AuthUser` a caller passes in."""
    user = session.get(User, user_id)
    if user is None or not user.is_active or user.role != Role.ADMIN:
        raise PermissionDenied(f"Only an admin can {what}.")


def save_scenario_row(session: Session, scenario: Scenario) -> None:
    """Insert or update a scenario by name."""
    row = {
        "name": scenario.name.strip(),
        "kind": str(scenario.kind),
        "description": scenario.description,
        "shocks": check_shocks(scenario.shocks),
        "window_start": scenario.window_start,
        "window_end": scenario.window_end,
    }
    if not row["name"]:
        raise ValidationError("A scenario needs a name.")
    if not row["shocks"]:
        raise ValidationError("A scenario needs at least one shock.")
    upsert(session, StressScenario.__table__, [row], key=("name",))  # type: ignore[arg-type]


def factor_definitions(session: Session) -> tuple[FactorSpec, ...]:
    """Style factors (name, long, short) in the order of the defaults, then any added ones (defaults until seeded)."""
    rows = {r.name: (r.name, r.long_symbol, r.short_symbol) for r in session.scalars(select(FactorDefinition))}
    if not rows:
        return DEFAULT_FACTORS
    order = [n for n, _, _ in DEFAULT_FACTORS if n in rows] + sorted(set(rows) - {n for n, _, _ in DEFAULT_FACTORS})
    return tuple(rows[n] for n in order)


def benchmark_weights(session: Session, benchmark: str) -> tuple[dict[str, float], date]:
    """Sector weights of a benchmark and their as-of date; NotFound when there are none."""
    rows = session.execute(select(BenchmarkWeight).where(BenchmarkWeight.benchmark == benchmark)).scalars().all()
    if not rows and benchmark in LOOK_THROUGH and _empty(session, BenchmarkWeight):
        return dict(LOOK_THROUGH[benchmark]), LOOK_THROUGH_AS_OF
    if not rows:
        raise NotFound(f"No sector weights for {benchmark}. Use SPY, or ask an admin to add them.")
    return {r.sector: float(r.weight) for r in rows}, max(r.as_of for r in rows)


def look_through(session: Session) -> tuple[dict[str, dict[str, float]], date]:
    """Every ETF's sector weights (for look-through) and the latest as-of date."""
    table: dict[str, dict[str, float]] = {}
    latest = LOOK_THROUGH_AS_OF
    for r in session.scalars(select(BenchmarkWeight)):  # ~150 small reference rows
        table.setdefault(r.benchmark, {})[r.sector] = float(r.weight)
        latest = max(latest, r.as_of)
    if not table:
        return {b: dict(w) for b, w in LOOK_THROUGH.items()}, LOOK_THROUGH_AS_OF
    return table, latest
