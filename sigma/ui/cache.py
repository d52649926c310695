"""Cached views for the Portfolio, Risk and Correlations pages (caching at the UI edge only).

Every view is cached with `ttl=TTL`, keyed by the user id, a version (the user's cache
generation and the market's as-of date) and the view's parameters; the user object itself is
passed unhashed (leading underscore) and only used by the service for scoping. The Risk page's
sections share one cached `RiskBook` per (user, version, portfolio): the book is loaded and
valued once, not once per section. A form that changes a book calls `forget_user(user.id)`: the user's
generation moves on, so only that user's cached views are recomputed (other users keep theirs;
the stale entries age out with the TTL). Prices change once a day (the market-data job after the
close), so a short TTL keeps pages quick without hiding a refresh for long. Errors (SigmaError)
are not cached.

The views of the Portfolio and Risk pages are shared objects (`st.cache_resource`, no copy per
render: unpickling a 2,000-position view cost ~40 ms of every warm render); pages never change a
view or a figure they are given. Figures are memoised too (`chart`): every view these wrappers
return is stamped with the key it was served under, and `chart(view, label, build, *args)` builds
a figure once per (that key, label) and shares it until the key moves on: a warm render no longer
rebuilds plotly figures. The stress section's scenario results are cached like the views
(`stress`), so picking a scenario applies it once per book version.
"""

from __future__ import annotations

import weakref
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from datetime import date
from threading import Lock
from typing import Any, TypeVar

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
    StressView,
    VarView,
    VolView,
)
from sigma.ui import shell

TTL = 15 * 60
PRICE_DATE_TTL = 30  # a market-data run's new date reaches the cache keys within this many seconds
Window = str | tuple[date, date]  # a window label such as "1Y", or a custom (start, end)
Version = tuple[int, str]  # (the user's cache generation, the market's as-of date)
CHART_ENTRIES = 512  # memoised figures kept (a page draws about ten per book and parameters)
VIEW_ENTRIES = 256  # shared views kept per kind
V = TypeVar("V")
_stamps: dict[int, Hashable] = {}  # id(view) -> the cache key it was served under (while it lives)


def _stamped(view: V, *key: Hashable) -> V:
    """`view`, remembered with the cache key it was served under (so `chart` can memoise its figures).

    The stamp lives as long as the view (a new copy of a cached view is stamped afresh); a value that
    cannot be weakly referenced is not stamped, and its figures are then drawn afresh.
    """
    if id(view) not in _stamps:
        try:
            weakref.finalize(view, _stamps.pop, id(view), None)
        except TypeError:
            return view
        _stamps[id(view)] = key
    return view


def chart(view: object, label: Hashable, build: Callable[..., V], *args: Any) -> V:
    """`build(*args)`, memoised per (the key `view` was served under, `label`, `build`).

    Only for a figure built from `view` alone, `label` naming what of it (and which widget values)
    the arguments are. The figure is shared between sessions: never change it afterwards. A view
    not served by this module is drawn afresh.
    """
    key = _stamps.get(id(view))
    if key is None:
        return build(*args)
    return _chart((key, label, build.__module__, build.__qualname__), build, args)  # type: ignore[no-any-return]


@st.cache_resource(ttl=TTL, max_entries=CHART_ENTRIES, show_spinner=False)
def _chart(key: Hashable, _build: Callable[..., Any], _args: tuple[Any, ...]) -> Any:
    return _build(*_args)


def forget_shared() -> None:
    """Drop every shared view and memoised figure (what `st.cache_data.clear()` does not reach)."""
    views = (_portfolio_view, _performance, _factors, _volatility, _var, _stress_model, _stress, _sectors)
    for cached in (_chart, *views, *BESIDE):
        cached.clear()


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


version, stamped = _generation, _stamped  # for the stored-view cache beside this module (sigma.ui.risk.stored)
BESIDE: list[Any] = []  # shared caches kept beside this module (sigma.ui.risk.stored): `forget_shared` drops them too


def service() -> RiskService:
    """The wired risk service."""
    return shell.services().risk


def portfolio_view(user: AuthUser, pid: int, tag: str | None, attribution_days: int) -> PortfolioView:
    """`PortfolioService.view`, cached per user version, portfolio, tag and window."""
    version = _generation(user)
    view = _portfolio_view(user.id, version, user, pid, tag, attribution_days)
    return _stamped(view, "portfolio", user.id, version, pid, tag, attribution_days)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Valuing the book…")
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
    version = _generation(user)
    view = _performance(user.id, version, user, pid, spec, window)
    return _stamped(view, "performance", user.id, version, pid, spec, window)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Computing performance…")
def _performance(
    user_id: int, generation: Version, _user: AuthUser, pid: int, spec: str | tuple[tuple[str, float], ...], window: str
) -> PerformanceView:
    book = _book(user_id, generation, _user, pid)
    return service().performance(_user, pid, spec if isinstance(spec, str) else dict(spec), window, book)


def factors(user: AuthUser, pid: int, method: str, window: str) -> FactorView:
    """`RiskService.factors`."""
    version = _generation(user)
    view = _factors(user.id, version, user, pid, method, window)
    return _stamped(view, "factors", user.id, version, pid, method, window)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Fitting factor exposures…")
def _factors(user_id: int, generation: Version, _user: AuthUser, pid: int, method: str, window: str) -> FactorView:
    return service().factors(_user, pid, method, window, _book(user_id, generation, _user, pid))


def volatility(user: AuthUser, pid: int) -> VolView:
    """`RiskService.volatility`."""
    version = _generation(user)
    return _stamped(_volatility(user.id, version, user, pid), "volatility", user.id, version, pid)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Forecasting volatility…")
def _volatility(user_id: int, generation: Version, _user: AuthUser, pid: int) -> VolView:
    return service().volatility(_user, pid, _book(user_id, generation, _user, pid))


def var(user: AuthUser, pid: int, method: str) -> VarView:
    """`RiskService.var`."""
    version = _generation(user)
    return _stamped(_var(user.id, version, user, pid, method), "var", user.id, version, pid, method)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Computing VaR…")
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


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Building the stress model…")
def _stress_model(user_id: int, generation: Version, _user: AuthUser, pid: int) -> StressModel:
    return service().stress_model(_user, pid, _book(user_id, generation, _user, pid))


def stress(user: AuthUser, pid: int, scenario: str | Mapping[str, float]) -> StressView:
    """`RiskService.apply` of a catalogue scenario (by name) or of the builder's shocks, cached per book version."""
    spec = scenario if isinstance(scenario, str) else tuple(sorted(scenario.items()))
    version = _generation(user)
    return _stamped(_stress(user.id, version, user, pid, spec), "stress", user.id, version, pid, spec)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Applying the scenario…")
def _stress(
    user_id: int, generation: Version, _user: AuthUser, pid: int, spec: str | tuple[tuple[str, float], ...]
) -> StressView:
    model = _stress_model(user_id, generation, _user, pid)
    if isinstance(spec, str):
        catalogue = {s.name: s for s in _scenarios(user_id, generation)}
        return service().apply(model, catalogue[spec].scenario())
    return service().apply(model, dict(spec))


def sectors(user: AuthUser, pid: int, benchmark: str) -> SectorView:
    """`RiskService.sectors`."""
    version = _generation(user)
    return _stamped(_sectors(user.id, version, user, pid, benchmark), "sectors", user.id, version, pid, benchmark)


@st.cache_resource(ttl=TTL, max_entries=VIEW_ENTRIES, show_spinner="Sector look-through…")
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
