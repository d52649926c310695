"""The Risk page's stress section: a scenario from the catalogue, then the custom scenario builder."""

from __future__ import annotations

import streamlit as st

from sigma.charts import risk as charts
from sigma.conventions import GICS_SECTORS
from sigma.risk.service import StressModel, StressView
from sigma.risk.style import STYLE_NAMES
from sigma.ui import cache
from sigma.ui.format import money, provenance
from sigma.ui.risk.choice import RiskChoice


def stress(choice: RiskChoice) -> None:
    """A catalogue scenario, then the builder's own shocks, on the same stress model."""
    model = cache.stress_model(choice.user, choice.pid)
    catalogue = {s.name: s for s in cache.scenarios(choice.user)}
    name = st.selectbox("Scenario", list(catalogue), key="risk_scenario")
    view = cache.service().apply(model, catalogue[name].scenario())
    show_stress(view, catalogue[name].description)
    st.markdown("#### Custom scenario builder")
    shocks = _builder(model)
    show_stress(cache.service().apply(model, shocks), "Unshocked factors move by their conditional expectation.")


def _builder(model: StressModel) -> dict[str, float]:
    """The builder's sliders as shocks: market, rates, oil, VIX, one sector and one style spread."""
    cols = st.columns(4)
    vix_now = min(80, max(9, round(model.vix_level)))  # the slider's range; VIX closed above 80 in 2008 and 2020
    shocks = {
        "market": cols[0].slider("Market %", -50, 30, 0, key="builder_market") / 100,
        "rates_bp": float(cols[1].slider("Rates (bp)", -300, 300, 0, step=25, key="builder_rates")),
        "oil": cols[2].slider("Oil %", -60, 100, 0, key="builder_oil") / 100,
        "vix": float(cols[3].slider("VIX level", 9, 80, vix_now, key="builder_vix")),
    }
    cols = st.columns(4)
    sector = cols[0].selectbox("Sector", GICS_SECTORS, key="builder_sector")
    shocks[f"sector:{sector}"] = cols[1].slider("Sector %", -50, 50, 0, key="builder_sector_pct") / 100
    style = cols[2].selectbox("Style", STYLE_NAMES, key="builder_style")
    shocks[f"style:{style}"] = cols[3].slider("Style spread %", -20, 20, 0, key="builder_style_pct") / 100
    return shocks


def show_stress(view: StressView, description: str) -> None:
    """Total P&L, the worst sector, and the P&L by position and by sector."""
    cols = st.columns([1, 1, 3])
    cols[0].metric("Total P&L", money(view.total), f"{view.total_pct:+.2%} of NAV")
    cols[1].metric("Worst sector", str(view.sectors["pnl"].idxmin()) if len(view.sectors) else "—")
    cols[2].caption(f"{description} Basis: {view.basis}.")
    left, right = st.columns(2)
    left.plotly_chart(charts.stress_bars(view.positions, "position"), width="stretch", key=f"sp_{view.basis}")
    right.plotly_chart(charts.stress_bars(view.sectors, "sector"), width="stretch", key=f"ss_{view.basis}")
    provenance(view, notes=view.notes)
