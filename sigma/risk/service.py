"""The risk service: sigma.risk analytics assembled for one portfolio, scoped to the acting user.

Every portfolio method takes the acting user first and checks ownership through the portfolio
service (`PermissionDenied` for someone else's book). Results are frozen views (`sigma.risk.view`)
carrying `as_of` and `source`, storable in `risk_results` by (portfolio, kind, as_of, params_key).
Reads never write: reference data (stress scenarios, style-factor definitions, sector weights)
is seeded by `seed_reference` (`python -m jobs init`), and until then the built-in catalogue
answers. Too little history raises `InsufficientHistory` with advice, never a silent NaN.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import partial
from typing import TypeVar

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.config import Settings
from sigma.conventions import TEN_YEAR_YIELD, VIX
from sigma.errors import InsufficientHistory
from sigma.market.service import MarketService, MarketStatus
from sigma.market.universe import load_universe
from sigma.risk.batch import RiskBatch
from sigma.risk.book import OpenBooks
from sigma.risk.nightly import HISTORY_TRADING_DAYS, start_of
from sigma.risk.scenarios import ScenarioInfo, check_shocks
from sigma.risk.sql import reference as ref
from sigma.risk.sql import results, stored, transactions
from sigma.risk.stress import Scenario, ScenarioKind
from sigma.risk.style import build_style_factors, factor_symbols
from sigma.risk.view import stress as sst
from sigma.risk.view.base import RiskView, Storable
from sigma.risk.view.benchmark import BenchmarkSpec, benchmark_legs, blend
from sigma.risk.view.book import RiskBook, risk_book
from sigma.risk.view.correlation import CorrelationView, PairView, Window, correlation_view, pair_view, window_span
from sigma.risk.view.factors import FACTOR_WINDOW, FactorView, factor_view, fit_factors
from sigma.risk.view.performance import PerformanceView, performance_view
from sigma.risk.view.sector import SectorView, sector_view
from sigma.risk.view.stored import Stored
from sigma.risk.view.stress import StressModel, StressView
from sigma.risk.view.var import VarView, var_view
from sigma.risk.view.volatility import VolView, vol_view

__all__ = [  # the result types pages draw: import them from here, never from sigma.risk.view
    "CorrelationView",
    "FactorView",
    "PairView",
    "PerformanceView",
    "RiskBook",
    "RiskService",
    "SectorView",
    "Stored",
    "StressModel",
    "StressView",
    "VarView",
    "VolView",
]

T = TypeVar("T")
V = TypeVar("V", bound=RiskView)
UTC_NOW: Callable[[], datetime] = partial(datetime.now, UTC)  # the system clock; tests pass their own


class RiskService(RiskBatch):
    """Risk views of a user's portfolio, correlations of any symbols, and the stress catalogue."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        market: MarketService,
        portfolios: OpenBooks,
        settings: Settings,
        now: Callable[[], datetime] = UTC_NOW,
    ) -> None:
        self.sessions, self.market, self.portfolios, self.settings = sessions, market, portfolios, settings
        self._now = now  # stamps computed_at of stored results

    # --- batch (jobs process only) --- books, nightly_books, nightly_inputs, nightly_close, store_many and
    # stored_views: unscoped, never for a page; defined in `sigma.risk.batch.RiskBatch` (the books are
    # opened by `PortfolioService.nightly_opener`, handed over by `sigma.batch.risk_phase`).

    # --- plumbing ------------------------------------------------------------------------------

    def seed_reference(self) -> None:
        """Seed the reference tables from the built-in catalogue (idempotent; `python -m jobs init`)."""
        self._write(ref.seed_reference)

    def _write(self, work: Callable[[Session], T]) -> T:
        return transactions.write(self.sessions, work)

    def _read(self, work: Callable[[Session], T]) -> T:
        return transactions.read(self.sessions, work)

    def _priced_status(self) -> tuple[MarketStatus, date]:
        """The market status and its as-of date, or InsufficientHistory with advice when no prices are stored yet."""
        status = self.market.status()
        if status.as_of is None:
            raise InsufficientHistory("No prices are stored yet. Run: python -m jobs run market_data")
        return status, status.as_of

    def book(self, user: AuthUser, pid: int) -> RiskBook:
        """The user's book on the asset axis, valued once: pass it to every section of one page render."""
        return risk_book(self.portfolios.open_book(user, pid))  # PermissionDenied unless the user owns pid

    def _book(self, user: AuthUser, pid: int, book: RiskBook | None = None) -> RiskBook:
        """`book` when the caller loaded it already (ownership re-checked: one small query), else loaded now."""
        if book is None:
            return self.book(user, pid)
        if book.portfolio_id != pid:
            raise ValueError(f"The book passed is portfolio {book.portfolio_id}, not {pid}.")
        self.portfolios.get_portfolio(user, pid)  # PermissionDenied unless the user owns pid
        return book

    def _returns(self, book: RiskBook, trading_days: int = HISTORY_TRADING_DAYS) -> pd.DataFrame:
        start = start_of(book.as_of, trading_days)
        return self.market.returns_frame(list(book.symbols), start=start, end=book.as_of)

    def _style(self, as_of: date) -> pd.DataFrame:
        definitions = self._read(ref.factor_definitions)
        start = start_of(as_of, HISTORY_TRADING_DAYS)
        close = self.market.close_frame(factor_symbols(definitions), start=start, end=as_of)
        return build_style_factors(close, definitions)

    # --- benchmark and performance -------------------------------------------------------------

    def benchmark_returns(self, spec: BenchmarkSpec = "SPY", start: date | None = None) -> pd.Series:
        """Daily returns of a benchmark spec (named, any known symbol, or custom weights); UnknownSymbol otherwise."""
        label, weights = benchmark_legs(spec)
        self.market.require_known(list(weights))
        return blend(self.market.returns_frame(list(weights), start=start), weights, label)

    def performance(
        self,
        user: AuthUser,
        pid: int,
        benchmark: BenchmarkSpec = "SPY",
        window: str = "1Y",
        book: RiskBook | None = None,
    ) -> PerformanceView:
        """Performance of the book's daily TWR returns and of the benchmark; market, rolling and rate beta."""
        book = self._book(user, pid, book)
        bench = self.benchmark_returns(benchmark)
        tnx = self.market.close_frame([TEN_YEAR_YIELD])[TEN_YEAR_YIELD].diff()
        return performance_view(book, bench, tnx, window, self.settings.risk_free)

    # --- factors, volatility, VaR --------------------------------------------------------------

    def factors(
        self, user: AuthUser, pid: int, method: str = "ols", window: str = "3M", book: RiskBook | None = None
    ) -> FactorView:
        """Style-factor exposures (OLS or ridge) per holding and of the book, risk decomposition, attribution."""
        book = self._book(user, pid, book)
        style = self._style(book.as_of)
        return factor_view(book, self._returns(book), style, method, self.settings.ridge_alpha, window)

    def volatility(self, user: AuthUser, pid: int, book: RiskBook | None = None) -> VolView:
        """Realized, EWMA and HAR volatility of the book's pro forma returns, with the cone."""
        book = self._book(user, pid, book)
        return vol_view(book, self._returns(book))

    def var(self, user: AuthUser, pid: int, method: str = "historical", book: RiskBook | None = None) -> VarView:
        """VaR/CVaR 95/99 %, 1 and 10 days: historical, parametric or Monte Carlo (seeded, options repriced)."""
        book = self._book(user, pid, book)
        returns = self._returns(book)
        fit = None
        if method == "monte_carlo":
            fit = fit_factors(returns, self._style(book.as_of), "ols", self.settings.ridge_alpha)
        return var_view(book, returns, method, fit, self.settings.mc_paths, self.settings.mc_seed)

    # --- stress --------------------------------------------------------------------------------

    def scenarios(self, user: AuthUser | None = None) -> list[ScenarioInfo]:
        """The stress catalogue (the built-in one until `seed_reference` has run)."""
        return list(self._read(ref.scenario_infos))

    def save_scenario(
        self,
        acting: AuthUser,
        name: str,
        shocks: Mapping[str, float],
        description: str = "",
        kind: str = "hypothetical",
        window_start: date | None = None,
        window_end: date | None = None,
    ) -> None:
        """Add or edit a catalogue scenario (admins only); seeds the catalogue first so none is lost."""
        scenario = Scenario(name, dict(shocks), ScenarioKind(kind), description, window_start, window_end)

        def save(session: Session) -> None:
            ref.require_admin(session, acting.id, "add or edit stress scenarios")  # re-read, never trusted
            ref.seed_reference(session)
            ref.save_scenario_row(session, scenario)

        self._write(save)

    def stress_model(self, user: AuthUser, pid: int, book: RiskBook | None = None) -> StressModel:
        """The expensive part of a stress test (cache it per user and portfolio; then `apply` is fast)."""
        book = self._book(user, pid, book)
        definitions = self._read(ref.factor_definitions)
        close = self.market.close_frame(sst.stress_symbols(definitions), end=book.as_of)
        factors = sst.stress_factor_returns(close, definitions)
        vix = float(close[VIX].dropna().iloc[-1])
        return sst.build_model(book, self._returns(book), factors, self.settings.ridge_alpha, vix)

    @staticmethod
    def apply(model: StressModel, scenario: Scenario | Mapping[str, float]) -> StressView:
        """Apply a scenario (or the builder's shocks) to a stress model: pure and fast."""
        if isinstance(scenario, Scenario):
            return sst.apply_scenario(model, scenario, "catalogue shocks")
        check_shocks(scenario)
        return sst.apply_scenario(model, sst.custom(scenario, model.vix_level), "custom shocks")

    def stress(self, user: AuthUser, pid: int, scenario: str | Scenario) -> StressView:
        """P&L of the book under a catalogue scenario (by name) or a Scenario; replayed when its window is stored."""
        model = self.stress_model(user, pid)
        if isinstance(scenario, str):
            name = scenario
            scenario = self._read(lambda s: ref.scenario_by_name(s, name))
        return self.apply(model, scenario)

    def custom_stress(self, user: AuthUser, pid: int, shocks: Mapping[str, float]) -> StressView:
        """The scenario builder: market %, rates bp, oil %, VIX level, any sector or style shock."""
        return self.apply(self.stress_model(user, pid), shocks)

    # --- sectors and correlations ----------------------------------------------------------------

    def sectors(self, user: AuthUser, pid: int, benchmark: str = "SPY", book: RiskBook | None = None) -> SectorView:
        """Sector exposure (ETF look-through) vs a benchmark's weights, concentration, diversification."""
        book = self._book(user, pid, book)
        code = benchmark.strip().upper()
        table, ref_as_of = self._read(ref.look_through)
        weights, bench_as_of = self._read(lambda s: ref.benchmark_weights(s, code))
        returns = self._returns(book, FACTOR_WINDOW)
        return sector_view(book, table, weights, max(ref_as_of, bench_as_of), returns, code)

    def holdings_correlations(
        self, user: AuthUser, pid: int, window: Window = "1Y", method: str = "pearson", book: RiskBook | None = None
    ) -> CorrelationView:
        """Clustered correlation matrix of a portfolio's holdings over a window."""
        return self._correlations(list(self._book(user, pid, book).symbols), window, method)

    def universe_correlations(self, window: Window = "1Y", method: str = "pearson") -> CorrelationView:
        """Clustered correlation matrix of the reference universe (index levels left out)."""
        universe = load_universe()
        return self._correlations(universe.loc[universe["asset_class"] != "index", "symbol"].tolist(), window, method)

    def correlations_of(
        self, symbols: Sequence[str], window: Window = "1Y", method: str = "pearson"
    ) -> CorrelationView:
        """Clustered correlation matrix of typed symbols (UnknownSymbol for any the market does not know)."""
        chosen = list(dict.fromkeys(str(s).strip().upper() for s in symbols if str(s).strip()))
        self.market.require_known(chosen)
        return self._correlations(chosen, window, method)

    def _correlations(self, symbols: list[str], window: Window, method: str) -> CorrelationView:
        status, as_of = self._priced_status()
        label, start, end = window_span(window, as_of)
        returns = self.market.returns_frame(symbols, start=start, end=end)
        return correlation_view(returns, label, start, end, method, end, str(status.source or ""))

    def pair(self, a: str, b: str, window: Window = "1Y") -> PairView:
        """Rolling 60-day correlation of two symbols and both prices rebased to 100."""
        a, b = a.strip().upper(), b.strip().upper()
        self.market.require_known([a, b])
        status, as_of = self._priced_status()
        label, start, end = window_span(window, as_of)
        close = self.market.close_frame([a, b], start=start, end=end)
        return pair_view(close, a, b, label, end, str(status.source or ""))

    # --- stored results ------------------------------------------------------------------------

    def store_result(self, user: AuthUser, pid: int, view: Storable, params_key: str = "") -> None:
        """Upsert a view into risk_results by (portfolio, kind, as_of, params_key)."""
        self.portfolios.get_portfolio(user, pid)
        computed_at = self._now()
        self._write(lambda s: results.store_result(s, pid, view, params_key, computed_at))

    def load_result(self, user: AuthUser, pid: int, cls: type[V], as_of: date, params_key: str = "") -> V | None:
        """A stored view of kind `cls.KIND`, or None when none is stored."""
        self.portfolios.get_portfolio(user, pid)
        payload = self._read(lambda s: results.load_payload(s, pid, cls.KIND, as_of, params_key))
        return None if payload is None else cls.from_payload(payload)

    def latest_stored(self, user: AuthUser, pid: int, cls: type[V], params_key: str = "") -> Stored[V] | None:
        """The newest stored view of kind `cls.KIND` with its dates (one query, scoped), or None when none is stored."""
        row = self._read(lambda s: stored.latest_result(s, user.id, pid, cls.KIND, params_key))
        return None if row is None else Stored(cls.from_payload(row.payload), row.as_of, row.computed_at, row.source)
