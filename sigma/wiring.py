"""The composition root: `build(settings) -> Services` picks the concrete adapters once.

The app calls it under `st.cache_resource`, the jobs process in `main()`, tests with their own
settings (and fakes where they need them).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.service import AuthService
from sigma.batch.admin import AdminService
from sigma.batch.sql.heartbeat import Heartbeat
from sigma.batch.sql.locks import JobLocks
from sigma.batch.sql.quality import QualityReports
from sigma.batch.sql.queue import JobQueue
from sigma.batch.sql.runs import RunTracker
from sigma.config import MarketDataMode, Settings, ensure_cookie_key
from sigma.db import make_engine, session_factory, upgrade_to_head
from sigma.insights.service import InsightService
from sigma.market.service import MarketService, last_business_day
from sigma.market.standard import PriceProvider
from sigma.market.store.prices import PriceStore
from sigma.portfolio.service import PortfolioService
from sigma.risk.service import RiskService


@dataclass(frozen=True)
class Services:
    """Everything the app and the jobs process use, built once."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    store: PriceStore
    market: MarketService
    auth: AuthService
    runs: RunTracker
    queue: JobQueue
    locks: JobLocks
    heartbeat: Heartbeat
    portfolios: PortfolioService
    admin: AdminService
    risk: RiskService
    insights: InsightService

    def close(self) -> None:
        """Release the database connections (the price store's own ones too)."""
        self.store.close()
        self.engine.dispose()


def make_provider(settings: Settings) -> PriceProvider:
    """The price provider SIGMA_MARKET_DATA asks for."""
    from sigma.market.providers.simulated import SimulatedProvider

    end = settings.market_end or last_business_day(date.today())
    simulated = SimulatedProvider(seed=settings.market_seed, end=end, years=settings.market_years)
    if settings.market_data == MarketDataMode.SIMULATED:
        return simulated
    if settings.market_data == MarketDataMode.CSV:
        from sigma.market.providers.csv import CsvProvider

        return CsvProvider(settings.csv_dir)
    from sigma.market.providers.yfinance import YFinanceProvider

    live = YFinanceProvider(
        timeout=settings.provider_timeout, retries=settings.provider_retries, breaker=settings.provider_breaker
    )
    if settings.market_data == MarketDataMode.YFINANCE:
        return live
    from sigma.market.providers.auto import AutoProvider

    return AutoProvider(live=live, fallback=simulated, timeout=settings.auto_timeout)


def build(
    settings: Settings,
    *,
    migrate: bool = True,
    provider: PriceProvider | None = None,
    clock: Callable[[], date] = date.today,
) -> Services:
    """Wire the services for `settings`: engine, schema upgrade, provider, stores, services."""
    settings = ensure_cookie_key(settings)
    engine = make_engine(settings.database_url, settings.db_busy_timeout_ms)
    if migrate:
        upgrade_to_head(engine)
    sessions = session_factory(engine)
    store = PriceStore(sessions)
    market = MarketService(store, provider or make_provider(settings), settings, clock=clock)
    holder = f"{socket.gethostname()}:{os.getpid()}"
    auth = AuthService(sessions, settings)
    runs, queue, heartbeat = RunTracker(sessions), JobQueue(sessions), Heartbeat(sessions)
    portfolios = PortfolioService(sessions, market, settings)
    risk = RiskService(sessions, market, portfolios, settings)
    return Services(
        settings=settings,
        engine=engine,
        sessions=sessions,
        store=store,
        market=market,
        auth=auth,
        runs=runs,
        queue=queue,
        locks=JobLocks(sessions, holder, ttl=timedelta(seconds=settings.lock_ttl_seconds)),
        heartbeat=heartbeat,
        portfolios=portfolios,
        admin=AdminService(
            auth, market, runs, queue, heartbeat, settings.heartbeat_seconds, reports=QualityReports(sessions)
        ),
        risk=risk,
        insights=InsightService(sessions, portfolios, risk, market, settings),
    )
