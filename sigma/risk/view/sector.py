"""The sector view of a book: ETF look-through exposure, tilts vs a benchmark, concentration, diversification.

Conventions (`sigma.risk.sector`): exposures are delta-adjusted $; sector weights are fractions of
NAV, tilts percent points of the equity sleeve. Concentration uses each open position's |exposure|
/ gross (as the Portfolio page's health score does). The diversification ratio and average
correlation use the holdings' (by symbol) daily covariance over the last 252 days, pairs with at
least 60 common returns; holdings without such a covariance are left out and named in a note.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pandas as pd

from sigma.risk.sector import concentration, diversification, sector_exposure, sector_vs_benchmark
from sigma.risk.view.book import Book
from sigma.risk.view.results import SectorView

MIN_PAIRS = 60


def sector_view(
    book: Book,
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
    conc = concentration(book.position_exposures)
    weights = book.weights[book.weights != 0]
    cov = returns.reindex(columns=weights.index).cov(min_periods=MIN_PAIRS)
    usable = cov.index[cov.notna().all(axis=1)]
    notes = []
    if len(usable) < len(weights):
        notes.append(
            f"Left out of diversification (too little history): {', '.join(weights.index.difference(usable))}."
        )
    div = diversification(weights[usable], cov.loc[usable, usable])
    return SectorView(
        as_of=book.as_of, source=book.source, benchmark=benchmark, reference_as_of=reference_as_of,
        exposure=exposure, tilts=tilts, hhi=conc.hhi, effective_n=conc.effective_n, top1=conc.top1, top5=conc.top5,
        top10=conc.top10, band=str(conc.band), diversification_ratio=div.ratio,
        average_correlation=div.average_correlation, notes=tuple(notes),
    )  # fmt: skip
