"""The data-quality dashboard: counts of the problems, then every symbol, problems first.

Columns come from `sigma.market.quality` (coverage, stale, gaps, jumps, bad values, status and
reason) plus the provider that served each symbol's stored prices.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sigma.batch.admin import AdminView
from sigma.ui.format import MISSING, metrics, pct, pct_column

RANK = {"error": 0, "warning": 1}  # problems first, with their reasons
FIRST = ("symbol", "status", "reason", "provider")


def _count(frame: pd.DataFrame, column: str) -> int:
    if column not in frame.columns:
        return 0
    values = pd.to_numeric(frame[column], errors="coerce").fillna(0)
    return int((values > 0).sum())


def summary(q: pd.DataFrame) -> None:
    """Symbols, mean coverage, stale symbols, symbols with gaps, with suspicious jumps, in error."""
    coverage = pd.to_numeric(q.get("coverage", pd.Series(dtype=float)), errors="coerce")
    errors = int((q.get("status", pd.Series(dtype=str)) == "error").sum())
    metrics(
        [
            ("Symbols", f"{len(q):,}"),
            ("Mean coverage", pct(coverage.mean() if len(coverage) else None)),
            ("Stale", f"{_count(q, 'stale'):,}"),
            ("With gaps", f"{_count(q, 'gaps'):,}"),
            ("Suspicious jumps", f"{_count(q, 'jumps'):,}"),
            ("Errors", f"{errors:,}"),
        ],
        helps=[
            None,
            "Stored rows / business days between the first and last stored date",
            "No price for longer than the staleness limit (SIGMA_STALE_AFTER_DAYS)",
            "More than three business days missing in a row",
            "A daily move beyond 25 %",
            None,
        ],
    )


def table(q: pd.DataFrame) -> None:
    """Every symbol, errors then warnings then ok, each with its reason and provider."""
    rank = q["status"].map(RANK).fillna(2) if "status" in q.columns else pd.Series(2, index=q.index)
    q = q.assign(_rank=rank).sort_values(["_rank", "symbol"]).drop(columns="_rank")
    first = [c for c in FIRST if c in q.columns]
    st.dataframe(
        q[first + [c for c in q.columns if c not in first]],
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={
            "reason": st.column_config.TextColumn("Reason", width="large"),
            "provider": st.column_config.TextColumn("Provider", help="The source that served the stored prices"),
            "coverage": pct_column("Coverage", help="Stored rows / business days"),
            "worst_jump": pct_column("Worst jump"),
            "days_since_last": st.column_config.NumberColumn("Days since last"),
            "max_gap": st.column_config.NumberColumn("Longest gap (days)"),
            "bad_values": st.column_config.NumberColumn("Bad values"),
        },
    )


def quality(view: AdminView) -> None:
    """The dashboard of the stored (or, with a note, freshly computed) data-quality report."""
    q = view.quality
    st.caption(view.quality_note)
    if q.empty:
        st.caption("No prices stored yet.")
        return
    summary(q)
    table(q)
