"""Cached views for the Portfolio, Risk and Correlations pages (caching at the UI edge only).

Every view is `st.cache_data(ttl=TTL)` keyed by the user id, a version (the user's cache
generation and the market's as-of date) and the view's parameters; the user object itself is
passed unhashed (leading underscore) and only used by the service for scoping. The Risk page's
sections share one cached `RiskBook` per (user, version, portfolio): the book is loaded and
valued once, not once per section. A form that changes a book calls `forget_user(user.id)`: the user's
generation moves on, so only that user's cached views are recomputed (other users keep theirs;
the stale entries age out with the TTL). Prices change once a day (the market-data job after the
close), so a short TTL keeps pages quick without hiding a refresh for long. Errors (SigmaError)
are not cached.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from threading import Lock

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.portfolio.model import PortfolioView
from sigma.risk.scenarios import ScenarioInfo
from sigma.risk.service import (
    CorrelationView,
    FactorView,
    PairView,
    PerformanceView,
    RiskBook,
    RiskService,
    SectorView,
    StressModel,
    VarView,
    VolView,
)
from sigma.ui import shell

TTL = 15 * 60
PRICE_DATE_TTL = 30  # a market-data run's new date reaches the cache keys within this many seconds
Window = str | tuple[date, date]  # a window label such as "1Y", or a custom (start, end)
Version = tuple[int, str]  # (the user's cache generation, the market's as-of date)


class Generations:
    """A counter per user id, moved on whenever that user's cached views must be recomputed."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._counts: Counter[int] = Counter()

    def of(self, user_id: int) -> int:
        """The current generation of a user's cached views."""
        with self._lock:
            return self._counts[user_id]

    def bump(self, user_id: int) -> None:
        """Invalidate every cached view of one user."""
        with self._lock:
            self._counts[user_id] += 1


@st.cache_resource
def _generations() -> Generations:
    return Generations()


def forget_user(user_id: int) -> None:
    """Drop the cached risk views of one user (after a change to one of their books)."""
    _generations().bump(user_id)


@st.cache_data(ttl=PRICE_DATE_TTL, show_spinner=False)
def _price_date() -> str:
    """The latest stored price date, looked up at most every PRICE_DATE_TTL seconds (not once per view)."""
    return str(shell.services().market.status().as_of)


def _generation(user: AuthUser) -> Version:
    """The version a user's cached views are keyed by: a book change or a new price date moves it on."""
    return _generations().of(user.id), _price_date()


def service() -> RiskService:
    """The wired risk service."""
    return shell.services().risk


def portfolio_view(user: AuthUser, pid: int, tag: str | None, attribution_days: int) -> PortfolioView:
    """`PortfolioService.view`, cached per user version, portfolio, tag and window."""
    return _portfolio_view(user.id, _generation(user), user, pid, tag, attribution_days)


@st.cache_data(ttl=TTL, show_spinner="Valuing the book…")
def _portfolio_view(
    user_id: int, generation: Version, _user: AuthUser, pid: int, tag: str | None, attribution_days: int
) -> PortfolioView:
    return shell.services().portfolios.view(_user, pid, tag=tag, attribution_days=attribution_days)


@st.cache_data(ttl=TTL, show_spinner="Loading the book…")
def _book(user_id: int, generation: Version, _user: AuthUser, pid: int) -> RiskBook:
    """The book every risk section of one version starts from (loaded once, not once per section)."""
    return service().book(_user, pid)


def performance(user: AuthUser, pid: int, benchmark: str | Mapping[str, float], window: str) -> PerformanceView:
    """`RiskService.performance`; `benchmark` is a spec ("SPY", "SPY:0.7, TLT:0.3") or weights."""
    spec = benchmark if isinstance(benchmark, str) else tuple(sorted(benchmark.items()))
    return _performance(user.id, _generation(user), user, pid, spec, window)


@st.cache_data(ttl=TTL, show_spinner="Computing performance…")
def _performance(
    user_id: int, generation: Version, _user: AuthUser, pid: int, spec: str | tuple[tuple[str, float], ...], window: str
) -> PerformanceView:
    book = _book(user_id, generation, _user, pid)
    return service().performance(_user, pid, spec if isinstance(spec, str) else dict(spec), window, book)


