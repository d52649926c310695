"""What the Risk and Correlations pages draw: frozen results of `RiskService`, storable as JSON.

Conventions: money in USD; returns, weights, vols and VaR percentages are fractions; sector tilts
are percent points; betas per unit of the factor (rate beta: return per +100 bp). Every view
carries `as_of` (the last price date used) and `source` (live / simulated / csv). Each view
has a `KIND` (the `risk_results.kind` it is stored under), `to_payload()` and `from_payload()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from sigma.risk.stress import Scenario, ScenarioKind
from sigma.risk.var import OptionBook
from sigma.risk.view.payload import decode, encode

V = TypeVar("V", bound="Storable")


class Storable:
    """Mixin: JSON payloads for the `risk_results` table."""

    KIND: ClassVar[str] = ""

    def to_payload(self) -> dict[str, Any]:
        """The view as plain JSON (NaN and dates marked; see `service_payload`)."""
        return dict(encode(self)["fields"])

    @classmethod
    def from_payload(cls: type[V], payload: dict[str, Any]) -> V:
        """The view stored by `to_payload`."""
        view: V = decode({"__dc__": cls.__name__, "fields": payload}, _REGISTRY)
        return view


@dataclass(frozen=True)
class PerformanceView(Storable):
    """Performance of the portfolio's daily TWR returns and of the benchmark over `window`."""

    KIND: ClassVar[str] = "performance"
    as_of: date
    source: str
    benchmark: str
    window: str
    profile: pd.DataFrame  # rows "Portfolio" and the benchmark; columns PROFILE_COLUMNS + note
    market_beta: float  # 252-day OLS vs the benchmark
    rolling_beta: pd.Series  # 60-day, by date
    rate_beta: float  # return per +100 bp of the 10-year yield
    n_obs: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactorView(Storable):
    """Factor exposures per holding and of the portfolio, risk decomposition and return attribution."""

    KIND: ClassVar[str] = "factors"
    as_of: date
    source: str
    method: str
    window: str  # attribution window
    betas: pd.DataFrame  # symbols x factors
    tstats: pd.DataFrame  # symbols x factors
    r2: pd.Series
    portfolio: pd.DataFrame  # index factor; exposure, stderr, ci_low, ci_high, tstat
    total_vol: float  # annualised, fraction of NAV
    factor_vol: float
    specific_vol: float
    factor_share: float
    contributions: pd.DataFrame  # index symbol; weight, marginal, percent (sums to 1)
    factor_contribution: pd.Series  # share of variance per factor (+ specific_share sums to 1)
    attribution: pd.DataFrame  # rows factors + residual + total; exposure, factor_return, contribution
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolView(Storable):
    """Realized, EWMA and HAR volatility of the portfolio's returns, with the volatility cone."""

    KIND: ClassVar[str] = "volatility"
    as_of: date
    source: str
    basis: str  # which return series: pro forma current weights on the stored history
    realized_20: float
    realized_60: float
    ewma: float
    history: pd.DataFrame  # by date: realized_20, realized_60, ewma
    har: pd.Series  # h1, h5, h22 (annualised), percentile (0–100), n_obs
    cone: pd.DataFrame  # index window; min, p25, median, p75, max, current
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class VarView(Storable):
    """VaR and CVaR at 95/99 %, 1 and 10 days, with the P&L distribution for the chart."""

    KIND: ClassVar[str] = "var"
    as_of: date
    source: str
    method: str
    nav: float
    table: pd.DataFrame  # columns method, level, horizon, var, cvar ($, positive losses), var_pct, cvar_pct
    distributions: dict[int, np.ndarray]  # horizon -> P&L sample ($)
    notes: tuple[str, ...] = ()

    def value(self, level: float, horizon: int, column: str = "var") -> float:
        """One number of the table (VaR or CVaR in $)."""
        hit = self.table[(self.table["level"] == level) & (self.table["horizon"] == horizon)]
        return float(hit[column].iloc[0]) if len(hit) else float("nan")


@dataclass(frozen=True)
class ScenarioInfo:
    """A stress scenario of the catalogue (stress_scenarios table)."""

    id: int
    name: str
    kind: str
    description: str
    shocks: dict[str, float]
    window_start: date | None = None
    window_end: date | None = None

    def scenario(self) -> Scenario:
        """The catalogue entry as a `Scenario` for `RiskService.apply`."""
        kind = ScenarioKind(self.kind)
        return Scenario(self.name, dict(self.shocks), kind, self.description, self.window_start, self.window_end)


@dataclass(frozen=True)
class StressView(Storable):
    """P&L of the book under a scenario: per position, per sector and in total ($ and % NAV)."""

    KIND: ClassVar[str] = "stress"
    as_of: date
    source: str
    scenario: str
    basis: str  # "catalogue shocks", "custom shocks" or "historical replay of stored factor returns …"
    positions: pd.DataFrame  # index label; sector, value, pnl, pnl_pct, return
    sectors: pd.DataFrame  # index sector; pnl, pnl_pct
    total: float
    total_pct: float
    factor_moves: pd.Series
    propagated: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class StressModel:
    """The expensive part of a stress test (betas, factor covariance, book), cached by the page."""

    as_of: date
    source: str
    nav: float
    exposures: pd.Series  # linear $ exposure by symbol
    betas: pd.DataFrame  # symbols x stress factors
    factor_cov: pd.DataFrame
    factor_returns: pd.DataFrame  # full stored history, for historical replay
    sectors: pd.Series  # symbol -> sector label
    vix_level: float
    options: OptionBook | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class SectorView(Storable):
    """Sector exposure (ETF look-through) vs a benchmark, concentration and diversification."""

    KIND: ClassVar[str] = "sectors"
    as_of: date
    source: str
    benchmark: str
    reference_as_of: date  # as-of date of the sector reference weights
    exposure: pd.DataFrame  # index sector (or asset class); exposure ($), weight (of NAV)
    tilts: pd.DataFrame  # index GICS sector; portfolio_pp, benchmark_pp, active_pp
    hhi: float
    effective_n: float
    top1: float
    top5: float
    top10: float
    band: str
    diversification_ratio: float
    average_correlation: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorrelationView(Storable):
    """A clustered correlation matrix and the symbols left out, with the reason."""

    KIND: ClassVar[str] = "correlations"
    as_of: date
    source: str
    window: str
    start: date
    end: date
    method: str
    matrix: pd.DataFrame  # symmetric, unit diagonal, clustered order
    dropped: dict[str, str]  # symbol -> reason
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairView(Storable):
    """Two symbols: rolling 60-day correlation and both prices rebased to 100."""

    KIND: ClassVar[str] = "pair"
    as_of: date
    source: str
    a: str
    b: str
    window: str
    correlation: float  # over the whole window
    rolling: pd.Series  # by date
    prices: pd.DataFrame  # by date; columns a, b (first date = 100)
    notes: tuple[str, ...] = ()


_REGISTRY: dict[str, type] = {
    cls.__name__: cls
    for cls in (PerformanceView, FactorView, VolView, VarView, StressView, SectorView, CorrelationView, PairView)
}
