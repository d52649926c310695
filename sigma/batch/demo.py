"""The demo book (DOMAIN.md, "Demo book"): three demo users with one portfolio each, and an admin.

Entry prices come from the price store on each entry date (options: the BSM premium at entry,
priced off that date's volatility surface, `sigma.portfolio.option_vol`), so P&L is coherent with
whichever market is loaded. Seeding is idempotent (existing users and portfolios are left alone)
and refuses to run when SIGMA_ENV=production. The demo passwords are public by design: they are printed by
`make run`, far below the password policy, and seeded through `AuthService.seed_demo_user`,
which bypasses that policy for the demo book only and refuses production; a login with them
is refused in production too (`sigma.auth.demo`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sqlalchemy import select

from sigma.auth.demo import ADMIN_PASSWORD, DEMO_PASSWORD
from sigma.conventions import DEFAULT_BENCHMARK, OPTION_MULTIPLIER, THREE_MONTH_YIELD, VIX, PositionType, Role
from sigma.db.engine import session_scope
from sigma.db.models import CashFlow, Portfolio, Position, User
from sigma.errors import ConfigError, InsufficientHistory
from sigma.portfolio.model import FlowKind
from sigma.portfolio.option_vol import SurfaceLevels, surface_levels

if TYPE_CHECKING:
    from sigma.wiring import Services


@dataclass(frozen=True)
class Leg:
    """One demo position: entry `days_ago` business days before the latest price date.

    Options: `strike_pct` of the underlying's price at entry (rounded), expiry `expiry_days`
    calendar days after entry.
    """

    symbol: str
    kind: PositionType
    quantity: float
    days_ago: int
    strike_pct: float = 1.0
    expiry_days: int = 0


@dataclass(frozen=True)
class DemoBook:
    username: str
    name: str
    email: str
    portfolio: str
    description: str
    cash: float
    legs: tuple[Leg, ...]
    benchmark: str = DEFAULT_BENCHMARK  # also the fallback when the store has no prices for a book's own


L, S = PositionType.LONG, PositionType.SHORT
BALANCED_BENCHMARK = "AOR"  # iShares Core 60/40 Balanced Allocation ETF: the balanced book's mandate
LC, LP, SC, SP = PositionType.LC, PositionType.LP, PositionType.SC, PositionType.SP

BOOKS: tuple[DemoBook, ...] = (
    DemoBook(
        "alice",
        "Alice Martin",
        "alice@example.com",
        "Balanced Individual",
        "A balanced individual: broad ETFs, a handful of blue chips, bonds, gold, REITs and cash.",
        25_000.0,
        (
            Leg("SPY", L, 120, 700),
            Leg("VTI", L, 80, 650),
            Leg("EFA", L, 250, 600),
            Leg("AGG", L, 300, 700),
            Leg("IEF", L, 150, 500),
            Leg("TLT", L, 60, 400),
            Leg("LQD", L, 100, 450),
            Leg("TIP", L, 90, 420),
            Leg("GLD", L, 40, 380),
            Leg("VNQ", L, 110, 560),
            Leg("SGOV", L, 200, 200),
            Leg("AAPL", L, 60, 520),
            Leg("MSFT", L, 30, 480),
            Leg("JNJ", L, 50, 640),
            Leg("PG", L, 45, 600),
            Leg("JPM", L, 40, 300),
        ),
        benchmark=BALANCED_BENCHMARK,
    ),
    DemoBook(
        "bob",
        "Bob Chen",
        "bob@example.com",
        "HNW Growth",
        "High-net-worth growth: concentrated mega-cap tech, long calls, protective puts, covered calls.",
        60_000.0,
        (
            Leg("NVDA", L, 900, 600),
            Leg("MSFT", L, 300, 650),
            Leg("AAPL", L, 500, 700),
            Leg("GOOGL", L, 400, 500),
            Leg("AMZN", L, 350, 450),
            Leg("META", L, 150, 400),
            Leg("AVGO", L, 120, 300),
            Leg("TSLA", L, 100, 250),
            Leg("CRM", L, 80, 200),
            Leg("QQQ", L, 150, 350),
            Leg("NVDA", LC, 5, 40, 1.05, 120),
            Leg("MSFT", LC, 4, 30, 1.05, 90),
            Leg("AMZN", LC, 6, 50, 1.10, 150),
            Leg("SPY", LP, 6, 25, 0.95, 90),
            Leg("QQQ", LP, 4, 20, 0.93, 60),
            Leg("AAPL", SC, 5, 20, 1.08, 45),
            Leg("MSFT", SC, 3, 15, 1.07, 40),
            Leg("NVDA", SC, 4, 10, 1.10, 30),
        ),
    ),
    DemoBook(
        "carol",
        "Carol Singh",
        "carol@example.com",
        "Long/Short Equity Fund",
        "A long/short hedge fund: longs and shorts across sectors, a sector-ETF hedge, every option type.",
        400_000.0,
        (
            Leg("MSFT", L, 1200, 400),
            Leg("GOOGL", L, 1500, 380),
            Leg("JPM", L, 1400, 360),
            Leg("UNH", L, 500, 340),
            Leg("LLY", L, 300, 300),
            Leg("HD", L, 600, 320),
            Leg("CAT", L, 500, 280),
            Leg("XOM", L, 1800, 260),
            Leg("LIN", L, 400, 240),
            Leg("NEE", L, 1900, 220),
            Leg("COST", L, 200, 200),
            Leg("V", L, 700, 180),
            Leg("AMT", L, 700, 160),
            Leg("TSLA", S, 500, 300),
            Leg("INTC", S, 4000, 280),
            Leg("SBUX", S, 900, 260),
            Leg("BA", S, 500, 240),
            Leg("KO", S, 1500, 220),
            Leg("PFE", S, 3500, 200),
            Leg("T", S, 4000, 180),
            Leg("DIS", S, 900, 160),
            Leg("NKE", S, 1200, 140),
            Leg("XLY", S, 400, 120),
            Leg("AAPL", LC, 10, 45, 1.05, 120),
            Leg("SPY", LP, 15, 30, 0.95, 90),
            Leg("JPM", SC, 8, 20, 1.08, 60),
            Leg("MSFT", SP, 6, 25, 0.92, 75),
            Leg("NVDA", LC, 6, 35, 1.10, 150),
            Leg("XOM", SP, 10, 15, 0.94, 45),
        ),
    ),
)
ADMIN = ("admin", "Sigma Admin", "admin@example.com")


@dataclass
class SeedReport:
    """What seeding did."""

    users_created: list[str] = field(default_factory=list)
    portfolios_created: list[str] = field(default_factory=list)
    positions_created: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the terminal."""
        if not (self.users_created or self.portfolios_created):
            return "demo book already present: nothing changed"
        return (
            f"created users {', '.join(self.users_created) or '-'}; portfolios "
            f"{', '.join(self.portfolios_created) or '-'}; {self.positions_created} positions"
        ) + "".join(f"; {note}" for note in self.notes)


