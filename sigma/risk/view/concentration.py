"""The concentration view: how concentrated and how diversified a book is, storable on its own.

The numbers are the Risk page's (its sector section, `sigma.risk.view.sector`, embeds them): concentration of
each open position's |exposure| / gross (HHI, effective number, top-1/5/10 shares, band), and
the diversification ratio and average pairwise correlation of the holdings' daily returns over
the last 252 days, pairs with at least `MIN_PAIRS` common returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd

from sigma.risk.concentration import concentration, diversification_of_returns
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import RiskBook

MIN_PAIRS = 60  # common daily returns a pair of holdings needs to count in the diversification numbers


@dataclass(frozen=True)
class ConcentrationView(RiskView):
    """Concentration of the open positions and diversification of the holdings."""

    KIND: ClassVar[str] = "concentration"
    hhi: float
    effective_n: float
    top1: float
    top5: float
    top10: float
    band: str
    diversification_ratio: float
    average_correlation: float
    positions: int  # open positions counted


def concentration_view(book: RiskBook, returns: pd.DataFrame) -> ConcentrationView:
    """Concentration and diversification of a book (`returns`: its holdings' last 252 days)."""
    conc = concentration(book.position_exposures)
    div = diversification_of_returns(book.weights, returns, MIN_PAIRS)
    notes = (f"Left out of diversification (too little history): {', '.join(div.left_out)}.",) if div.left_out else ()
    return ConcentrationView(
        as_of=book.as_of,
        source=book.source,
        hhi=conc.hhi,
        effective_n=conc.effective_n,
        top1=conc.top1,
        top5=conc.top5,
        top10=conc.top10,
        band=str(conc.band),
        diversification_ratio=div.ratio,
        average_correlation=div.average_correlation,
        positions=len(book.position_exposures),
        notes=notes,
    )
