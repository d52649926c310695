"""The jobs layer: run tracking, locks across processes, the request queue, the heartbeat, the CLI."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from jobs.runner import run_job
from sigma.batch.queue import ClaimedRequest
from sigma.errors import ProviderUnavailable
from sigma.wiring import build
from tests.fakes import FakeProvider, synthetic_bars
from tests.jobs.processes import cli_env, run_cli

SYMBOLS = ["SPY", "AAPL", "MSFT"]


@pytest.fixture
def services(db_settings):
    bars = synthetic_bars(SYMBOLS, date(2026, 9, 1), date(2026, 11, 20))
    provider = FakeProvider(bars)
    svc = build(replace(db_settings, market_years=1), provider=provider)
    svc.market.refresh = _limited(svc.market.refresh)  # the fake only knows three symbols
    yield svc, provider
    svc.close()


def _limited(refresh):
    def call(progress=None, **_):
        return refresh(progress=progress, symbols=SYMBOLS)

    return call


def test_a_run_is_tracked_from_start_to_finish_with_its_progress(services):
    svc, _ = services
    seen = []
    run_id, outcome = run_job(svc, "market_data", "manual", lambda d, t, p: seen.append((d, t)))
    assert outcome.status == "succeeded" and run_id is not None
    run = svc.runs.recent(limit=1)[0]
    assert (run.id, run.job, run.status, run.progress) == (run_id, "market_data", "succeeded", 1.0)
    assert run.result["rows_written"] > 0 and run.finished_at is not None


def test_a_second_market_data_run_fetches_nothing_and_writes_nothing(services):
    svc, provider = services
    run_job(svc, "market_data")
    calls = len(provider.calls)
    _, outcome = run_job(svc, "market_data")
    assert outcome.details["rows_written"] == 0 and len(provider.calls) == calls


def test_a_provider_outage_is_recorded_as_a_failed_run_and_keeps_the_process_alive(services):
    svc, provider = services
    provider.fail = ProviderUnavailable("Yahoo Finance did not answer within 10 s (tried 3 times).")
    _, outcome = run_job(svc, "market_data")
    assert outcome.status == "failed" and "did not answer" in outcome.message
    assert svc.runs.recent(limit=1)[0].status == "failed"


def test_a_job_holding_its_lock_makes_a_second_run_skip(services):
    svc, provider = services
    assert svc.locks.acquire("market_data", ttl=timedelta(minutes=5))
    other = replace(svc, locks=type(svc.locks)(svc.sessions, "other-host:1"))
    _, outcome = run_job(other, "market_data")
    assert outcome.status == "skipped" and provider.calls == []
    svc.locks.release("market_data")
    assert run_job(other, "market_data")[1].status == "succeeded"


def test_an_expired_lock_is_taken_over(services):
    svc, _ = services
    assert svc.locks.acquire("x", ttl=timedelta(seconds=-1))  # already expired
    other = type(svc.locks)(svc.sessions, "other-host:2")
    assert other.acquire("x")


def test_queued_requests_are_claimed_once_oldest_first(services):
    svc, _ = services
    first, second = svc.queue.request("market_data", None), svc.queue.request("profiles", None)
    assert svc.queue.claim_next() == ClaimedRequest(first, "market_data", None, {})
    assert svc.queue.claim_next() == ClaimedRequest(second, "profiles", None, {})
    assert svc.queue.claim_next() is None
    svc.queue.complete(first, True, None)
    assert [r.id for r in svc.queue.pending()] == [second]


def test_the_heartbeat_makes_the_scheduler_alive_for_the_admin_page(services):
    svc, _ = services
    assert not svc.admin.scheduler_status().alive
    svc.heartbeat.beat("scheduler", "host", 123)
    status = svc.admin.scheduler_status()
    assert status.alive and status.host == "host"


def test_an_unknown_job_name_is_refused_with_the_list_of_jobs(services):
    svc, _ = services
    with pytest.raises(ValueError, match="market_data"):
        run_job(svc, "nope")


def test_the_cli_lists_the_jobs(tmp_path):
    out = run_cli("list", env=cli_env(SIGMA_DATA_DIR=str(tmp_path), SIGMA_ENV="test"))
    assert out.returncode == 0, out.stderr
    assert "market_data" in out.stdout and "never run" in out.stdout


def test_the_cli_explains_a_database_that_is_down(tmp_path):
    env = cli_env(SIGMA_DATA_DIR=str(tmp_path), SIGMA_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/sigma")
    out = run_cli("list", env=env)
    assert out.returncode == 2 and "Cannot connect to the database" in out.stderr and "Traceback" not in out.stderr


def test_seeding_refuses_to_run_in_production(tmp_path):
    env = cli_env(SIGMA_DATA_DIR=str(tmp_path), SIGMA_ENV="production", SIGMA_COOKIE_KEY="p" * 48)
    out = run_cli("seed-demo", env=env)
    assert out.returncode == 1 and "production" in out.stderr


def test_production_without_a_cookie_key_refuses_to_start_naming_the_variable(tmp_path):
    out = run_cli("list", env=cli_env(SIGMA_DATA_DIR=str(tmp_path), SIGMA_ENV="production"))
    assert out.returncode == 2 and "SIGMA_COOKIE_KEY" in out.stderr


def test_the_scheduler_runs_the_profiles_job_daily_on_its_own_cron(services):
    from jobs.scheduler import build_scheduler

    svc, _ = services
    sched = build_scheduler(replace(svc, settings=replace(svc.settings, schedule_profiles="5 4 * * *")))
    jobs = {job.id: job for job in sched.get_jobs()}
    assert {"market_data", "batch", "profiles", "heartbeat", "requests"} <= set(jobs)
    assert (jobs["profiles"].func_ref, list(jobs["profiles"].args)) == ("jobs.scheduler:scheduled", ["profiles"])
    fields = {f.name: str(f) for f in jobs["profiles"].trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day_of_week"]) == ("5", "4", "*")


def test_the_cli_status_shows_next_runs_and_the_last_runs_with_their_phases(tmp_path):
    env = cli_env(SIGMA_DATA_DIR=str(tmp_path), SIGMA_ENV="test", SIGMA_MARKET_END="2026-11-20", SIGMA_MARKET_YEARS="1")
    ran = run_cli("run", "batch", "--phase", "market_data", "--phase", "snapshots", env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "market_data  succeeded" in ran.stdout and "snapshots    succeeded" in ran.stdout
    out = run_cli("status", env=env)
    assert out.returncode == 1  # no scheduler is running: said, and the exit code says it too
    assert "scheduler: not running: The jobs process has never run: start it with python -m jobs serve" in out.stdout
    assert "cron '45 22 * * mon-fri' (SIGMA_SCHEDULE_BATCH)" in out.stdout
    assert "#1 batch        succeeded    manual" in out.stdout
    assert "market_data  succeeded" in out.stdout and "snapshots    succeeded" in out.stdout


def test_the_cli_refuses_an_unknown_phase_with_the_known_ones(tmp_path):
    env = cli_env(SIGMA_DATA_DIR=str(tmp_path), SIGMA_ENV="test", SIGMA_MARKET_YEARS="1")
    out = run_cli("run", "batch", "--phase", "nope", env=env)
    assert (
        out.returncode == 2 and "Unknown phase(s): nope. Known phases: market_data, profiles, snapshots" in out.stderr
    )
    assert "Traceback" not in out.stderr


def test_the_poller_runs_a_queued_request_with_its_parameters_and_who_asked(services, monkeypatch):
    import jobs.scheduler as scheduler

    svc, _ = services
    root = svc.auth.ensure_user("root", "Root", "plover-ferment-quietly-88", "admin")
    monkeypatch.setattr(scheduler, "_services", svc)
    good = svc.queue.request("batch", root.id, {"phases": ["market_data"], "portfolios": [5]})
    bad = svc.queue.request("batch", root.id, {"phases": ["nope"]})
    scheduler.poll_requests()
    assert svc.queue.pending() == []
    run = svc.runs.recent(limit=1)[0]
    assert (run.job, run.trigger, run.requested_by, run.status) == ("batch", "request", root.id, "succeeded")
    assert run.params == {"phases": ["market_data"], "portfolios": [5]} and [p.name for p in run.phases] == [
        "market_data"
    ]
    with svc.sessions() as s:
        from sigma.db.models import JobRequest

        statuses = {r.id: (r.status, r.batch_run_id) for r in s.query(JobRequest)}
    assert statuses == {good: ("done", run.id), bad: ("failed", None)}
