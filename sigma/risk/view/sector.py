"""The sector view of a book: ETF look-through exposure, tilts vs a benchmark, concentration, diversification.

Conventions (`sigma.risk.sector`): exposures are delta-adjusted $; sector weights are fractions of
NAV, tilts percent points of the equity sleeve. Concentration uses each open position's |exposure|
/ gross (as the Portfolio page's health score does). The diversification ratio and average
correlation use the holdings' (by symbol) daily covariance over the last 252 days, pairs with at
least 60 common returns; holdings without such a covariance are left out and named in a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import pandas as pd

from sigma.risk.sector import sector_exposure, sector_vs_benchmark
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import RiskBook
from sigma.risk.view.concentration import concentration_view


@dataclass(frozen=True)
class SectorView(RiskView):
    """Sector exposure (ETF look-through) vs a benchmark, concentration and diversification."""

    KIND: ClassVar[str] = "sectors"
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


def sector_view(
    book: RiskBook,
    look_through: Mapping[str, Mapping[str, float]],
    benchmark_weights: Mapping[str, float],
    reference_as_of: date,
    returns: pd.DataFrame,
    benchmark: str,
) -> SectorView:
    """Sector exposure and tilts, concentration and diversification of a book."""
    sectors = {str(s): str(v) for s, v in book.sectors.items() if isinstance(v, str) and v}
    classes = {str(s): str(v) for s, v in book.asset_classes.items() if isinstance(v, str)}
    exposure = sector_exposure(book.delta, None, sectors, look_through, classes, nav=book.nav)
    tilts = sector_vs_benchmark(exposure, benchmark_weights)
    conc = concentration_view(book, returns)  # the numbers the batch also stores on their own
    return SectorView(
        as_of=book.as_of,
        source=book.source,
        benchmark=benchmark,
        reference_as_of=reference_as_of,
        exposure=exposure,
        tilts=tilts,
        hhi=conc.hhi,
        effective_n=conc.effective_n,
        top1=conc.top1,
        top5=conc.top5,
        top10=conc.top10,
        band=conc.band,
        diversification_ratio=conc.diversification_ratio,
        average_correlation=conc.average_correlation,
        notes=conc.notes,
    )
