"""The VaR view: VaR and CVaR at 95/99 %, 1 and 10 days, by one method, with the P&L distributions.

Conventions: $ losses are positive, `var_pct` and `cvar_pct` fractions of NAV (`sigma.risk.var`);
historical and parametric VaR use the last `VAR_HISTORY` days; Monte Carlo draws on the
style-factor model when it covers every holding, else on the sample covariance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from sigma.risk.factors import FactorFit
from sigma.risk.var import VarMethod, value_at_risk
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import RiskBook
from sigma.typing import FloatArray

VAR_HISTORY = 500  # trading days of history behind historical and parametric VaR
DISTRIBUTION_POINTS = 2_000


@dataclass(frozen=True)
class VarView(RiskView):
    """VaR and CVaR at 95/99 %, 1 and 10 days, with the P&L distribution for the chart."""

    KIND: ClassVar[str] = "var"
    method: str
    nav: float
    table: pd.DataFrame  # columns method, level, horizon, var, cvar ($, positive losses), var_pct, cvar_pct
    distributions: dict[int, FloatArray]  # horizon -> P&L sample ($)

    def value(self, level: float, horizon: int, column: str = "var") -> float:
        """One number of the table (VaR or CVaR in $)."""
        hit = self.table[(self.table["level"] == level) & (self.table["horizon"] == horizon)]
        return float(hit[column].iloc[0]) if len(hit) else float("nan")


def var_view(
    book: RiskBook, asset_returns: pd.DataFrame, method: str, fit: FactorFit | None, paths: int, seed: int
) -> VarView:
    """VaR/CVaR 95/99, 1- and 10-day, by one method; Monte Carlo on the style-factor model when it covers the book."""
    how = VarMethod(method)
    notes: list[str] = []
    if how is not VarMethod.MONTE_CARLO:
        fit = None
    elif fit is not None and set(fit.insufficient) & set(book.symbols):
        notes.append("Some holdings lack factor exposures: Monte Carlo uses the sample covariance.")
        fit = None
    result = value_at_risk(
        book.linear,
        asset_returns[list(book.symbols)].iloc[-VAR_HISTORY:],
        book.nav,
        options=book.options,
        method=str(how),
        n_paths=paths,
        seed=seed,
        factor_model=fit,
        sample_size=DISTRIBUTION_POINTS,
    )
    table = result.table.reset_index()
    dists = {int(h): np.asarray(p, dtype=np.float64) for (m, h), p in result.distributions.items() if m == str(how)}
    return VarView(book.as_of, book.source, str(how), book.nav, table, dists, notes=(*notes, *result.notes))
