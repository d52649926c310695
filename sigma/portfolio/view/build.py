"""Assemble the `PortfolioView` from the loaded data (no I/O here).

KPIs, period returns, allocation and income are always those of the whole book; with a tag,
holdings, exposures, options, attribution and activity cover only the positions carrying that
tag (the notes say so), and the holdings have no "Cash" line.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from sigma.config import Settings
from sigma.portfolio.allocation import allocation
from sigma.portfolio.income import income
from sigma.portfolio.inputs import PriceInputs, ViewData
from sigma.portfolio.model import PortfolioView
from sigma.portfolio.returns import period_returns
from sigma.portfolio.valuation import OPTION_TYPES, Valuation
from sigma.portfolio.view import columns as cols
from sigma.portfolio.view import tables as calc
from sigma.portfolio.view.book import latest_valuation
from sigma.portfolio.view.kpis import empty_kpis, kpis

NO_FLOWS = "Cash flows were not loaded with the view: income is projected from holdings × dividend yield."
WHOLE_BOOK = "Period returns, allocation and income are for the whole book."


def _empty(data: ViewData, today: date) -> PortfolioView:
    frames = {k: pd.DataFrame(columns=list(cols.EXPOSURE_COLUMNS)) for k in ("sector", "asset_class", "tag")}
    return PortfolioView(
        info=data.info,
        as_of=data.status.as_of or today,
        source=str(data.status.source or ""),
        kpis=empty_kpis(data.info.cash),
        holdings=pd.DataFrame(columns=list(cols.HOLDING_COLUMNS)),
        closed=pd.DataFrame(columns=list(cols.CLOSED_COLUMNS)),
        equity=pd.DataFrame(columns=list(cols.EQUITY_COLUMNS)),
        exposures=frames,
        options=pd.DataFrame(columns=list(cols.OPTION_COLUMNS)),
        attribution=pd.DataFrame(columns=list(cols.ATTRIBUTION_COLUMNS)),
        activity=[],
        notes=[*_status_notes(data), "The book has no positions yet: add one or import a CSV."],
    )


def _status_notes(data: ViewData) -> list[str]:
    status = data.status
    notes = list(data.notes)
    if status.stale or status.fallback_reason:
        notes.append(status.message)
    return notes


def _subset(val: Valuation, positions: pd.DataFrame, mask: np.ndarray) -> tuple[Valuation, pd.DataFrame]:
    """The valuation and positions restricted to `mask` (book totals unchanged)."""
    return replace(val, positions=val.positions[mask]), positions[mask].reset_index(drop=True)


def _performance(view: PortfolioView, data: ViewData, val: Valuation, prices: PriceInputs) -> PortfolioView:
    """The view with the whole book's period returns, allocation, income and holdings with cash."""
    benchmark = data.info.benchmark
    bench = prices.close[benchmark] if benchmark in prices.close.columns else pd.Series(dtype=float)
    open_ = val.positions["open"].to_numpy(bool)
    book, frame = data.positions[open_], val.positions[open_]
    held = pd.DataFrame(
        {
            "symbol": book["priced"].to_numpy(),
            "is_option": book["position_type"].isin(OPTION_TYPES).to_numpy(),
            "market_value": frame["market_value"].to_numpy(float),
            "cost_basis": frame["cost_basis"].to_numpy(float),
        }
    )
    with_cash = calc.with_cash(view.holdings, val.cash, val.nav) if view.tag is None else view.holdings
    inc = income(data.flows, held, prices.dividend_yields, val.as_of)
    if data.flows is None:
        inc = replace(inc, notes=[NO_FLOWS])
    notes = [*view.notes, WHOLE_BOOK] if view.tag is not None else view.notes
    return replace(
        view,
        returns=period_returns(data.snapshots, bench),
        holdings_with_cash=with_cash,
        allocation=allocation(book, frame["exposure"].to_numpy(float), val.cash, val.nav),
        income=inc,
        notes=notes,
    )


def build_view(data: ViewData, settings: Settings, today: date, tag: str | None) -> PortfolioView:
    """The Portfolio page's view of the loaded book."""
    val = latest_valuation(data)
    if val is None or data.prices is None:
        return _empty(data, today)
    prices, positions, as_of, whole = data.prices, data.positions, val.as_of, val
    notes = _status_notes(data)
    headline = kpis(val, positions, prices, data.snapshots, data.info.benchmark, settings.health)
    notes += [r for r in (headline.beta_reason, headline.health_reason) if r]
    if tag is not None:
        mask = positions["tags"].map(lambda names: tag in names).to_numpy(bool)  # one membership test per row
        val, positions = _subset(val, positions, mask)
        window = data.window[data.window["position_id"].isin(positions["id"])] if len(data.window) else data.window
        notes.append(f"Filtered to tag {tag!r} ({int(mask.sum())} positions); KPIs are for the whole book.")
    else:
        window = data.window
    by_symbol, first = calc.window_pnl(window, positions)
    snaps = data.snapshots
    before = snaps[snaps["date"] <= first] if first is not None else snaps.iloc[:0]
    nav_start = float(before["nav"].iloc[-1]) if len(before) else float("nan")
    view = PortfolioView(
        info=data.info,
        as_of=as_of,
        source=str(data.status.source or ""),
        kpis=headline,
        holdings=calc.holdings(val, positions, prices),
        closed=calc.closed(val, positions),
        equity=calc.equity(snaps, prices.close, data.info.benchmark),
        exposures=calc.exposures(val, positions),
        options=calc.options(val, positions),
        attribution=calc.attribution(by_symbol, nav_start),
        activity=calc.activity(positions, prices, (by_symbol, first), as_of, settings.stale_after_days),
        notes=notes,
        tag=tag,
    )
    return _performance(view, data, whole, prices)
