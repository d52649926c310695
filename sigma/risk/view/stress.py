"""The stress model of a book (betas on the stress factors, factor covariance) and applying a scenario to it.

Stress factors (units of `sigma.risk.stress`): market = SPY return; rates = daily change of the
10-year yield (^TNX, percent points); oil = USO, gold = GLD returns; vix = daily change of the
VIX level (points); "sector:<GICS>" = the sector SPDR's return; "style:<name>" = the style
spreads of `factor_definitions` (Market excluded: it is "market"). Each holding's betas are a
ridge fit (standardized factors, alpha from settings) on the last 252 days, since sector and
market returns are collinear. An ETF that *is* a factor (SPY, USO, GLD, the sector SPDRs) gets
beta 1 on its factor and 0 elsewhere, so a market-only shock moves SPY by exactly the shock.
The factor covariance (for propagating unshocked factors) is the daily sample covariance of
the same 252 days. Credit is not modelled: a credit shock moves nothing and the view says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from sigma.conventions import SECTOR_ETFS, TEN_YEAR_YIELD, VIX
from sigma.risk.factors import factor_exposures
from sigma.risk.option_book import OptionBook
from sigma.risk.sector import holding_labels
from sigma.risk.stress import (
    Scenario,
    ScenarioKind,
    StressResult,
    factor_shocks,
    historical_replay,
    run_scenarios,
)
from sigma.risk.style import FactorSpec, factor_symbols, style_factors
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import RiskBook

FACTOR_ETFS = {"market": "SPY", "oil": "USO", "gold": "GLD", **{f"sector:{s}": e for s, e in SECTOR_ETFS.items()}}
STRESS_WINDOW, STRESS_MIN_OBS = 252, 126


@dataclass(frozen=True)
class StressView(RiskView):
    """P&L of the book under a scenario: per position, per sector and in total ($ and % NAV)."""

    KIND: ClassVar[str] = "stress"
    scenario: str
    basis: str  # "catalogue shocks", "custom shocks" or "historical replay of stored factor returns …"
    positions: pd.DataFrame  # index label; sector, value, pnl, pnl_pct, return
    sectors: pd.DataFrame  # index sector; pnl, pnl_pct
    total: float
    total_pct: float
    factor_moves: pd.Series
    propagated: tuple[str, ...] = ()


@dataclass(frozen=True)
class StressModel(RiskView):
    """The expensive part of a stress test (betas, factor covariance, book), cached by the page; not stored."""

    nav: float
    exposures: pd.Series  # linear $ exposure by symbol
    betas: pd.DataFrame  # symbols x stress factors
    factor_cov: pd.DataFrame
    factor_returns: pd.DataFrame  # full stored history, for historical replay
    sectors: pd.Series  # symbol -> sector label
    vix_level: float
    options: OptionBook | None = None


def stress_symbols(definitions: Sequence[FactorSpec]) -> list[str]:
    """Every symbol the stress factors are built from."""
    return sorted({*FACTOR_ETFS.values(), *factor_symbols(definitions), TEN_YEAR_YIELD, VIX})


def stress_factor_returns(close: pd.DataFrame, definitions: Sequence[FactorSpec]) -> pd.DataFrame:
    """Daily stress-factor moves from closes (dates x symbols): returns, yield and VIX changes."""
    returns = close.pct_change(fill_method=None).iloc[1:]
    changes = close[[TEN_YEAR_YIELD, VIX]].diff().iloc[1:]
    styles = style_factors(returns, definitions)
    out = {name: returns[symbol] for name, symbol in FACTOR_ETFS.items()}
    out |= {"rates": changes[TEN_YEAR_YIELD], "vix": changes[VIX]}
    out |= {f"style:{n}": styles[n] for n, _, short in definitions if short}
    return pd.DataFrame(out, index=returns.index)


def _sector_labels(book: RiskBook) -> pd.Series:
    """Sector per symbol, or an asset-class label for funds and non-equities."""
    return holding_labels(book.sectors, book.asset_classes, missing="Unclassified")


def _betas(asset_returns: pd.DataFrame, factors: pd.DataFrame, alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ridge betas (factor ETFs exact) and the factors' daily covariance over the fit window."""
    fit = factor_exposures(
        asset_returns, factors, method="ridge", alpha=alpha, window=STRESS_WINDOW, min_obs=STRESS_MIN_OBS
    )
    betas = fit.betas.copy()
    for factor, etf in FACTOR_ETFS.items():  # a dozen factor ETFs: set their rows to unit vectors
        if etf in betas.index:
            betas.loc[etf] = 0.0
            betas.loc[etf, factor] = 1.0
    return betas, fit.factor_cov