def demo_logins() -> list[str]:
    """The demo logins, for the terminal."""
    lines = [f"{b.username} / {DEMO_PASSWORD}  ({b.portfolio})" for b in BOOKS]
    return [*lines, f"{ADMIN[0]} / {ADMIN_PASSWORD}  (admin)"]


def seed_demo(services: Services) -> SeedReport:
    """Create the demo users and their portfolios if missing; never touches existing ones."""
    if services.settings.is_production:
        raise ConfigError("Refusing to seed demo users with SIGMA_ENV=production.")
    as_of, _source = services.store.as_of()
    if as_of is None:
        raise InsufficientHistory("No prices in the store yet. Run: python -m jobs run market_data")
    report = SeedReport()
    with session_scope(services.sessions) as s:
        existing = set(s.scalars(select(User.username)))
    accounts = [(ADMIN[0], ADMIN[1], ADMIN_PASSWORD, Role.ADMIN, ADMIN[2])]
    accounts += [(b.username, b.name, DEMO_PASSWORD, Role.ANALYST, b.email) for b in BOOKS]
    for username, name, password, role, email in accounts:
        services.auth.seed_demo_user(username, name, password, role, email)  # bypasses the policy
        if username not in existing:
            report.users_created.append(username)
    for book in BOOKS:
        _seed_book(services, book, as_of, report)
    return report


