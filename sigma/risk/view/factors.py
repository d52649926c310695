"""The factor view: style-factor exposures per holding and of the book, risk decomposition, attribution.

Conventions: exposures are fitted on the book's *pro forma* returns (today's delta-adjusted
weights on stored asset returns, `sigma.risk.view.book.pro_forma`) over the last
`FACTOR_WINDOW` days, at least `FACTOR_MIN_OBS`; the book's interval is β ± 1.96·se. Vols are
annualised fractions of NAV; the attribution window is a label of `sigma.conventions.WINDOWS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from sigma.errors import InsufficientHistory
from sigma.risk.factors import FactorFit, factor_attribution, factor_exposures, risk_decomposition
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import ADVICE, PORTFOLIO, RiskBook, pro_forma, require_returns
from sigma.risk.view.performance import window_days

FACTOR_WINDOW, FACTOR_MIN_OBS = 252, 126
CI_Z = 1.96


@dataclass(frozen=True)
class FactorView(RiskView):
    """Factor exposures per holding and of the portfolio, risk decomposition and return attribution."""

    KIND: ClassVar[str] = "factors"
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


def fit_factors(returns: pd.DataFrame, style: pd.DataFrame, method: str, alpha: float) -> FactorFit:
    """Style-factor exposures over the factor window (the fit Monte Carlo VaR and the factor view share)."""
    return factor_exposures(returns, style, method=method, alpha=alpha, window=FACTOR_WINDOW, min_obs=FACTOR_MIN_OBS)


def _portfolio_exposure(fit: FactorFit) -> pd.DataFrame:
    """Exposure of the pro forma book with its standard error and 95 % interval (β ± 1.96·se)."""
    beta, se = fit.betas.loc[PORTFOLIO], fit.stderr.loc[PORTFOLIO]
    frame = pd.DataFrame({"exposure": beta, "stderr": se, "ci_low": beta - CI_Z * se, "ci_high": beta + CI_Z * se})
    frame["tstat"] = fit.tstats.loc[PORTFOLIO]
    return frame


def _book_fit(
    book: RiskBook, asset_returns: pd.DataFrame, style: pd.DataFrame, method: str, alpha: float
) -> tuple[FactorFit, pd.Series]:
    """The fit of every holding and of the pro forma book, and the pro forma returns; InsufficientHistory without."""
    proforma = pro_forma(asset_returns, book.weights)
    require_returns(proforma, FACTOR_MIN_OBS, "Factor exposures")
    fit = fit_factors(asset_returns[list(book.symbols)].assign(**{PORTFOLIO: proforma}), style, method, alpha)
    if PORTFOLIO in fit.insufficient:
        raise InsufficientHistory(f"Factor exposures need {FACTOR_MIN_OBS} days where every factor exists. {ADVICE}")
    return fit, proforma


def factor_view(
    book: RiskBook, asset_returns: pd.DataFrame, style: pd.DataFrame, method: str, alpha: float, window: str
) -> FactorView:
    """Exposures per holding and of the book, risk decomposition, factor return attribution."""
    fit, proforma = _book_fit(book, asset_returns, style, method, alpha)
    short = [s for s in fit.insufficient if s != PORTFOLIO]
    notes = (f"Left out of the risk decomposition (too little history): {', '.join(short)}.",) if short else ()
    weights = book.weights.drop(short)
    decomposition = risk_decomposition(weights, fit)
    contributions = pd.DataFrame(
        {"weight": weights, "marginal": decomposition.marginal, "percent": decomposition.percent}
    )
    days = window_days(window) or len(style)
    start, end = style.index[-min(days, len(style))], style.index[-1]
    return FactorView(
        as_of=book.as_of,
        source=book.source,
        method=str(fit.method),
        window=window,
        betas=fit.betas.drop(index=PORTFOLIO),
        tstats=fit.tstats.drop(index=PORTFOLIO),
        r2=fit.r2.drop(index=PORTFOLIO),
        portfolio=_portfolio_exposure(fit),
        total_vol=decomposition.total_vol,
        factor_vol=decomposition.factor_vol,
        specific_vol=decomposition.specific_vol,
        factor_share=decomposition.factor_share,
        contributions=contributions,
        factor_contribution=decomposition.factor_contribution,
        attribution=factor_attribution(weights, fit.betas, style, start, end, proforma),
        notes=notes,
    )
