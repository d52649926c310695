"""The risk service: sigma.risk analytics assembled for one portfolio, scoped to the acting user.

Every portfolio method takes the acting user first and checks ownership through the portfolio
service (`PermissionDenied` for someone else's book). Results are frozen views (see
`service_views`) carrying `as_of` and `source`, storable in `risk_results` by
(portfolio, kind, as_of, params_key). Reference data (stress scenarios, style-factor
definitions, sector weights) is seeded into its tables on first use. Too little history raises
`InsufficientHistory` with advice, never a silent NaN. Computation lives in `service_calc`,
`service_stress` and `service_market`; loading the book in `service_book`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from functools import partial
from typing import Any, TypeVar

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.config import Settings
from sigma.conventions import TEN_YEAR_YIELD, VIX
from sigma.db import upsert
from sigma.db.engine import write_transaction
from sigma.db.models import RiskResult
from sigma.errors import InsufficientHistory, PermissionDenied
from sigma.market.service import MarketService
from sigma.portfolio.service import PortfolioService
from sigma.risk.factors import FactorFit, build_style_factors, factor_exposures
from sigma.risk.sql import reference as ref
from sigma.risk.stress import Scenario, ScenarioKind
from sigma.risk.view import market as mkt
from sigma.risk.view import measures as calc
from sigma.risk.view import stress as sst
from sigma.risk.view.book import Book, load_book
from sigma.risk.view.results import (
    CorrelationView,
    FactorView,
    PairView,
    PerformanceView,
    ScenarioInfo,
    SectorView,
    Storable,
    StressModel,
    StressView,
    VarView,
    VolView,
)
from sigma.risk.view.sector import sector_view

V = TypeVar("V", bound=Storable)
UTC_NOW: Callable[[], datetime] = partial(datetime.now, UTC)  # the system clock; tests pass their own
HISTORY_DAYS = 800  # trading days of asset returns loaded for risk (HAR needs 500, VaR 500, factors 252)


class RiskService:
    """Risk views of a user's portfolio, correlations of any symbols, and the stress catalogue."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        market: MarketService,
        portfolios: PortfolioService,
        settings: Settings,
        now: Callable[[], datetime] = UTC_NOW,
    ) -> None:
        self.sessions, self.market, self.portfolios, self.settings = sessions, market, portfolios, settings
        self._now = now  # stamps computed_at of stored results
        self._seeded = False

    # --- plumbing ------------------------------------------------------------------------------

    def _priced_status(self) -> Any:
        """The market status, or InsufficientHistory with advice when no prices are stored yet."""
        status = self.market.status()
        if status.as_of is None:
            raise InsufficientHistory("No prices are stored yet. Run: python -m jobs run market_data")
        return status

    def _write(self, work: Callable[[Session], Any]) -> Any:
        return write_transaction(self.sessions, work)

    def _read(self, work: Callable[[Session], Any]) -> Any:
        self._ensure_reference()
        with self.sessions() as session:
            return work(session)

    def _ensure_reference(self) -> None:
        if not self._seeded:
            self._write(ref.seed_reference)
            self._seeded = True

    def _book(self, user: AuthUser, pid: int) -> Book:
        self.portfolios.get_portfolio(user, pid)  # PermissionDenied unless the user owns pid
        return load_book(self.sessions, self.market, user, pid)

    def _returns(self, symbols: list[str], as_of: date, days: int = HISTORY_DAYS) -> pd.DataFrame:
        return self.market.returns_frame(symbols, start=calc.start_of(as_of, days), end=as_of)

    def _style(self, as_of: date, days: int = HISTORY_DAYS) -> pd.DataFrame:
        definitions = self._read(ref.factor_definitions)
        symbols = sorted({s for _, lo, sh in definitions for s in (lo, sh) if s})
        close = self.market.close_frame(symbols, start=calc.start_of(as_of, days), end=as_of)
        return build_style_factors(close, definitions)

    def _source(self) -> str:
        return str(self.market.status().source or "")

    # --- benchmark and performance -------------------------------------------------------------

    def benchmark_returns(self, spec: mkt.BenchmarkSpec = "SPY", start: date | None = None) -> pd.Series:
        """Daily returns of a benchmark spec (named, any known symbol, or custom weights); UnknownSymbol otherwise."""
        label, weights = mkt.benchmark_legs(spec)
        self.market.require_known(list(weights))
        return mkt.blend(self.market.returns_frame(list(weights), start=start), weights, label)

    def performance(
        self, user: AuthUser, pid: int, benchmark: mkt.BenchmarkSpec = "SPY", window: str = "1Y"
    ) -> PerformanceView:
        """Performance of the book's daily TWR returns and of the benchmark; market, rolling and rate beta."""
        book = self._book(user, pid)
        bench = self.benchmark_returns(benchmark)
        tnx = self.market.close_frame([TEN_YEAR_YIELD])[TEN_YEAR_YIELD].diff()
        return calc.performance_view(book, bench, tnx, window, self.settings.risk_free)

    # --- factors, volatility, VaR --------------------------------------------------------------

    def _fit(self, book: Book, method: str = "ols") -> FactorFit:
        style = self._style(book.as_of)
        returns = self._returns(list(book.symbols), book.as_of)
        return factor_exposures(returns, style, method=method, alpha=self.settings.ridge_alpha,
                                window=calc.FACTOR_WINDOW, min_obs=calc.FACTOR_MIN_OBS)  # fmt: skip

    def factors(self, user: AuthUser, pid: int, method: str = "ols", window: str = "3M") -> FactorView:
        """Style-factor exposures (OLS or ridge) per holding and of the book, risk decomposition, attribution."""
        book = self._book(user, pid)
        returns = self._returns(list(book.symbols), book.as_of)
        return calc.factor_view(book, returns, self._style(book.as_of), method, self.settings.ridge_alpha, window)

    def volatility(self, user: AuthUser, pid: int) -> VolView:
        """Realized, EWMA and HAR volatility of the book's pro forma returns, with the cone."""
        book = self._book(user, pid)
        return calc.vol_view(book, self._returns(list(book.symbols), book.as_of))

    def var(self, user: AuthUser, pid: int, method: str = "historical") -> VarView:
        """VaR/CVaR 95/99 %, 1 and 10 days: historical, parametric or Monte Carlo (seeded, options repriced)."""
        book = self._book(user, pid)
        fit = self._fit(book) if method == "monte_carlo" else None
        returns = self._returns(list(book.symbols), book.as_of)
        return calc.var_view(book, returns, method, fit, self.settings.mc_paths, self.settings.mc_seed)

    # --- stress --------------------------------------------------------------------------------

    def scenarios(self, user: AuthUser | None = None) -> list[ScenarioInfo]:
        """The stress catalogue (seeded from sigma.risk.stress on first use)."""
        return list(self._read(ref.scenario_infos))

    def save_scenario(
        self, acting: AuthUser, name: str, shocks: Mapping[str, float], description: str = "",
        kind: str = "hypothetical", window_start: date | None = None, window_end: date | None = None,
    ) -> None:  # fmt: skip
        """Add or edit a catalogue scenario (admins only)."""
        if not acting.is_admin:
            raise PermissionDenied("Only an admin can add or edit stress scenarios.")
        self._ensure_reference()
        scenario = Scenario(name, dict(shocks), ScenarioKind(kind), description, window_start, window_end)
        self._write(lambda s: ref.save_scenario_row(s, scenario))

    def stress_model(self, user: AuthUser, pid: int) -> StressModel:
        """The expensive part of a stress test (cache it per user and portfolio; then `apply` is fast)."""
        book = self._book(user, pid)
        definitions = self._read(ref.factor_definitions)
        close = self.market.close_frame(sst.stress_symbols(definitions), end=book.as_of)
        factors = sst.stress_factor_returns(close, definitions)
        vix = float(close[VIX].dropna().iloc[-1])
        returns = self._returns(list(book.symbols), book.as_of)
        return sst.build_model(book, returns, factors, self.settings.ridge_alpha, vix)

    @staticmethod
    def apply(model: StressModel, scenario: Scenario | Mapping[str, float]) -> StressView:
        """Apply a scenario (or the builder's shocks) to a stress model: pure and fast."""
        if isinstance(scenario, Scenario):
            return sst.apply_scenario(model, scenario, "catalogue shocks")
        ref.check_shocks(scenario)
        return sst.apply_scenario(model, sst.custom(scenario, model.vix_level), "custom shocks")

    def stress(self, user: AuthUser, pid: int, scenario: str | Scenario) -> StressView:
        """P&L of the book under a catalogue scenario (by name) or a Scenario; replayed when its window is stored."""
        model = self.stress_model(user, pid)
        chosen = self._read(lambda s: ref.scenario_by_name(s, scenario)) if isinstance(scenario, str) else scenario
        return self.apply(model, chosen)

    def custom_stress(self, user: AuthUser, pid: int, shocks: Mapping[str, float]) -> StressView:
        """The scenario builder: market %, rates bp, oil %, VIX level, any sector or style shock."""
        return self.apply(self.stress_model(user, pid), shocks)

    # --- sectors and correlations ----------------------------------------------------------------

    def sectors(self, user: AuthUser, pid: int, benchmark: str = "SPY") -> SectorView:
        """Sector exposure (ETF look-through) vs a benchmark's weights, concentration, diversification."""
        book = self._book(user, pid)
        table, ref_as_of = self._read(ref.look_through)
        weights, bench_as_of = self._read(lambda s: ref.benchmark_weights(s, benchmark.strip().upper()))
        returns = self._returns(list(book.symbols), book.as_of, calc.FACTOR_WINDOW)
        return sector_view(book, table, weights, max(ref_as_of, bench_as_of), returns, benchmark.strip().upper())

    def _selection(self, selection: str | list[str], user: AuthUser | None, pid: int | None) -> list[str]:
        if selection == "holdings":
            if user is None or pid is None:
                raise PermissionDenied("Correlations of holdings need the acting user and a portfolio.")
            return list(self._book(user, pid).symbols)
        if selection == "universe":
            from sigma.market.universe import load_universe

            universe = load_universe()
            return universe.loc[universe["asset_class"] != "index", "symbol"].tolist()
        symbols = list(dict.fromkeys(str(s).strip().upper() for s in selection if str(s).strip()))
        self.market.require_known(symbols)
        return symbols

    def correlations(
        self, selection: str | list[str] = "holdings", user: AuthUser | None = None, pid: int | None = None,
        window: mkt.Window = "1Y", method: str = "pearson",
    ) -> CorrelationView:  # fmt: skip
        """Clustered correlation matrix of holdings, the universe or typed symbols over a window."""
        symbols = self._selection(selection, user, pid)
        status = self._priced_status()
        label, start, end = mkt.window_span(window, status.as_of)
        returns = self.market.returns_frame(symbols, start=start, end=end)
        return mkt.correlation_view(returns, label, start, end, method, end, str(status.source or ""))

    def pair(self, a: str, b: str, window: mkt.Window = "1Y") -> PairView:
        """Rolling 60-day correlation of two symbols and both prices rebased to 100."""
        a, b = a.strip().upper(), b.strip().upper()
        self.market.require_known([a, b])
        status = self._priced_status()
        label, start, end = mkt.window_span(window, status.as_of)
        close = self.market.close_frame([a, b], start=start, end=end)
        return mkt.pair_view(close, a, b, label, end, str(status.source or ""))

    # --- stored results ------------------------------------------------------------------------

    def store_result(self, user: AuthUser, pid: int, view: Storable, params_key: str = "") -> None:
        """Upsert a view into risk_results by (portfolio, kind, as_of, params_key)."""
        self.portfolios.get_portfolio(user, pid)
        row = {"portfolio_id": pid, "kind": view.KIND, "as_of": view.as_of, "params_key": params_key,  # type: ignore[attr-defined]
               "source": view.source, "payload": view.to_payload(), "computed_at": self._now()}  # type: ignore[attr-defined]  # fmt: skip
        key = ("portfolio_id", "kind", "as_of", "params_key")
        self._write(lambda s: upsert(s, RiskResult.__table__, [row], key=key))  # type: ignore[arg-type]

    def load_result(self, user: AuthUser, pid: int, cls: type[V], as_of: date, params_key: str = "") -> V | None:
        """A stored view of kind `cls.KIND`, or None when none is stored."""
        self.portfolios.get_portfolio(user, pid)
        stmt = select(RiskResult.payload).where(
            RiskResult.portfolio_id == pid, RiskResult.kind == cls.KIND, RiskResult.as_of == as_of,
            RiskResult.params_key == params_key,
        )  # fmt: skip
        with self.sessions() as session:
            payload = session.scalar(stmt)
        return None if payload is None else cls.from_payload(payload)