def _seed_book(services: Services, book: DemoBook, as_of: date, report: SeedReport) -> None:
    with session_scope(services.sessions) as s:
        user_id = s.scalar(select(User.id).where(User.username == book.username))
        exists = s.scalar(select(Portfolio.id).where(Portfolio.owner_id == user_id, Portfolio.name == book.portfolio))
    if user_id is None or exists is not None:
        return
    positions = _positions(services, book, as_of)
    inception = min(p.entry_date for p in positions)
    benchmark = _benchmark(services, book, report)
    with session_scope(services.sessions) as s:
        pf = Portfolio(
            owner_id=user_id, name=book.portfolio, description=book.description, cash=book.cash, benchmark=benchmark
        )
        s.add(pf)
        s.flush()
        for p in positions:
            p.portfolio_id = pf.id
        s.add_all(positions)
        s.add(
            CashFlow(
                portfolio_id=pf.id, date=inception, kind=FlowKind.DEPOSIT.value, amount=book.cash, note="initial cash"
            )
        )
    report.portfolios_created.append(book.portfolio)
    report.positions_created += len(positions)


def _benchmark(services: Services, book: DemoBook, report: SeedReport) -> str:
    """The book's benchmark, or SPY (with a note) when the store has no prices for it."""
    if book.benchmark == DEFAULT_BENCHMARK or book.benchmark in services.market.priced_symbols():
        return book.benchmark
    report.notes.append(
        f"{book.portfolio}: no prices for its benchmark {book.benchmark}, benchmarked to {DEFAULT_BENCHMARK} instead"
    )
    return DEFAULT_BENCHMARK


def _positions(services: Services, book: DemoBook, as_of: date) -> list[Position]:
    symbols = sorted({leg.symbol for leg in book.legs} | {THREE_MONTH_YIELD, VIX, DEFAULT_BENCHMARK})
    start = as_of - timedelta(days=int(max(leg.days_ago for leg in book.legs) * 1.5) + 400)  # + a year of betas
    close = services.store.close_frame(symbols, start=start, end=as_of)
    levels = surface_levels(close, {g.symbol for g in book.legs if g.kind.is_option}, services.settings.vol_surface)
    dates = close.index
    out: list[Position] = []
    for leg in book.legs:  # 63 legs in all, once per install: clarity over vectorisation
        idx = max(0, len(dates) - 1 - leg.days_ago)
        entry_day = dates[idx].date()
        spot = float(close[leg.symbol].iloc[: idx + 1].dropna().iloc[-1])
        if not leg.kind.is_option:
            out.append(
                Position(
                    symbol=leg.symbol,
                    position_type=leg.kind.value,
                    quantity=leg.quantity,
                    entry_price=round(spot, 2),
                    entry_date=entry_day,
                    multiplier=1.0,
                )
            )
            continue
        out.append(_option(leg, close, idx, entry_day, spot, levels))
    return out


def _option(leg: Leg, close: pd.DataFrame, idx: int, entry_day: date, spot: float, levels: SurfaceLevels) -> Position:
    from sigma.instruments.occ import OccStyle, OccSymbol, OptionKind, format_occ
    from sigma.instruments.options import bsm

    step = 5.0 if spot >= 100 else 1.0
    strike = max(step, round(spot * leg.strike_pct / step) * step)
    expiry = entry_day + timedelta(days=leg.expiry_days)
    short_yield = close[THREE_MONTH_YIELD].iloc[: idx + 1].dropna()
    rate = float(np.log1p(short_yield.iloc[-1] / 100)) if len(short_yield) else 0.04
    kind = leg.kind.option_kind or "call"
    vol = levels.vol_at(leg.symbol, idx, strike, spot, leg.expiry_days / 365, rate)
    premium = float(np.asarray(bsm(spot, strike, leg.expiry_days / 365, rate, vol, kind).price))
    symbol = format_occ(OccSymbol(leg.symbol, expiry, OptionKind(kind), strike), OccStyle.COMPACT)
    return Position(
        symbol=symbol,
        position_type=leg.kind.value,
        quantity=leg.quantity,
        entry_price=round(max(premium, 0.01), 2),
        entry_date=entry_day,
        underlying=leg.symbol,
        strike=strike,
        expiry=expiry,
        multiplier=float(OPTION_MULTIPLIER),
    )
