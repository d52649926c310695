"""Shared set-up of the portfolio service tests: a one-year slice of the simulated market, two users.

Imported by the other test_service_* files (it holds no tests itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import insert

from sigma.auth.model import AuthUser
from sigma.config import Settings
from sigma.conventions import PositionType, Source
from sigma.db.models import Price, User
from sigma.market.service import MarketService
from sigma.market.store.prices import PriceStore
from sigma.market.universe import universe_profiles
from sigma.portfolio.model import PositionDraft
from sigma.portfolio.service import PortfolioService
from tests.conftest import Database
from tests.fakes import FakeProvider

SYMBOLS = ("SPY", "AAPL", "MSFT", "NVDA", "QQQ", "XOM", "^IRX")
START, END = date(2025, 11, 20), date(2026, 11, 20)


@dataclass
class World:
    """A service over a small market, with two users."""

    db: Database
    store: PriceStore
    market: MarketService
    svc: PortfolioService
    alice: AuthUser
    bob: AuthUser
    bars: pd.DataFrame

    def close(self, symbol: str) -> pd.Series:
        """Adjusted closes of one symbol by date."""
        rows = self.bars[self.bars["symbol"] == symbol]
        return pd.Series(rows["adj_close"].to_numpy(), index=list(rows["date"]))


def _user(db: Database, username: str) -> AuthUser:
    with db.sessions() as session:
        row = User(username=username, name=username.title(), email=f"{username}@example.com", password_hash="-")
        session.add(row)
        session.commit()
        return AuthUser(row.id, username, row.name, row.email, "analyst")


def _insert_bars(db: Database, bars: pd.DataFrame) -> None:
    """Bars straight into `prices` with one executemany (the store's multi-VALUES upsert is slow to compile)."""
    frame = bars.assign(source=str(Source.SIMULATED))
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    with db.sessions() as session:
        session.execute(insert(Price), rows)
        session.commit()


def make_world(db: Database, settings: Settings, market_bars: pd.DataFrame) -> World:
    """Store the bars and profiles, build the services and two users."""
    _insert_bars(db, market_bars)
    store = PriceStore(db.sessions)
    profiles = universe_profiles()
    store.upsert_profiles(profiles[profiles["symbol"].isin(SYMBOLS)], "reference")
    settings = replace(settings, market_end=END, database_url=db.url)
    market = MarketService(store, FakeProvider(market_bars), settings)
    svc = PortfolioService(db.sessions, market, settings)
    return World(db, store, market, svc, _user(db, "alice"), _user(db, "bob"), market_bars)


@pytest.fixture(name="world")
def world_fixture(db: Database, settings: Settings, small_market) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """The two-user world on SQLite and PostgreSQL."""
    bars = small_market.bars(list(SYMBOLS))
    bars = bars[(bars["date"] >= START) & (bars["date"] <= END)].reset_index(drop=True)
    w = make_world(db, settings, bars)
    yield w
    w.store.close()


def stock(symbol: str, quantity: float, price: float, day: date, short: bool = False) -> PositionDraft:
    """A stock draft."""
    kind = PositionType.SHORT if short else PositionType.LONG
    return PositionDraft(symbol, kind, quantity, price, day)


def option(
    underlying: str, kind: PositionType, quantity: float, price: float, day: date, strike: float, expiry: date
) -> PositionDraft:
    """An option draft (multiplier 100)."""
    label = f"{underlying} {expiry:%y%m%d}{'C' if kind.option_kind == 'call' else 'P'}{strike:g}"
    return PositionDraft(label, kind, quantity, price, day, underlying, strike, expiry, 100.0)