def factors(user: AuthUser, pid: int, method: str, window: str) -> FactorView:
    """`RiskService.factors`."""
    return _factors(user.id, _generation(user), user, pid, method, window)


@st.cache_data(ttl=TTL, show_spinner="Fitting factor exposures…")
def _factors(user_id: int, generation: Version, _user: AuthUser, pid: int, method: str, window: str) -> FactorView:
    return service().factors(_user, pid, method, window, _book(user_id, generation, _user, pid))


def volatility(user: AuthUser, pid: int) -> VolView:
    """`RiskService.volatility`."""
    return _volatility(user.id, _generation(user), user, pid)


@st.cache_data(ttl=TTL, show_spinner="Forecasting volatility…")
def _volatility(user_id: int, generation: Version, _user: AuthUser, pid: int) -> VolView:
    return service().volatility(_user, pid, _book(user_id, generation, _user, pid))


def var(user: AuthUser, pid: int, method: str) -> VarView:
    """`RiskService.var`."""
    return _var(user.id, _generation(user), user, pid, method)


@st.cache_data(ttl=TTL, show_spinner="Computing VaR…")
def _var(user_id: int, generation: Version, _user: AuthUser, pid: int, method: str) -> VarView:
    return service().var(_user, pid, method, _book(user_id, generation, _user, pid))


def scenarios(user: AuthUser) -> list[ScenarioInfo]:
    """The stress catalogue."""
    return _scenarios(user.id, _generation(user))


@st.cache_data(ttl=TTL, show_spinner=False)
def _scenarios(user_id: int, generation: Version) -> list[ScenarioInfo]:
    return service().scenarios()


def stress_model(user: AuthUser, pid: int) -> StressModel:
    """`RiskService.stress_model` (then `RiskService.apply` is instant)."""
    return _stress_model(user.id, _generation(user), user, pid)


@st.cache_data(ttl=TTL, show_spinner="Building the stress model…")
def _stress_model(user_id: int, generation: Version, _user: AuthUser, pid: int) -> StressModel:
    return service().stress_model(_user, pid, _book(user_id, generation, _user, pid))


def sectors(user: AuthUser, pid: int, benchmark: str) -> SectorView:
    """`RiskService.sectors`."""
    return _sectors(user.id, _generation(user), user, pid, benchmark)


@st.cache_data(ttl=TTL, show_spinner="Sector look-through…")
def _sectors(user_id: int, generation: Version, _user: AuthUser, pid: int, benchmark: str) -> SectorView:
    return service().sectors(_user, pid, benchmark, _book(user_id, generation, _user, pid))


def holdings_correlations(user: AuthUser, pid: int, window: Window, method: str) -> CorrelationView:
    """`RiskService.holdings_correlations`."""
    return _holdings_correlations(user.id, _generation(user), user, pid, window, method)


@st.cache_data(ttl=TTL, show_spinner="Computing correlations…")
def _holdings_correlations(
    user_id: int, generation: Version, _user: AuthUser, pid: int, window: Window, method: str
) -> CorrelationView:
    return service().holdings_correlations(_user, pid, window, method, _book(user_id, generation, _user, pid))


@st.cache_data(ttl=TTL, show_spinner="Computing correlations…")
def universe_correlations(window: Window, method: str) -> CorrelationView:
    """Cached `RiskService.universe_correlations` (market data only: not user-specific)."""
    return service().universe_correlations(window, method)


@st.cache_data(ttl=TTL, show_spinner="Computing correlations…")
def correlations_of(symbols: tuple[str, ...], window: Window, method: str) -> CorrelationView:
    """Cached `RiskService.correlations_of` typed symbols (market data only: not user-specific)."""
    return service().correlations_of(symbols, window, method)


@st.cache_data(ttl=TTL, show_spinner=False)
def pair(a: str, b: str, window: Window) -> PairView:
    """Cached `RiskService.pair` (market data only: not user-specific)."""
    return service().pair(a, b, window)
