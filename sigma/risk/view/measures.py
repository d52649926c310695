"""Assembling the performance, factor, volatility and VaR views from loaded data (no I/O here).

Conventions: `asset_returns` are simple daily returns (dates x symbols) of the book's asset
axis. The *pro forma* return of the book is Σ wᵢ rᵢ with today's delta-adjusted weights
(exposure / NAV) on the dates where every holding has a return: the series risk is measured
on (volatility, factor exposures), since the book's own snapshot history may be short. The
performance view uses the book's actual daily time-weighted returns instead.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory
from sigma.risk.beta import MARKET_MIN_OBS, market_beta, rate_beta, rolling_beta
from sigma.risk.factors import FactorFit, factor_attribution, factor_exposures, risk_decomposition
from sigma.risk.performance import performance_profile
from sigma.risk.var import VarMethod, value_at_risk
from sigma.risk.view.book import Book
from sigma.risk.view.results import FactorView, PerformanceView, VarView, VolView
from sigma.risk.volatility import ewma_vol, har_forecast, realized_vol, volatility_cone

WINDOWS: dict[str, int | None] = {"1M": 21, "3M": 63, "6M": 126, "1Y": 252, "3Y": 756, "ALL": None}
PORTFOLIO = "Portfolio"
FACTOR_WINDOW, FACTOR_MIN_OBS = 252, 126
VAR_HISTORY = 500  # trading days of history behind historical and parametric VaR
DISTRIBUTION_POINTS = 2_000
CI_Z = 1.96
ADVICE = "Load more history: python -m jobs run market_data"


def window_days(window: str) -> int | None:
    """Trading days of a window label (None: all)."""
    if window not in WINDOWS:
        raise InsufficientHistory(f"Unknown window {window!r}: use one of {', '.join(WINDOWS)}.")
    return WINDOWS[window]


def pro_forma(asset_returns: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Σ wᵢ rᵢ with fixed weights on the dates where every weighted holding has a return."""
    held = weights[weights != 0]
    x = asset_returns.reindex(columns=held.index)
    x = x[np.isfinite(x.to_numpy(dtype=np.float64)).all(axis=1)]
    return (x @ held).rename(PORTFOLIO)


def _need(series: pd.Series, n: int, what: str) -> None:
    if len(series.dropna()) < n:
        raise InsufficientHistory(
            f"{what} needs at least {n} daily returns; the portfolio has {len(series.dropna())}. {ADVICE}"
        )


def performance_view(book: Book, bench: pd.Series, tnx_changes: pd.Series, window: str, rf: float) -> PerformanceView:
    """Performance profile of the book's TWR returns and the benchmark, market and rate beta."""
    days = window_days(window)
    r = book.returns.iloc[-days:] if days else book.returns
    _need(r, MARKET_MIN_OBS, "Performance")
    label = str(bench.name)
    b = bench.reindex(r.index)
    profile = performance_profile(pd.DataFrame({PORTFOLIO: r, label: b}), benchmark=b, rf=rf)
    frame = r.to_frame(PORTFOLIO)
    notes: tuple[str, ...] = ()
    if days is not None and days < MARKET_MIN_OBS:
        notes = (f"{window} holds fewer than {MARKET_MIN_OBS} days: betas use the last 252 days.",)
        frame = book.returns.to_frame(PORTFOLIO)
    beta = float(market_beta(frame, bench)[PORTFOLIO])
    rolling = rolling_beta(frame, bench)[PORTFOLIO].dropna()
    rates = float(rate_beta(frame.iloc[-FACTOR_WINDOW:], tnx_changes)[PORTFOLIO])
    if not (np.isfinite(beta) and np.isfinite(rates)):
        raise InsufficientHistory(
            f"Fewer than {MARKET_MIN_OBS} common days with {label} or the 10-year yield: no beta yet. "
            "Pick a benchmark with a longer history, or load more prices: python -m jobs run market_data"
        )
    return PerformanceView(book.as_of, book.source, label, window, profile, beta, rolling, rates, len(r), notes)


def _portfolio_exposure(fit: FactorFit) -> pd.DataFrame:
    """Exposure of the pro forma book with its standard error and 95 % interval (β ± 1.96·se)."""
    beta, se = fit.betas.loc[PORTFOLIO], fit.stderr.loc[PORTFOLIO]
    frame = pd.DataFrame({"exposure": beta, "stderr": se, "ci_low": beta - CI_Z * se, "ci_high": beta + CI_Z * se})
    frame["tstat"] = fit.tstats.loc[PORTFOLIO]
    return frame


