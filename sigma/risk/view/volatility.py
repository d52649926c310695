"""The volatility view: realized, EWMA and HAR volatility of the book's pro forma returns, with the cone.

Conventions: vols are annualised fractions; the series is the book's pro forma return (today's
weights on stored asset returns, `sigma.risk.view.book.pro_forma`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from sigma.risk.view.base import RiskView
from sigma.risk.view.book import PORTFOLIO, RiskBook, pro_forma
from sigma.risk.volatility import ewma_vol, har_forecast, realized_vol, volatility_cone


@dataclass(frozen=True)
class VolView(RiskView):
    """Realized, EWMA and HAR volatility of the portfolio's returns, with the volatility cone."""

    KIND: ClassVar[str] = "volatility"
    basis: str  # which return series: pro forma current weights on the stored history
    realized_20: float
    realized_60: float
    ewma: float
    history: pd.DataFrame  # by date: realized_20, realized_60, ewma
    har: pd.Series  # h1, h5, h22 (annualised), percentile (0–100), n_obs
    cone: pd.DataFrame  # index window; min, p25, median, p75, max, current


def vol_view(book: RiskBook, asset_returns: pd.DataFrame) -> VolView:
    """Realized 20/60-day, EWMA and HAR forecasts of the pro forma book, with the volatility cone."""
    proforma = pro_forma(asset_returns, book.weights)
    frame = proforma.to_frame(PORTFOLIO)
    history = pd.DataFrame(
        {
            "realized_20": realized_vol(frame, 20)[PORTFOLIO],
            "realized_60": realized_vol(frame, 60)[PORTFOLIO],
            "ewma": ewma_vol(frame)[PORTFOLIO],
        }
    )
    har = pd.Series(har_forecast(frame).loc[PORTFOLIO].drop("note"), dtype=float)
    last = history.iloc[-1]
    return VolView(
        book.as_of,
        book.source,
        f"pro forma: today's weights on {len(proforma)} days of stored returns",
        float(last["realized_20"]),
        float(last["realized_60"]),
        float(last["ewma"]),
        history.dropna(how="all"),
        har,
        volatility_cone(proforma),
    )
