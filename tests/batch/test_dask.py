"""The batch on a Dask distributed cluster (issue 11): the same stored results as in-process, row for row.

The seeded demo book (three portfolios, three years of the simulated market) runs the `risk` and
`insights` phases through the orchestrator twice on one database: first with `InlineExecutor` (the
reference: every chunk in this process), then, its rows deleted, with a `DaskExecutor` on an
in-process `distributed.LocalCluster` of two single-threaded worker processes. The workers get the
pickled chunks and no database; the driver writes what they return. Every `risk_results` and
`insights` row must come back equal, payloads included (only the write times may differ).

The cluster starts once for the module (about 5 s) with no dashboard, so it claims no fixed port.
The module is marked `cluster`: `make test` runs it in its serial phase, because under the parallel
phase's load the cluster's nannies once failed to start their worker processes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster, get_task_stream
from sqlalchemy import delete, select

import sigma.batch.nightly  # noqa: F401  (registers the standard phases)
from sigma.batch.executors import DaskExecutor, Executor, InlineExecutor
from sigma.batch.orchestrator import BatchRequest, run_batch
from sigma.batch.status import JobStatus
from sigma.config import from_env
from sigma.db.models import Insight, RiskResult
from sigma.wiring import Services, build
from tests.seeded import seeded_environment

pytestmark = [pytest.mark.slow, pytest.mark.cluster]  # the serial phase: nannies failed to start under load

PHASES = ("risk", "insights")
Row = tuple[Any, ...]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A client of a two-worker LocalCluster (worker processes, one thread each), for the module."""
    cluster = LocalCluster(  # type: ignore[no-untyped-call]  # distributed ships no types for it
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,  # no dashboard; its HTTP server on a free port, not on 8787
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )
    with cluster, Client(cluster) as c:  # type: ignore[no-untyped-call]
        c.wait_for_workers(2, timeout=120)
        yield c


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The seeded demo book on SQLite, with its risk reference data (as `python -m jobs init` leaves it)."""
    env = seeded_environment(Path(tmp_path_factory.mktemp("dask-batch")))
    svc = build(from_env({**env, "SIGMA_MC_PATHS": "2000"}))
    svc.risk.seed_reference()
    yield svc
    svc.close()


def _risk_rows(svc: Services) -> list[Row]:
    with svc.sessions() as s:
        found = s.scalars(select(RiskResult).order_by(RiskResult.portfolio_id, RiskResult.kind, RiskResult.params_key))
        return [(r.portfolio_id, r.kind, r.as_of, r.params_key, r.source, r.payload) for r in found]


def _insight_rows(svc: Services) -> list[Row]:
    with svc.sessions() as s:
        found = s.scalars(select(Insight).order_by(Insight.portfolio_id, Insight.rule, Insight.subject))
        return [
            (r.portfolio_id, r.rule, r.subject, r.severity, r.title, r.body, r.numbers, r.as_of, r.active)
            for r in found
        ]


def _run(svc: Services, executor: Executor) -> tuple[list[Row], list[Row]]:
    """Delete the phases' rows, run them on `executor`, return the rows they stored."""
    with svc.sessions() as s:
        s.execute(delete(Insight))
        s.execute(delete(RiskResult))
        s.commit()
    _, outcome = run_batch(svc, BatchRequest(job="batch", phases=PHASES), executor=executor)
    assert outcome.status == JobStatus.SUCCEEDED, outcome.message
    return _risk_rows(svc), _insight_rows(svc)


def test_the_batch_on_a_dask_cluster_stores_the_same_rows_as_in_process(services: Services, client: Client) -> None:
    risk_ref, insights_ref = _run(services, InlineExecutor())
    executor = DaskExecutor(client)
    assert executor.workers == 2
    with get_task_stream(client) as stream:
        risk_dask, insights_dask = _run(services, executor)
    executor.close()
    ran = [task["key"] for task in stream.data]
    assert any("run_chunk" in str(key) for key in ran), f"no risk chunk ran on the cluster: {ran}"
    assert any("evaluate_chunk" in str(key) for key in ran), f"no insight chunk ran on the cluster: {ran}"
    per_book = Counter(row[0] for row in risk_ref)
    views = {(kind, "") for kind in ("performance", "factors", "volatility", "var", "sectors", "concentration")}
    views |= {("health", "")} | {("stress", scenario.name) for scenario in services.risk.scenarios()}
    assert len(per_book) == 3 and set(per_book.values()) == {len(views)}  # every demo book, every default view
    assert {(row[1], row[3]) for row in risk_ref} == views
    portfolios = set(per_book)
    assert len(insights_ref) > 0 and {row[0] for row in insights_ref} <= portfolios
    assert risk_dask == risk_ref
    assert insights_dask == insights_ref


def test_a_cluster_executor_keeps_the_order_of_its_items(client: Client) -> None:
    executor = DaskExecutor(client)
    assert executor.map(abs, [-3, 1, -2, 0]) == [3, 1, 2, 0]
    assert executor.map(abs, []) == []
    executor.close()
    assert client.status == "running"  # an executor handed a client does not close it
