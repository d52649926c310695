"""The Risk page's sections: performance, factor exposures, volatility, Value at Risk, sectors.

Each section draws one cached service call; `SECTIONS` lists them in page order (with the
stress section from `sigma.ui.risk.stress`). A section whose widgets only change itself is an
`st.fragment`, so moving them reruns that section, not the page. A section at its default controls
draws the view the nightly batch stored (`sigma.ui.risk.stored`), else it computes on demand.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from sigma.charts import risk as charts
from sigma.risk.service import FactorView, PerformanceView, SectorView, VarView, VolView
from sigma.ui import cache
from sigma.ui.format import metrics, money, pct, pct_column, provenance, ratio, tidy
from sigma.ui.risk.choice import DEFAULT_BENCHMARK, RiskChoice, guard
from sigma.ui.risk.stored import view_for
from sigma.ui.risk.stress import stress
from sigma.ui.risk.tables import PROFILE_BASIS, performance_table, var_table


def _table_height(rows: int) -> int:
    """A dataframe height that shows every row without a scrollbar."""
    return 35 * (rows + 1) + 3


def performance(choice: RiskChoice) -> None:
    """The performance profile, market and rate betas, and the rolling beta."""
    view = view_for(
        choice,
        PerformanceView,
        partial(cache.performance, choice.user, choice.pid, choice.benchmark, choice.window),
        choice.at_defaults,
        benchmark=choice.benchmark,
        window=choice.window,
    )
    table = performance_table(view.profile, view.benchmark)
    st.dataframe(table, width="stretch", height=_table_height(len(table)))
    st.caption(f"{PROFILE_BASIS} Window: {view.window}. “—”: not defined (e.g. the benchmark against itself).")
    st.markdown("#### Market & rate beta")
    metrics(
        [
            (f"Beta vs {view.benchmark} (252 d)", ratio(view.market_beta)),
            ("Rate beta (per +100 bp)", pct(view.rate_beta, signed=True, digits=2)),
            ("Daily returns", f"{view.n_obs:,}"),
        ],
        helps=[
            "OLS slope of the book's daily returns on the benchmark's, last 252 days",
            "Return of the book for a +1.00 percent-point move of the 10-year yield",
            None,
        ],
    )
    beta = cache.chart(view, "beta", charts.rolling_beta, view.rolling_beta, view.benchmark, view.market_beta)
    st.plotly_chart(beta, width="stretch")
    provenance(view, f" · portfolio time-weighted returns vs {view.benchmark}, {view.window}", view.notes)


@st.fragment
def factors(choice: RiskChoice) -> None:
    """Factor exposures, the risk waterfall, and the per-holding detail."""
    with guard():
        cols = st.columns(2)
        method = cols[0].segmented_control("Estimator", ["ols", "ridge"], default="ols", key="risk_factor_method")
        span = cols[1].segmented_control("Attribution window", ["1M", "3M", "1Y"], default="3M", key="risk_attr_window")
        method, span = method or "ols", span or "3M"
        compute = partial(cache.factors, choice.user, choice.pid, method, span)
        view = view_for(choice, FactorView, compute, (method, span) == ("ols", "3M"), method=method, window=span)
        left, right = st.columns(2)
        left.plotly_chart(cache.chart(view, "exposures", charts.factor_exposures, view.portfolio), width="stretch")
        waterfall = cache.chart(view, "waterfall", charts.risk_waterfall, view.contributions["percent"])
        right.plotly_chart(waterfall, width="stretch")
        metrics(
            [
                ("Risk (ann. vol)", pct(view.total_vol)),
                ("Factor share of variance", pct(view.factor_share)),
                ("Factor vol (ann.)", pct(view.factor_vol)),
                ("Specific vol (ann.)", pct(view.specific_vol)),
            ]
        )
        with st.expander("Exposures per holding and return attribution"):
            _factor_details(view.betas.join(view.r2.rename("R²")), view.attribution)
        provenance(view, f" · {view.method.upper()}, 252 days; attribution over {view.window}", view.notes)


def _factor_details(betas: pd.DataFrame, attribution: pd.DataFrame) -> None:
    """Betas per holding (R² as %) and the attribution table with labelled, formatted columns."""
    config = {c: st.column_config.NumberColumn(c, format="%.2f") for c in betas.columns if c != "R²"}
    config["R²"] = pct_column("R²", digits=0)
    st.dataframe(tidy(betas, betas.columns), width="stretch", column_config=config)
    st.caption("Betas to each style factor (daily returns, 252 days); R² of each holding's regression.")
    st.dataframe(
        tidy(attribution, attribution.columns),
        width="stretch",
        height=_table_height(len(attribution)),
        column_config={
            "exposure": st.column_config.NumberColumn("Exposure (β)", format="%.2f"),
            "factor_return": pct_column("Factor return", digits=1),
            "contribution": pct_column("Contribution to return", digits=2),
        },
    )
    st.caption("Return attribution over the window: exposure × factor return; residual is the unexplained part.")


def volatility(choice: RiskChoice) -> None:
    """Realized, EWMA and HAR volatility, the cone and the HAR forecasts."""
    view = view_for(choice, VolView, partial(cache.volatility, choice.user, choice.pid), True)
    vols = [
        ("Realized 20 d", view.realized_20),
        ("Realized 60 d", view.realized_60),
        ("EWMA (λ 0.94)", view.ewma),
        ("HAR 1 d", view.har["h1"]),
        ("HAR 5 d", view.har["h5"]),
        ("HAR 22 d", view.har["h22"]),
    ]
    metrics([(label, pct(value)) for label, value in vols])
    st.caption(
        f"Annualised volatility (× √252). Today's HAR forecast is at percentile {view.har['percentile']:.0f} "
        "of its own history."
    )
    left, right = st.columns(2)
    left.plotly_chart(cache.chart(view, "cone", charts.vol_cone, view.cone), width="stretch")
    right.plotly_chart(cache.chart(view, "har", charts.har_forecasts, view.har), width="stretch")
    provenance(view, f" · {view.basis}", view.notes)


@st.fragment
def value_at_risk(choice: RiskChoice) -> None:
    """VaR and CVaR at 95 and 99 % for the picked method and horizon, with the P&L distribution."""
    with guard():
        cols = st.columns(2)
        methods = {"historical": "Historical", "parametric": "Parametric (normal)", "monte_carlo": "Monte Carlo"}
        method = (
            cols[0].segmented_control(
                "Method", list(methods), format_func=methods.__getitem__, default="historical", key="risk_var_method"
            )
            or "historical"
        )
        horizon = cols[1].segmented_control("Horizon (days)", [1, 10], default=1, key="risk_var_horizon") or 1
        compute = partial(cache.var, choice.user, choice.pid, method)
        view = view_for(choice, VarView, compute, method == "historical", method=method)
        lines = {
            f"{kind} {level:.0%}": view.value(level, horizon, kind.lower())
            for level in (0.95, 0.99)
            for kind in ("VaR", "CVaR")
        }
        left, right = st.columns([1, 2])
        table = var_table(view.table, horizon)
        left.dataframe(table, hide_index=True, width="stretch", height=_table_height(len(table)))
        left.caption(f"{horizon}-day losses, shown positive; CVaR is the mean loss beyond the VaR.")
        distribution = cache.chart(view, horizon, charts.var_distribution, view.distributions[horizon], lines)
        right.plotly_chart(distribution, width="stretch")
        provenance(view, f" · {methods[method].lower()} · NAV {money(view.nav)}", view.notes)


def sectors(choice: RiskChoice) -> None:
    """Sector tilts vs the benchmark's weights, concentration and diversification."""
    code = choice.sector_benchmark
    compute = partial(cache.sectors, choice.user, choice.pid, code)
    view = view_for(choice, SectorView, compute, code == DEFAULT_BENCHMARK, benchmark=code)
    st.plotly_chart(cache.chart(view, "tilts", charts.sector_tilts, view.tilts), width="stretch")
    st.markdown("#### Concentration & diversification")
    metrics(
        [
            (f"HHI · {view.band}", f"{view.hhi:.3f}"),
            ("Effective N", f"{view.effective_n:.1f}"),
            ("Largest position", pct(view.top1, digits=0)),
            ("Diversification ratio", ratio(view.diversification_ratio)),
            ("Avg correlation", ratio(view.average_correlation)),
        ],
        helps=[
            "Σ w² with w = |exposure| / gross exposure; < 0.10 diversified, 0.10–0.18 moderate, > 0.18 concentrated",
            "1 / HHI: the number of equal positions with the same concentration",
            "The largest position as % of gross exposure (the top 5 and 10 are below)",
            "Σ|wᵢ|σᵢ / σ_p (≥ 1)",
            "Weighted average pairwise correlation of the holdings",
        ],
    )
    st.caption(
        f"Top 5 / 10 positions: {pct(view.top5, digits=0)} / {pct(view.top10, digits=0)} of gross. "
        "Concentration uses shares of gross exposure; the sector tilts use the equity sleeve's net weights."
    )
    provenance(view, f" · sector weights of {view.benchmark} as of {view.reference_as_of:%Y-%m-%d}", view.notes)


SECTIONS: dict[str, Callable[[RiskChoice], None]] = {
    "Performance": performance,
    "Factor exposures": factors,
    "Volatility": volatility,
    "Value at Risk": value_at_risk,
    "Stress tests": stress,
    "Sectors & concentration": sectors,
}
