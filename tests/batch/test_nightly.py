"""The real nightly batch end to end, on SQLite and PostgreSQL: a week of catch-up after downtime,
idempotency (a second run leaves every table as it was), and isolation (a bad book is a recorded
failure, the other books are complete, and the bad one has nothing half-written).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from jobs.runner import run_job
from sigma.batch.executors import InlineExecutor
from sigma.batch.orchestrator import BatchRequest, run_batch
from sigma.batch.status import JobStatus
from sigma.config import from_env
from sigma.db.models import Position
from sigma.wiring import Services, build
from tests.conftest import Database
from tests.seeded import seeded_environment

TABLES = {
    "prices": "SELECT symbol, date, close FROM prices ORDER BY symbol, date",
    "snapshots": "SELECT * FROM portfolio_snapshots ORDER BY portfolio_id, date",
    "risk": "SELECT portfolio_id, kind, as_of, params_key, source, computed_at FROM risk_results "
    "ORDER BY portfolio_id, kind, params_key",
    "insights": "SELECT portfolio_id, rule, subject, severity, title, first_seen, active FROM insights "
    "ORDER BY portfolio_id, rule, subject",
}


@pytest.fixture
def services(db: Database, tmp_path: Path):
    url = db.url if db.backend == "postgresql" else None
    env = seeded_environment(tmp_path / "data", database_url=url, market_end="2026-11-13")
    svc = build(from_env({**env, "SIGMA_MARKET_END": "2026-11-20", "SIGMA_BATCH_EXECUTOR": "inline"}))
    yield svc
    svc.close()


def _tables(services: Services) -> dict[str, pd.DataFrame]:
    with services.engine.connect() as conn:
        return {name: pd.DataFrame(conn.execute(text(sql)).all()) for name, sql in TABLES.items()}


def _payloads(services: Services) -> list[str]:
    with services.engine.connect() as conn:
        rows = conn.execute(text("SELECT payload FROM risk_results ORDER BY portfolio_id, kind, params_key")).all()
    return [str(r[0]) for r in rows]


def test_after_a_week_down_one_run_catches_up_and_a_second_run_changes_nothing(services: Services) -> None:
    _, outcome = run_job(services, "batch")
    assert outcome.status == JobStatus.SUCCEEDED, outcome.message
    pids = services.portfolios.active_portfolio_ids()
    with services.engine.connect() as conn:
        last = dict(
            conn.execute(text("SELECT portfolio_id, MAX(date) FROM portfolio_snapshots GROUP BY portfolio_id"))
            .tuples()
            .all()
        )
        risk = dict(
            conn.execute(text("SELECT portfolio_id, MAX(as_of) FROM risk_results GROUP BY portfolio_id")).tuples().all()
        )
    assert {p: pd.Timestamp(d).date() for p, d in last.items()} == {p: date(2026, 11, 20) for p in pids}
    assert {p: pd.Timestamp(d).date() for p, d in risk.items()} == {p: date(2026, 11, 20) for p in pids}
    first, payloads = _tables(services), _payloads(services)
    assert len(first["insights"]) > 0 and len(first["risk"]) == 23 * len(pids)
    _, again = run_job(services, "batch")
    assert again.status == JobStatus.SUCCEEDED
    phases = {p["name"]: p["rows"] for p in again.details["phases"]}  # type: ignore[union-attr]
    assert (phases["market_data"], phases["snapshots"]) == (0, 0)
    second = _tables(services)
    for name, frame in first.items():
        pd.testing.assert_frame_equal(second[name], frame, check_dtype=False, obj=name)
    assert _payloads(services) == payloads


def test_a_bad_book_is_a_recorded_failure_and_the_other_books_are_complete(services: Services) -> None:
    dave = services.auth.register_user("dave", "Dave", "plover-ferment-quietly-88", "analyst")
    bad = services.portfolios.create_portfolio(dave, "Delisted").id
    with services.sessions() as s:  # a holding whose symbol has no prices (as if delisted from the store)
        s.add(
            Position(
                portfolio_id=bad,
                symbol="GONE",
                position_type="LONG",
                quantity=1,
                entry_price=1,
                entry_date=date(2026, 6, 1),
                multiplier=1.0,
            )
        )
        s.commit()
    _, outcome = run_batch(services, BatchRequest("batch"), executor=InlineExecutor())
    run = services.runs.recent(limit=1)[0]
    assert outcome.status == JobStatus.PARTIAL == run.status
    by_name = {p.name: p for p in run.phases}
    for name in ("snapshots", "risk"):
        assert by_name[name].status == JobStatus.PARTIAL and list(by_name[name].failures) == [f"portfolio {bad}"]
    good = [p for p in services.portfolios.active_portfolio_ids() if p != bad]
    with services.engine.connect() as conn:
        stored = dict(
            conn.execute(text("SELECT portfolio_id, COUNT(*) FROM risk_results GROUP BY portfolio_id")).tuples().all()
        )
        days = dict(
            conn.execute(text("SELECT portfolio_id, COUNT(*) FROM portfolio_snapshots GROUP BY portfolio_id"))
            .tuples()
            .all()
        )
    assert stored == {p: 23 for p in good} and bad not in days and all(days[p] > 0 for p in good)


def test_from_a_date_refetches_and_recomputes_from_it_and_the_tables_come_out_the_same(services: Services) -> None:
    assert run_job(services, "batch")[1].status == JobStatus.SUCCEEDED
    before = _tables(services)
    request = BatchRequest("batch", ("market_data", "snapshots"), from_date=date(2026, 11, 16))
    _, outcome = run_batch(services, request, executor=InlineExecutor())
    assert outcome.status == JobStatus.SUCCEEDED
    rows = {p["name"]: (p["rows"], p["items"]) for p in outcome.details["phases"]}  # type: ignore[union-attr]
    books = len(services.portfolios.active_portfolio_ids())
    assert rows["market_data"] == (0, 152)  # every symbol fetched again from the 16th; the provider changed nothing
    assert rows["snapshots"] == (5 * books, books)  # the 16th to the 20th dropped and recomputed
    after = _tables(services)
    for name in ("prices", "snapshots"):
        pd.testing.assert_frame_equal(after[name], before[name], check_dtype=False, obj=name)
