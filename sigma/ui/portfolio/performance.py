"""Drawing the Portfolio view's performance sections: period returns, allocation treemap, income.

Formatting only: every number comes from `PortfolioView` (`sigma.portfolio.returns`, `.allocation`,
`.income`). Percentages are fractions in and read as percentages.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sigma.charts import allocation as charts
from sigma.portfolio.model import PortfolioView
from sigma.ui import cache
from sigma.ui.format import compact, money, pct

RETURNS_HELP = (
    "Time-weighted: daily returns net of deposits, withdrawals and trades, chained (the manager's "
    "skill). Money-weighted: the internal rate of return of the cash that went in and out (the "
    "investor's experience). 3Y, and since inception when longer than a year, are annualised "
    "(calendar days / 365); shorter periods are cumulative."
)


def _cell(value: float, note: str) -> str:
    """A signed percentage, or "n/a" when the row has no number (its note goes under the table)."""
    return "n/a" if note and pd.isna(value) else pct(value, signed=True)


def returns_table(view: PortfolioView) -> pd.DataFrame:
    """The period returns as display text: Period, From, Basis, Time-weighted, Money-weighted, benchmark."""
    frame = view.returns
    bench = f"{view.info.benchmark} (same dates)"
    if frame.empty:
        return pd.DataFrame(columns=["Period", "From", "Basis", "Time-weighted", "Money-weighted", bench])
    notes = frame["note"].fillna("").astype(str)
    return pd.DataFrame(
        {
            "Period": frame["period"],
            "From": [f"{d:%Y-%m-%d}" if pd.notna(d) else "—" for d in frame["start"]],
            "Basis": ["annualised" if a else "cumulative" for a in frame["annualised"]],
            "Time-weighted": [_cell(v, n) for v, n in zip(frame["twr"], notes, strict=True)],
            "Money-weighted": [_cell(v, n) for v, n in zip(frame["mwr"], notes, strict=True)],
            bench: [_cell(v, n) for v, n in zip(frame["benchmark"], notes, strict=True)],
        }
    )  # six rows of text


def period_returns(view: PortfolioView) -> None:
    """Time- and money-weighted returns side by side with the benchmark's, per period."""
    table = returns_table(view)
    if table.empty:
        st.caption("No snapshot history yet: returns appear after the first trading day.")
        return
    st.dataframe(table, hide_index=True, width="stretch")
    frame = view.returns
    missing = frame[frame["note"].fillna("").astype(str) != ""]
    said = [f"{', '.join(rows['period'])}: {note}." for note, rows in missing.groupby("note", sort=False)]
    st.caption(" ".join([*said, RETURNS_HELP]))


def allocation(view: PortfolioView) -> None:
    """Asset class → sector → position treemap, as % of NAV (ETFs looked through where the view does)."""
    tree = view.allocation
    if tree.empty:
        st.caption("No open positions to allocate.")
        return
    treemap = cache.chart(view, "allocation", charts.allocation_treemap, tree)
    st.plotly_chart(treemap, width="stretch", key="allocation_treemap")
    st.caption("Tile size: |exposure| as % of NAV (delta-adjusted for options, shorts by their size). Click to zoom.")


def income(view: PortfolioView) -> None:
    """Dividends by month, trailing-12-month income and yield on cost."""
    inc = view.income
    if inc is None:
        st.caption("No income to show.")
        return
    label = "received" if inc.basis == "received" else "projected"
    cols = st.columns(3)
    cols[0].metric(
        "12-month income",
        compact(inc.ttm),
        help=f"{money(inc.ttm)} of dividends over the last 12 months ({label})",
    )
    cols[1].metric("Yield on cost", pct(inc.yield_on_cost), help="Dividends of the last 12 months / cost basis")
    cols[2].metric("Cost basis", compact(inc.cost_basis), help=f"{money(inc.cost_basis)}: long stocks and ETFs")
    if not inc.by_month.empty:
        dividends = cache.chart(view, "dividends", charts.dividends_by_month, inc.by_month)
        st.plotly_chart(dividends, width="stretch", key="dividends_by_month")
    for note in inc.notes:
        st.caption(note)