def build_model(
    book: RiskBook, asset_returns: pd.DataFrame, factors: pd.DataFrame, alpha: float, vix: float
) -> StressModel:
    """The cacheable stress model of a book."""
    symbols = list(book.symbols)
    betas, cov = _betas(asset_returns.reindex(columns=symbols), factors, alpha)
    missing = [s for s in symbols if betas.loc[s].isna().any()]
    notes = (f"No betas for {', '.join(missing)} (too little history): they move only if they are a factor ETF.",)
    return StressModel(
        as_of=book.as_of,
        source=book.source,
        nav=book.nav,
        exposures=book.linear,
        betas=betas,
        factor_cov=cov,
        factor_returns=factors,
        sectors=_sector_labels(book),
        vix_level=vix,
        options=book.options,
        notes=notes if missing else (),
    )


def _replayable(model: StressModel, scenario: Scenario) -> bool:
    idx = model.factor_returns.index
    start, end = scenario.window_start, scenario.window_end
    return (
        scenario.kind is ScenarioKind.HISTORICAL
        and start is not None
        and end is not None
        and len(idx) > 0
        and idx[0] <= pd.Timestamp(start)
        and pd.Timestamp(end) <= idx[-1]
    )


def _prepared(
    model: StressModel, scenario: Scenario, basis: str, replay: bool
) -> tuple[Scenario, str, tuple[str, ...]]:
    """The scenario as it is applied (replayed on stored factor returns when its window is stored), its basis, notes."""
    notes = list(model.notes)
    if replay and _replayable(model, scenario):
        scenario = historical_replay(model.factor_returns, scenario.window_start, scenario.window_end, scenario.name)  # type: ignore[arg-type]
        span = f"{scenario.window_start} – {scenario.window_end}"
        basis = f"historical replay of stored ({model.source}) factor returns {span}"
    if "credit_bp" in scenario.shocks:
        notes.append("Credit spreads are not modelled: the credit shock moves no position.")
    factor_shocks(scenario, model.vix_level)  # a scenario that cannot be applied fails here, alone
    return scenario, basis, tuple(notes)


def _view(model: StressModel, basis: str, notes: tuple[str, ...], result: StressResult) -> StressView:
    return StressView(
        model.as_of,
        model.source,
        result.scenario,
        basis,
        result.positions,
        result.sectors,
        result.total,
        result.total_pct,
        result.factor_moves,
        result.propagated,
        notes=notes,
    )


def apply_scenario(model: StressModel, scenario: Scenario, basis: str, replay: bool = True) -> StressView:
    """P&L of the modelled book under a scenario (replayed on stored factor returns when its window is stored)."""
    outcome = apply_scenarios(model, [scenario], basis, replay)[0]
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def apply_scenarios(
    model: StressModel, scenarios: Sequence[Scenario], basis: str, replay: bool = True
) -> list[StressView | Exception]:
    """`apply_scenario` of each scenario, in order, with one vectorised repricing of the book for all of
    them (`stress.run_scenarios`); a scenario that cannot be applied is its exception, the others are views."""
    prepared: list[tuple[Scenario, str, tuple[str, ...]] | Exception] = []
    for scenario in scenarios:
        try:
            prepared.append(_prepared(model, scenario, basis, replay))
        except Exception as exc:  # e.g. a replay window that is not stored: that scenario alone fails
            prepared.append(exc)
    ready = [p[0] for p in prepared if not isinstance(p, Exception)]
    m = model
    try:
        done = run_scenarios(
            ready,
            m.exposures,
            m.betas,
            m.nav,
            factor_cov=m.factor_cov,
            options=m.options,
            sectors=m.sectors,
            vix_level=m.vix_level,
        )
    except Exception as exc:  # the book itself cannot be stressed (NAV <= 0): every scenario fails with it
        return [p if isinstance(p, Exception) else exc for p in prepared]
    results = iter(done)
    return [p if isinstance(p, Exception) else _view(model, p[1], p[2], next(results)) for p in prepared]


def custom(shocks: Mapping[str, float], vix_level: float) -> Scenario:
    """A scenario from the builder's shocks.

    Zero shocks, and a VIX level within half a point of today's (the builder's slider moves in
    whole points), are dropped: a factor that is not shocked moves by its conditional
    expectation instead of being pinned at zero.
    """
    kept = {k: float(v) for k, v in shocks.items() if v != 0.0 and not (k == "vix" and abs(v - vix_level) < 0.5)}
    return Scenario("Custom scenario", kept)
