"""Correlations: a clustered matrix of holdings, the universe or typed symbols; drill into any pair.

Widgets → one cached service call → draw. Click a heatmap cell (or use the two pickers) to see the
pair's rolling correlation and both prices rebased to 100.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

import streamlit as st

from sigma.charts import risk as charts
from sigma.errors import SigmaError
from sigma.ui import cache, shell
from sigma.ui.auth import current_user
from sigma.ui.format import provenance
from sigma.ui.risk.pairs import default_pair, pair_section


class Scope(StrEnum):
    """Which symbols to correlate."""

    HOLDINGS = "holdings"
    UNIVERSE = "universe"
    TYPED = "typed"


user, pid = current_user(), shell.current_portfolio_id()
st.title("Correlations")
if user is None:
    st.stop()
cols = st.columns([2, 2, 3, 2])
picked_scope = cols[0].radio("Symbols", ["Holdings", "Universe", "Typed"], horizontal=True, key="corr_scope")
scope = Scope(picked_scope.lower())
typed_symbols: tuple[str, ...] = ()
if scope == Scope.TYPED:
    typed = cols[1].text_input("Symbols (comma separated)", "SPY, QQQ, TLT, GLD, XLE, AAPL", key="corr_symbols")
    typed_symbols = tuple(s.strip().upper() for s in typed.split(",") if s.strip())
elif scope == Scope.HOLDINGS and pid is None:
    st.info("Pick a portfolio in the sidebar, or choose the universe or typed symbols.")
    st.stop()
window_label = cols[2].segmented_control("Window", ["3M", "1Y", "3Y", "Custom"], default="1Y", key="corr_window")
method = cols[3].segmented_control("Method", ["pearson", "spearman"], default="pearson", key="corr_method")
window: cache.Window = window_label or "1Y"
if window_label == "Custom":
    status_as_of = shell.services().market.status().as_of or date.today()
    picked = st.date_input("Custom window", (status_as_of - timedelta(days=365), status_as_of), key="corr_custom")
    if not isinstance(picked, tuple) or len(picked) != 2:
        st.info("Pick a start and an end date.")
        st.stop()
    window = (picked[0], picked[1])

try:
    if scope == Scope.HOLDINGS and pid is not None:
        view = cache.holdings_correlations(user, pid, window, method or "pearson")
    elif scope == Scope.UNIVERSE:
        view = cache.universe_correlations(window, method or "pearson")
    else:
        view = cache.correlations_of(typed_symbols, window, method or "pearson")
except SigmaError as err:
    shell.show_error(err)
    raise
st.subheader(f"Correlation matrix · {view.window} · {view.method.capitalize()}")
event = st.plotly_chart(
    charts.correlation_heatmap(view.matrix),
    width="stretch",
    on_select="rerun",
    selection_mode="points",
    key="corr_heatmap",
)
provenance(
    view,
    f" · daily returns {view.start:%Y-%m-%d} – {view.end:%Y-%m-%d}, at least 60 common days per pair, "
    "clustered by average linkage on 1 − ρ",
)
if view.dropped:
    st.warning("Left out: " + "; ".join(f"{s} ({why})" for s, why in view.dropped.items()), icon=":material/info:")
st.download_button(
    "Download matrix (CSV)",
    view.matrix.to_csv().encode(),
    file_name=f"correlations_{view.window}.csv",
    mime="text/csv",
    key="corr_download",
)

symbols = [str(s) for s in view.matrix.index]
default_pair(view.matrix)
points = list(getattr(getattr(event, "selection", None), "points", None) or [])
if points and points[0].get("x") in symbols and points[0].get("y") in symbols:
    st.session_state["corr_a"], st.session_state["corr_b"] = points[0]["y"], points[0]["x"]
st.subheader("Pair")
st.caption("Starts on the pair with the highest |ρ|; click a cell or pick two symbols.")
pair_section(symbols, window)
