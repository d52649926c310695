"""Cached risk views for the Risk and Correlations pages (caching at the UI edge only).

Every wrapper is `st.cache_data(ttl=TTL)` keyed by the user id and the view's parameters; the
user object itself is passed unhashed (leading underscore) and only used by the service for
scoping. Prices change once a day (the market-data job after the close), so a short TTL keeps
pages quick without hiding a refresh for long. Errors (SigmaError) are not cached.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.risk.service import RiskService
from sigma.risk.view.results import (
    CorrelationView,
    FactorView,
    PairView,
    PerformanceView,
    ScenarioInfo,
    SectorView,
    StressModel,
    VarView,
    VolView,
)
from sigma.ui import shell

TTL = 15 * 60
Benchmark = str | tuple[tuple[str, float], ...]  # a spec, "SPY:0.7, TLT:0.3", or weights as (symbol, weight) pairs


def service() -> RiskService:
    """The wired risk service."""
    return shell.services().risk


@st.cache_data(ttl=TTL, show_spinner="Computing performance…")
def performance(user_id: int, _user: AuthUser, pid: int, benchmark: Benchmark, window: str) -> PerformanceView:
    """Cached `RiskService.performance`."""
    spec = dict(benchmark) if isinstance(benchmark, tuple) else benchmark
    return service().performance(_user, pid, spec, window)


@st.cache_data(ttl=TTL, show_spinner="Fitting factor exposures…")
def factors(user_id: int, _user: AuthUser, pid: int, method: str, window: str) -> FactorView:
    """Cached `RiskService.factors`."""
    return service().factors(_user, pid, method, window)


@st.cache_data(ttl=TTL, show_spinner="Forecasting volatility…")
def volatility(user_id: int, _user: AuthUser, pid: int) -> VolView:
    """Cached `RiskService.volatility`."""
    return service().volatility(_user, pid)


@st.cache_data(ttl=TTL, show_spinner="Computing VaR…")
def var(user_id: int, _user: AuthUser, pid: int, method: str) -> VarView:
    """Cached `RiskService.var`."""
    return service().var(_user, pid, method)


@st.cache_data(ttl=TTL, show_spinner=False)
def scenarios(user_id: int) -> list[ScenarioInfo]:
    """Cached stress catalogue."""
    return service().scenarios()


@st.cache_data(ttl=TTL, show_spinner="Building the stress model…")
def stress_model(user_id: int, _user: AuthUser, pid: int) -> StressModel:
    """Cached `RiskService.stress_model` (then `RiskService.apply` is instant)."""
    return service().stress_model(_user, pid)


@st.cache_data(ttl=TTL, show_spinner="Sector look-through…")
def sectors(user_id: int, _user: AuthUser, pid: int, benchmark: str) -> SectorView:
    """Cached `RiskService.sectors`."""
    return service().sectors(_user, pid, benchmark)


@st.cache_data(ttl=TTL, show_spinner="Computing correlations…")
def correlations(
    user_id: int, _user: AuthUser, pid: int | None, selection: str | tuple[str, ...],
    window: str | tuple[date, date], method: str,
) -> CorrelationView:  # fmt: skip
    """Cached `RiskService.correlations`."""
    chosen = list(selection) if isinstance(selection, tuple) else selection
    return service().correlations(chosen, _user, pid, window, method)


@st.cache_data(ttl=TTL, show_spinner=False)
def pair(a: str, b: str, window: str | tuple[date, date]) -> PairView:
    """Cached `RiskService.pair` (market data only: not user-specific)."""
    return service().pair(a, b, window)