def factor_view(
    book: Book, asset_returns: pd.DataFrame, style: pd.DataFrame, method: str, alpha: float, window: str
) -> FactorView:
    """Exposures per holding and of the book, risk decomposition, factor return attribution."""
    weights = book.weights
    proforma = pro_forma(asset_returns, weights)
    _need(proforma, FACTOR_MIN_OBS, "Factor exposures")
    fit = factor_exposures(asset_returns[list(book.symbols)].assign(**{PORTFOLIO: proforma}), style,
                           method=method, alpha=alpha, window=FACTOR_WINDOW, min_obs=FACTOR_MIN_OBS)  # fmt: skip
    if PORTFOLIO in fit.insufficient:
        raise InsufficientHistory(f"Factor exposures need {FACTOR_MIN_OBS} days where every factor exists. {ADVICE}")
    notes = []
    short = [s for s in fit.insufficient if s != PORTFOLIO]
    if short:
        notes.append(f"Left out of the risk decomposition (too little history): {', '.join(short)}.")
    decomposition = risk_decomposition(weights.drop(short), fit)
    contributions = pd.DataFrame({"weight": weights.drop(short), "marginal": decomposition.marginal,
                                  "percent": decomposition.percent})  # fmt: skip
    days = window_days(window) or len(style)
    start, end = style.index[-min(days, len(style))], style.index[-1]
    attribution = factor_attribution(weights.drop(short), fit.betas, style, start, end, proforma)
    assets = fit.betas.drop(index=PORTFOLIO)
    return FactorView(
        as_of=book.as_of, source=book.source, method=str(fit.method), window=window, betas=assets,
        tstats=fit.tstats.drop(index=PORTFOLIO), r2=fit.r2.drop(index=PORTFOLIO),
        portfolio=_portfolio_exposure(fit), total_vol=decomposition.total_vol, factor_vol=decomposition.factor_vol,
        specific_vol=decomposition.specific_vol, factor_share=decomposition.factor_share,
        contributions=contributions, factor_contribution=decomposition.factor_contribution,
        attribution=attribution, notes=tuple(notes),
    )  # fmt: skip


def vol_view(book: Book, asset_returns: pd.DataFrame) -> VolView:
    """Realized 20/60-day, EWMA and HAR forecasts of the pro forma book, with the volatility cone."""
    proforma = pro_forma(asset_returns, book.weights)
    frame = proforma.to_frame(PORTFOLIO)
    history = pd.DataFrame({
        "realized_20": realized_vol(frame, 20)[PORTFOLIO],
        "realized_60": realized_vol(frame, 60)[PORTFOLIO],
        "ewma": ewma_vol(frame)[PORTFOLIO],
    })  # fmt: skip
    har = pd.Series(har_forecast(frame).loc[PORTFOLIO].drop("note"), dtype=float)
    last = history.iloc[-1]
    basis = f"pro forma: today's weights on {len(proforma)} days of stored returns"
    return VolView(book.as_of, book.source, basis, float(last["realized_20"]), float(last["realized_60"]),
                   float(last["ewma"]), history.dropna(how="all"), har, volatility_cone(proforma))  # fmt: skip


def var_view(
    book: Book, asset_returns: pd.DataFrame, method: str, fit: FactorFit | None, paths: int, seed: int
) -> VarView:
    """VaR/CVaR 95/99, 1- and 10-day, by one method; Monte Carlo on the style-factor model when it covers the book."""
    how = VarMethod(method)
    notes: list[str] = []
    if how is VarMethod.MONTE_CARLO and fit is not None and set(fit.insufficient) & set(book.symbols):
        notes.append("Some holdings lack factor exposures: Monte Carlo uses the sample covariance.")
        fit = None
    result = value_at_risk(
        book.linear, asset_returns[list(book.symbols)].iloc[-VAR_HISTORY:], book.nav, options=book.options,
        method=str(how), n_paths=paths, seed=seed, factor_model=fit if how is VarMethod.MONTE_CARLO else None,
        sample_size=DISTRIBUTION_POINTS,
    )  # fmt: skip
    table = result.table.reset_index()
    dists = {int(h): np.asarray(p, dtype=np.float64) for (m, h), p in result.distributions.items() if m == str(how)}
    return VarView(book.as_of, book.source, str(how), book.nav, table, dists, (*notes, *result.notes))


def annualised(x: float) -> float:
    """A daily standard deviation annualised by √252."""
    return float(x * np.sqrt(TRADING_DAYS))


def start_of(as_of: date, days: int) -> date:
    """A calendar start date that covers `days` trading days before `as_of` (with a margin)."""
    return (pd.Timestamp(as_of) - pd.Timedelta(days=int(days * 1.5) + 10)).date()
