"""The stored data-quality report and the cheap second `jobs init`: the jobs write, the Admin page reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from jobs.runner import run_job
from sigma.batch.sql.freshness import portfolios_behind
from sigma.batch.sql.quality import QualityReports
from sigma.conventions import PositionType
from sigma.portfolio.model import PositionDraft
from sigma.wiring import build
from tests.fakes import FakeProvider, synthetic_bars

SYMBOLS = ["SPY", "AAPL", "MSFT"]
END = date(2026, 11, 20)


@pytest.fixture
def services(db_settings):
    provider = FakeProvider(synthetic_bars(SYMBOLS, date(2026, 9, 1), END))
    svc = build(replace(db_settings, market_years=1, market_end=END), provider=provider)
    refresh = svc.market.refresh
    svc.market.refresh = lambda progress=None, **_: refresh(progress=progress, symbols=SYMBOLS)  # the fake knows three
    admin = svc.auth.seed_demo_user("root", "Root", "not-a-real-password", "admin")
    yield svc, admin
    svc.close()


def test_the_market_data_job_stores_the_report_the_admin_page_reads(services):
    svc, admin = services
    run_job(svc, "market_data")
    view = svc.admin.view(admin)
    assert view.quality_computed_at is not None and view.quality_note.startswith("Computed by the jobs process")
    fresh = svc.market.quality()
    assert list(view.quality["symbol"]) == sorted(SYMBOLS) == list(fresh["symbol"])
    assert list(view.quality["rows"]) == list(fresh["rows"]) and list(view.quality["status"]) == list(fresh["status"])
    assert list(view.quality["last"]) == [END] * 3  # dates come back as dates


def test_without_a_stored_report_the_page_computes_one_and_says_so(services):
    svc, admin = services
    svc.market.store.refresh(svc.market.provider, SYMBOLS, date(2026, 9, 1), END)  # prices, but no job ran
    view = svc.admin.view(admin)
    assert view.quality_computed_at is None and "No stored data-quality report" in view.quality_note
    assert len(view.quality) == 3


def test_a_market_data_run_that_writes_nothing_keeps_the_stored_report(services):
    svc, admin = services
    run_job(svc, "market_data")
    first = svc.admin.view(admin).quality_computed_at
    _, outcome = run_job(svc, "market_data")
    assert outcome.details["rows_written"] == 0
    assert svc.admin.view(admin).quality_computed_at == first


def test_a_stored_report_round_trips_its_types_and_replaces_the_last(services):
    svc, _ = services
    report = svc.market.store.refresh(svc.market.provider, SYMBOLS, date(2026, 9, 1), END) and svc.market.quality()
    stamps = iter([datetime(2026, 11, 21, 1, 0, tzinfo=UTC), datetime(2026, 11, 22, 1, 0, tzinfo=UTC)])
    reports = QualityReports(svc.sessions, clock=lambda: next(stamps))
    reports.store(report.iloc[:1], END)
    reports.store(report, END)
    stored = reports.latest()
    assert stored is not None and stored.as_of == END and stored.computed_at.day == 22  # the newest only
    assert stored.report["rows"].tolist() == report["rows"].tolist()
    assert stored.report["first"].tolist() == report["first"].tolist()
    assert stored.report["coverage"].tolist() == pytest.approx(report["coverage"].tolist())


def test_a_book_without_snapshots_is_behind_until_the_backfill_stores_them(services):
    svc, admin = services
    run_job(svc, "market_data")
    book = svc.portfolios.create_portfolio(admin, "Behind", cash=10_000.0)
    assert portfolios_behind(svc.sessions, END) == []  # no positions: nothing to backfill
    draft = PositionDraft("AAPL", PositionType.LONG, 10.0, 100.0, date(2026, 10, 1))
    svc.portfolios.add_position(admin, book.id, draft)
    assert portfolios_behind(svc.sessions, END) == [book.id]
    svc.portfolios.backfill_any(book.id)
    assert portfolios_behind(svc.sessions, END) == []
