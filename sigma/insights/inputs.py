"""The rules' inputs for one book, assembled from what the risk phase left: the book and its stored views.

Pure: a `RiskBook`, its stored default views by kind (`RiskService.stored_views`), the holdings'
daily returns panel (dates as Timestamps; cut at the book's own as-of date), the latest price date
per symbol. A view that is missing (its kind failed
in the risk phase, or was never stored) leaves its numbers NaN, so its rule stays silent.
Windows: the drawdown looks at the book's last `DRAWDOWN_DAYS` daily returns, the cluster rule at
the holdings' last `CORRELATION_DAYS` (1Y daily, as DOMAIN.md's correlation views do).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta

import pandas as pd

from sigma.insights.book import BookInputs
from sigma.risk.service import FactorView, PerformanceView, RiskBook, SectorView, VolView

DRAWDOWN_DAYS = 252
CORRELATION_DAYS = 252
MARKET_FACTOR = "Market"  # the beta rule covers it; the style rule looks at the others


def panel_start(as_of: date) -> date:
    """A calendar start that covers `CORRELATION_DAYS` trading days before `as_of` (with a margin)."""
    return as_of - timedelta(days=int(CORRELATION_DAYS * 1.5) + 10)


def _style(view: object) -> pd.Series | None:
    if not isinstance(view, FactorView):
        return None
    exposure = view.portfolio["exposure"]
    return exposure.drop(index=MARKET_FACTOR, errors="ignore").astype(float)


def _vol(view: object) -> tuple[float, float]:
    """The HAR percentile (0–100) and the one-day forecast it ranks (annualised), NaN without a view."""
    if not isinstance(view, VolView):
        return math.nan, math.nan
    return float(view.har.get("percentile", math.nan)), float(view.har.get("h1", math.nan))


def book_inputs(
    book: RiskBook,
    views: Mapping[str, object],
    panel: pd.DataFrame,
    last_dates: Mapping[str, date],
    reference: date,
    stale_after_days: int,
) -> BookInputs:
    """The rules' inputs for one book (see the module docstring)."""
    perf, sectors = views.get(PerformanceView.KIND), views.get(SectorView.KIND)
    percentile, vol = _vol(views.get(VolView.KIND))
    symbols = list(book.symbols)
    return BookInputs(
        portfolio_id=book.portfolio_id,
        nav=float(book.nav),
        weights=book.weights,
        position_exposures=book.position_exposures,
        returns=book.returns.iloc[-DRAWDOWN_DAYS:],
        asset_returns=panel.loc[: pd.Timestamp(book.as_of)].reindex(columns=symbols).iloc[-CORRELATION_DAYS:],
        last_dates={s: last_dates[s] for s in symbols if s in last_dates},
        reference=reference,
        stale_after_days=stale_after_days,
        benchmark=perf.benchmark if isinstance(perf, PerformanceView) else "SPY",
        beta=float(perf.market_beta) if isinstance(perf, PerformanceView) else math.nan,
        tilts=sectors.tilts if isinstance(sectors, SectorView) else None,
        sector_benchmark=sectors.benchmark if isinstance(sectors, SectorView) else "SPY",
        vol_percentile=percentile,
        vol=vol,
        style=_style(views.get(FactorView.KIND)),
    )
