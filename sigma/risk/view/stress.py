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

import pandas as pd

from sigma.conventions import TEN_YEAR_YIELD, VIX
from sigma.market.universe import SECTOR_ETFS
from sigma.risk.factors import FactorDefinition, build_style_factors, factor_exposures
from sigma.risk.stress import Scenario, ScenarioKind, historical_replay, run_scenario
from sigma.risk.view.book import Book
from sigma.risk.view.results import StressModel, StressView

FACTOR_ETFS = {"market": "SPY", "oil": "USO", "gold": "GLD", **{f"sector:{s}": e for s, e in SECTOR_ETFS.items()}}
STRESS_WINDOW, STRESS_MIN_OBS = 252, 126
NON_EQUITY = {"bond_etf": "Bonds", "commodity_etf": "Commodities", "crypto_etf": "Crypto", "cash_etf": "Cash",
              "etf": "Broad & style ETFs", "reit_etf": "Real Estate"}  # fmt: skip


def stress_symbols(definitions: Sequence[FactorDefinition]) -> list[str]:
    """Every symbol the stress factors are built from."""
    styles = {s for _, lo, sh in definitions for s in (lo, sh) if s}
    return sorted({*FACTOR_ETFS.values(), *styles, TEN_YEAR_YIELD, VIX})


def stress_factor_returns(close: pd.DataFrame, definitions: Sequence[FactorDefinition]) -> pd.DataFrame:
    """Daily stress-factor moves from closes (dates x symbols): returns, yield and VIX changes."""
    returns = close.pct_change(fill_method=None).iloc[1:]
    changes = close[[TEN_YEAR_YIELD, VIX]].diff().iloc[1:]
    styles = build_style_factors(returns, definitions, from_close=False)
    out = {name: returns[symbol] for name, symbol in FACTOR_ETFS.items()}
    out |= {"rates": changes[TEN_YEAR_YIELD], "vix": changes[VIX]}
    out |= {f"style:{n}": styles[n] for n, _, short in definitions if short}
    return pd.DataFrame(out, index=returns.index)


def _sector_labels(book: Book) -> pd.Series:
    """Sector per symbol, or an asset-class label for funds and non-equities."""
    labels = book.sectors.astype(object).where(book.sectors.notna(), book.asset_classes.map(NON_EQUITY))
    return labels.fillna("Unclassified")


def _betas(asset_returns: pd.DataFrame, factors: pd.DataFrame, alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ridge betas (factor ETFs exact) and the factors' daily covariance over the fit window."""
    fit = factor_exposures(asset_returns, factors, method="ridge", alpha=alpha, window=STRESS_WINDOW,
                           min_obs=STRESS_MIN_OBS)  # fmt: skip
    betas = fit.betas.copy()
    for factor, etf in FACTOR_ETFS.items():  # a dozen factor ETFs: set their rows to unit vectors
        if etf in betas.index:
            betas.loc[etf] = 0.0
            betas.loc[etf, factor] = 1.0
    return betas, fit.factor_cov


def build_model(
    book: Book, asset_returns: pd.DataFrame, factors: pd.DataFrame, alpha: float, vix: float
) -> StressModel:
    """The cacheable stress model of a book."""
    symbols = list(book.symbols)
    betas, cov = _betas(asset_returns.reindex(columns=symbols), factors, alpha)
    missing = [s for s in symbols if betas.loc[s].isna().any()]
    notes = (f"No betas for {', '.join(missing)} (too little history): they move only if they are a factor ETF.",)
    return StressModel(
        as_of=book.as_of, source=book.source, nav=book.nav, exposures=book.linear, betas=betas, factor_cov=cov,
        factor_returns=factors, sectors=_sector_labels(book), vix_level=vix, options=book.options,
        notes=notes if missing else (),
    )  # fmt: skip


def _replayable(model: StressModel, scenario: Scenario) -> bool:
    idx = model.factor_returns.index
    start, end = scenario.window_start, scenario.window_end
    return (scenario.kind is ScenarioKind.HISTORICAL and start is not None and end is not None and len(idx) > 0
            and idx[0] <= pd.Timestamp(start) and pd.Timestamp(end) <= idx[-1])  # fmt: skip


def apply_scenario(model: StressModel, scenario: Scenario, basis: str, replay: bool = True) -> StressView:
    """P&L of the modelled book under a scenario (replayed on stored factor returns when its window is stored)."""
    notes = list(model.notes)
    if replay and _replayable(model, scenario):
        scenario = historical_replay(model.factor_returns, scenario.window_start, scenario.window_end, scenario.name)  # type: ignore[arg-type]
        span = f"{scenario.window_start} – {scenario.window_end}"
        basis = f"historical replay of stored ({model.source}) factor returns {span}"
    if "credit_bp" in scenario.shocks:
        notes.append("Credit spreads are not modelled: the credit shock moves no position.")
    result = run_scenario(scenario, model.exposures, model.betas, model.nav, factor_cov=model.factor_cov,
                          options=model.options, sectors=model.sectors, vix_level=model.vix_level)  # fmt: skip
    return StressView(model.as_of, model.source, scenario.name, basis, result.positions, result.sectors,
                      result.total, result.total_pct, result.factor_moves, result.propagated, tuple(notes))  # fmt: skip


def custom(shocks: Mapping[str, float], vix_level: float) -> Scenario:
    """A scenario from the builder's shocks.

    Zero shocks, and a VIX level within half a point of today's (the builder's slider moves in
    whole points), are dropped: a factor that is not shocked moves by its conditional
    expectation instead of being pinned at zero.
    """
    kept = {k: float(v) for k, v in shocks.items() if v != 0.0 and not (k == "vix" and abs(v - vix_level) < 0.5)}
    return Scenario("Custom scenario", kept)
