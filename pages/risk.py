"""Risk: performance, betas, factors, volatility, VaR, stress tests with a scenario builder, sectors.

Widgets → one cached service call per section → draw. A failing section shows its warning and
the rest of the page still renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from sigma.charts import risk as charts
from sigma.errors import SigmaError
from sigma.risk.sector import GICS
from sigma.risk.sql.reference import STYLE_NAMES
from sigma.ui import risk_cache as cache
from sigma.ui import shell
from sigma.ui.auth import current_user
from sigma.ui.portfolio import money

PCT = "{:.2%}"


def provenance(view: Any, extra: str = "") -> None:
    """Source and as-of date under a section."""
    st.caption(f"{str(view.source).capitalize()} prices as of {view.as_of:%Y-%m-%d}{extra}")
    for note in getattr(view, "notes", ()):
        st.caption(note)


def metrics(pairs: list[tuple[str, str]]) -> None:
    """A row of metrics."""
    for col, (label, value) in zip(st.columns(len(pairs)), pairs, strict=True):
        col.metric(label, value)


def section(title: str, draw: Callable[[], None]) -> None:
    """A titled section; a SigmaError becomes a warning instead of blanking the page."""
    st.subheader(title)
    try:
        draw()
    except SigmaError as err:
        st.warning(str(err), icon=":material/info:")


user, pid = current_user(), shell.current_portfolio_id()
st.title("Risk")
if user is None or pid is None:
    st.info("Pick or create a portfolio first (Portfolio page).")
    st.stop()
uid = user.id
top = st.columns([2, 2, 2])
choice = top[0].selectbox("Benchmark", ["SPY", "QQQ", "IWM", "ACWX", "60/40", "Other symbol", "Custom weights"],
                          key="risk_benchmark")  # fmt: skip
benchmark = choice
if choice == "Other symbol":
    benchmark = top[1].text_input("Benchmark symbol", "DIA", key="risk_bench_symbol")
elif choice == "Custom weights":  # the service parses "SYMBOL:weight, …"
    benchmark = top[1].text_input("Weights (symbol:weight, …)", "SPY:0.7, TLT:0.3", key="risk_bench_weights")
window = top[2].segmented_control("Window", ["3M", "6M", "1Y", "3Y", "ALL"], default="1Y", key="risk_window") or "1Y"


def performance() -> None:
    view = cache.performance(uid, user, pid, benchmark, window)
    st.dataframe(view.profile.drop(columns="note").T, width="stretch")
    st.markdown("#### Market & rate beta")
    metrics([(f"Beta vs {view.benchmark} (252 d)", f"{view.market_beta:.2f}"),
             ("Rate beta (per +100 bp)", PCT.format(view.rate_beta)), ("Daily returns", f"{view.n_obs}")])  # fmt: skip
    st.plotly_chart(charts.rolling_beta(view.rolling_beta, view.benchmark, view.market_beta), width="stretch")
    provenance(view, f" · portfolio time-weighted returns vs {view.benchmark}, {view.window}")


def factors() -> None:
    cols = st.columns(2)
    method = cols[0].segmented_control("Estimator", ["ols", "ridge"], default="ols", key="risk_factor_method")
    span = cols[1].segmented_control("Attribution window", ["1M", "3M", "1Y"], default="3M", key="risk_attr_window")
    view = cache.factors(uid, user, pid, method or "ols", span or "3M")
    left, right = st.columns(2)
    left.plotly_chart(charts.factor_exposures(view.portfolio), width="stretch")
    right.plotly_chart(charts.risk_waterfall(view.contributions["percent"]), width="stretch")
    metrics([("Risk (annualised)", PCT.format(view.total_vol)), ("Factor share", PCT.format(view.factor_share)),
             ("Factor vol", PCT.format(view.factor_vol)), ("Specific vol", PCT.format(view.specific_vol))])  # fmt: skip
    with st.expander("Exposures per holding, t-stats and attribution"):
        st.dataframe(view.betas.join(view.r2), width="stretch")
        st.dataframe(view.attribution, width="stretch")
    provenance(view, f" · {view.method}, 252 days; attribution over {view.window}")


def volatility() -> None:
    view = cache.volatility(uid, user, pid)
    vols = [("Realized 20 d", view.realized_20), ("Realized 60 d", view.realized_60), ("EWMA", view.ewma),
            ("HAR 1 d", view.har["h1"]), ("HAR 5 d", view.har["h5"]), ("HAR 22 d", view.har["h22"])]  # fmt: skip
    metrics([(label, PCT.format(value)) for label, value in vols])
    st.caption(f"Today's HAR forecast is at percentile {view.har['percentile']:.0f} of its own history.")
    left, right = st.columns(2)
    left.plotly_chart(charts.vol_cone(view.cone), width="stretch")
    right.plotly_chart(charts.har_forecasts(view.har), width="stretch")
    provenance(view, f" · {view.basis}")


def value_at_risk() -> None:
    cols = st.columns(2)
    method = cols[0].segmented_control("Method", ["historical", "parametric", "monte_carlo"], default="historical",
                                       key="risk_var_method") or "historical"  # fmt: skip
    horizon = cols[1].segmented_control("Horizon (days)", [1, 10], default=1, key="risk_var_horizon") or 1
    view = cache.var(uid, user, pid, method)
    lines = {f"{kind} {level:.0%}": view.value(level, horizon, kind.lower())
             for level in (0.95, 0.99) for kind in ("VaR", "CVaR")}  # fmt: skip
    metrics([(f"{label} · {horizon} d", f"${loss:,.0f}") for label, loss in lines.items()])
    st.plotly_chart(charts.var_distribution(view.distributions[horizon], lines), width="stretch")
    provenance(view, f" · {method.replace('_', ' ')}")


def stress() -> None:
    model = cache.stress_model(uid, user, pid)
    catalogue = {s.name: s for s in cache.scenarios(uid)}
    name = st.selectbox("Scenario", list(catalogue), key="risk_scenario")
    view = cache.service().apply(model, catalogue[name].scenario())
    show_stress(view, catalogue[name].description)
    st.markdown("#### Custom scenario builder")
    cols = st.columns(4)
    vix_now = min(80, max(9, round(model.vix_level)))  # the slider's range; VIX closed above 80 in 2008 and 2020
    shocks = {"market": cols[0].slider("Market %", -50, 30, 0, key="builder_market") / 100,
              "rates_bp": float(cols[1].slider("Rates (bp)", -300, 300, 0, step=25, key="builder_rates")),
              "oil": cols[2].slider("Oil %", -60, 100, 0, key="builder_oil") / 100,
              "vix": float(cols[3].slider("VIX level", 9, 80, vix_now, key="builder_vix"))}  # fmt: skip
    cols = st.columns(4)
    sector = cols[0].selectbox("Sector", GICS, key="builder_sector")
    shocks[f"sector:{sector}"] = cols[1].slider("Sector %", -50, 50, 0, key="builder_sector_pct") / 100
    style = cols[2].selectbox("Style", STYLE_NAMES, key="builder_style")
    shocks[f"style:{style}"] = cols[3].slider("Style spread %", -20, 20, 0, key="builder_style_pct") / 100
    show_stress(cache.service().apply(model, shocks), "Unshocked factors move by their conditional expectation.")


def show_stress(view: Any, description: str) -> None:
    cols = st.columns([1, 1, 3])
    cols[0].metric("Total P&L", money(view.total), f"{view.total_pct:+.2%} of NAV")
    cols[1].metric("Worst sector", str(view.sectors["pnl"].idxmin()) if len(view.sectors) else "—")
    cols[2].caption(f"{description} Basis: {view.basis}.")
    left, right = st.columns(2)
    left.plotly_chart(charts.stress_bars(view.positions, "position"), width="stretch", key=f"sp_{view.basis}")
    right.plotly_chart(charts.stress_bars(view.sectors, "sector"), width="stretch", key=f"ss_{view.basis}")
    provenance(view)


def sectors() -> None:
    bench = benchmark if benchmark in ("SPY", "QQQ", "IWM", "ACWX") else "SPY"
    view = cache.sectors(uid, user, pid, str(bench))
    st.plotly_chart(charts.sector_tilts(view.tilts), width="stretch")
    st.markdown("#### Concentration & diversification")
    metrics([("HHI", f"{view.hhi:.3f}"), ("Effective N", f"{view.effective_n:.1f}"),
             ("Top 1 / 5 / 10", f"{view.top1:.0%} / {view.top5:.0%} / {view.top10:.0%}"), ("Band", view.band),
             ("Diversification ratio", f"{view.diversification_ratio:.2f}"),
             ("Avg correlation", f"{view.average_correlation:.2f}")])  # fmt: skip
    provenance(view, f" · sector weights of {view.benchmark} as of {view.reference_as_of:%Y-%m-%d}")


SECTIONS = {"Performance": performance, "Factor exposures": factors, "Volatility": volatility,
            "Value at Risk": value_at_risk, "Stress tests": stress, "Sectors & concentration": sectors}  # fmt: skip
for title, draw in SECTIONS.items():
    section(title, draw)
