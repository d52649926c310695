"""The Risk page's sections: performance, factor exposures, volatility, Value at Risk, sectors.

Each section draws one cached service call; `SECTIONS` lists them in page order (with the
stress section from `sigma.ui.risk.stress`).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from sigma.charts import risk as charts
from sigma.ui import cache
from sigma.ui.format import metrics, provenance
from sigma.ui.risk.choice import RiskChoice
from sigma.ui.risk.stress import stress

PCT = "{:.2%}"


def performance(choice: RiskChoice) -> None:
    """The performance profile, market and rate betas, and the rolling beta."""
    view = cache.performance(choice.user, choice.pid, choice.benchmark, choice.window)
    st.dataframe(view.profile.drop(columns="note").T, width="stretch")
    st.markdown("#### Market & rate beta")
    metrics(
        [
            (f"Beta vs {view.benchmark} (252 d)", f"{view.market_beta:.2f}"),
            ("Rate beta (per +100 bp)", PCT.format(view.rate_beta)),
            ("Daily returns", f"{view.n_obs}"),
        ]
    )
    st.plotly_chart(charts.rolling_beta(view.rolling_beta, view.benchmark, view.market_beta), width="stretch")
    provenance(view, f" · portfolio time-weighted returns vs {view.benchmark}, {view.window}", view.notes)


def factors(choice: RiskChoice) -> None:
    """Factor exposures, the risk waterfall, and the per-holding detail."""
    cols = st.columns(2)
    method = cols[0].segmented_control("Estimator", ["ols", "ridge"], default="ols", key="risk_factor_method")
    span = cols[1].segmented_control("Attribution window", ["1M", "3M", "1Y"], default="3M", key="risk_attr_window")
    view = cache.factors(choice.user, choice.pid, method or "ols", span or "3M")
    left, right = st.columns(2)
    left.plotly_chart(charts.factor_exposures(view.portfolio), width="stretch")
    right.plotly_chart(charts.risk_waterfall(view.contributions["percent"]), width="stretch")
    metrics(
        [
            ("Risk (annualised)", PCT.format(view.total_vol)),
            ("Factor share", PCT.format(view.factor_share)),
            ("Factor vol", PCT.format(view.factor_vol)),
            ("Specific vol", PCT.format(view.specific_vol)),
        ]
    )
    with st.expander("Exposures per holding, t-stats and attribution"):
        st.dataframe(view.betas.join(view.r2), width="stretch")
        st.dataframe(view.attribution, width="stretch")
    provenance(view, f" · {view.method}, 252 days; attribution over {view.window}", view.notes)


def volatility(choice: RiskChoice) -> None:
    """Realized, EWMA and HAR volatility, the cone and the HAR forecasts."""
    view = cache.volatility(choice.user, choice.pid)
    vols = [
        ("Realized 20 d", view.realized_20),
        ("Realized 60 d", view.realized_60),
        ("EWMA", view.ewma),
        ("HAR 1 d", view.har["h1"]),
        ("HAR 5 d", view.har["h5"]),
        ("HAR 22 d", view.har["h22"]),
    ]
    metrics([(label, PCT.format(value)) for label, value in vols])
    st.caption(f"Today's HAR forecast is at percentile {view.har['percentile']:.0f} of its own history.")
    left, right = st.columns(2)
    left.plotly_chart(charts.vol_cone(view.cone), width="stretch")
    right.plotly_chart(charts.har_forecasts(view.har), width="stretch")
    provenance(view, f" · {view.basis}", view.notes)


def value_at_risk(choice: RiskChoice) -> None:
    """VaR and CVaR at 95 and 99 % for the picked method and horizon, with the P&L distribution."""
    cols = st.columns(2)
    method = (
        cols[0].segmented_control(
            "Method", ["historical", "parametric", "monte_carlo"], default="historical", key="risk_var_method"
        )
        or "historical"
    )
    horizon = cols[1].segmented_control("Horizon (days)", [1, 10], default=1, key="risk_var_horizon") or 1
    view = cache.var(choice.user, choice.pid, method)
    lines = {
        f"{kind} {level:.0%}": view.value(level, horizon, kind.lower())
        for level in (0.95, 0.99)
        for kind in ("VaR", "CVaR")
    }
    metrics([(f"{label} · {horizon} d", f"${loss:,.0f}") for label, loss in lines.items()])
    st.plotly_chart(charts.var_distribution(view.distributions[horizon], lines), width="stretch")
    provenance(view, f" · {method.replace('_', ' ')}", view.notes)


def sectors(choice: RiskChoice) -> None:
    """Sector tilts vs the benchmark's weights, concentration and diversification."""
    view = cache.sectors(choice.user, choice.pid, choice.sector_benchmark)
    st.plotly_chart(charts.sector_tilts(view.tilts), width="stretch")
    st.markdown("#### Concentration & diversification")
    metrics(
        [
            ("HHI", f"{view.hhi:.3f}"),
            ("Effective N", f"{view.effective_n:.1f}"),
            ("Top 1 / 5 / 10", f"{view.top1:.0%} / {view.top5:.0%} / {view.top10:.0%}"),
            ("Band", view.band),
            ("Diversification ratio", f"{view.diversification_ratio:.2f}"),
            ("Avg correlation", f"{view.average_correlation:.2f}"),
        ]
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
