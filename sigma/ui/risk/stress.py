"""The Risk page's stress section: a scenario from the catalogue, then the custom scenario builder.

A catalogue scenario the nightly batch stored (params_key: the scenario's name) is drawn as stored;
the builder's shocks are always applied on demand, and the stress model they need (the expensive
part) is built only once a slider moves: the untouched builder needs only today's VIX level.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import streamlit as st

from sigma.charts import risk as charts
from sigma.conventions import GICS_SECTORS, VIX
from sigma.errors import InsufficientHistory
from sigma.risk.service import StressView
from sigma.risk.style import STYLE_NAMES
from sigma.ui import cache, shell
from sigma.ui.format import MISSING, money, pct, provenance
from sigma.ui.risk.choice import RiskChoice, guard
from sigma.ui.risk.stored import latest_price_date, view_for


def stress(choice: RiskChoice) -> None:
    """A catalogue scenario, then the builder's own shocks, on the same stress model (each its own fragment)."""
    _catalogue(choice)
    st.markdown("#### Custom scenario builder")
    _custom(choice, vix_level(latest_price_date(choice.user)))


@st.cache_data(ttl=cache.TTL, show_spinner=False)
def vix_level(as_of: date | None) -> float:
    """The VIX's last close up to `as_of` (the stress model's level, without building the model)."""
    start = None if as_of is None else as_of - timedelta(days=30)
    closes = shell.services().market.close_frame([VIX], start=start, end=as_of)
    if VIX not in closes.columns or closes[VIX].dropna().empty:
        raise InsufficientHistory("No VIX closes are stored yet. Run: python -m jobs run market_data")
    return float(closes[VIX].dropna().iloc[-1])


@st.fragment
def _catalogue(choice: RiskChoice) -> None:
    """The picked catalogue scenario (the pick reruns this part only)."""
    with guard():
        catalogue = {s.name: s for s in cache.scenarios(choice.user)}
        name = st.selectbox("Scenario", list(catalogue), key="risk_scenario")
        compute = partial(cache.stress, choice.user, choice.pid, name)
        view = view_for(choice, StressView, compute, True, params_key=name, scenario=name)
        show_stress(view, catalogue[name].description)


@st.fragment
def _custom(choice: RiskChoice, vix: float) -> None:
    """The builder's sliders; nothing to show (nor compute) until one shock moves (the sliders rerun this part only)."""
    with guard():
        shocks, vix_now = _builder(vix)
        moved = {k: v for k, v in shocks.items() if (v != vix_now if k == "vix" else v != 0)}
        if not moved:
            st.info(
                "Set at least one shock: every slider is at zero (and the VIX at today's level), "
                "so the book's P&L would be $0.",
                icon=":material/tune:",
            )
            return
        show_stress(
            cache.stress(choice.user, choice.pid, shocks), "Unshocked factors move by their conditional expectation."
        )


def _builder(vix: float) -> tuple[dict[str, float], float]:
    """The builder's sliders as shocks: market, rates, oil, VIX, one sector and one style spread."""
    cols = st.columns(4)
    vix_now = min(80, max(9, round(vix)))  # the slider's range; VIX closed above 80 in 2008 and 2020
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
    return shocks, float(vix_now)


def show_stress(view: StressView, description: str) -> None:
    """Total P&L, the worst sector (when one loses), and the P&L by position and by sector."""
    cols = st.columns([1, 1, 3])
    cols[0].metric("Total P&L", money(view.total, signed=True), f"{pct(view.total_pct, signed=True)} of NAV")
    losers = view.sectors["pnl"][view.sectors["pnl"] < 0] if len(view.sectors) else view.sectors.get("pnl")
    worst = (str(losers.idxmin()), money(losers.min(), signed=True)) if losers is not None and len(losers) else None
    cols[1].metric(  # the loss as the value, the sector's name below it (a long name never truncates)
        "Worst sector",
        worst[1] if worst else MISSING,
        worst[0] if worst else "no sector loses",
        delta_color="off",
        delta_arrow="off",
        help="The sector (or asset class) with the largest loss under the scenario",
    )
    cols[2].caption(f"{description} Basis: {view.basis}.")
    left, right = st.columns(2)
    by_position = cache.chart(view, "position", charts.stress_bars, view.positions, "position")
    by_sector = cache.chart(view, "sector", charts.stress_bars, view.sectors, "sector")
    left.plotly_chart(by_position, width="stretch", key=f"sp_{view.basis}")
    right.plotly_chart(by_sector, width="stretch", key=f"ss_{view.basis}")
    provenance(view, notes=view.notes)
