"""Drawing the Portfolio view: KPIs, holdings, equity curve, exposures, options, attribution, activity, health.

Formatting only: every number comes from `PortfolioView`, built by the portfolio service.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sigma.charts import portfolio as charts
from sigma.portfolio.model import PortfolioView
from sigma.ui.format import compact, money, pct

SEVERITY_ICON = {"info": ":material/info:", "warning": ":material/warning:", "critical": ":material/error:"}


def kpis(view: PortfolioView) -> None:
    """The KPI row."""
    k = view.kpis
    cols = st.columns(7)
    cols[0].metric("NAV", compact(k.nav), help=f"{money(k.nav)}; cash {money(k.cash)}")
    cols[1].metric("Day P&L", compact(k.day_pnl, signed=True), pct(k.day_pnl_pct, signed=True))
    cols[2].metric("Unrealized P&L", compact(k.unrealized_pnl, signed=True), help=money(k.unrealized_pnl, True))
    cols[3].metric(
        "Gross exposure", compact(k.gross), pct(k.gross / k.nav) + " of NAV" if k.nav else None, delta_color="off"
    )
    cols[4].metric("Net exposure", compact(k.net), pct(k.net / k.nav) + " of NAV" if k.nav else None, delta_color="off")
    beta = k.beta
    cols[5].metric(f"Beta vs {view.info.benchmark}", "—" if beta is None or pd.isna(beta) else f"{beta:.2f}")
    health = k.health
    cols[6].metric("Health", f"{health.score:.0f} · {health.grade}" if health else "—")


HOLDINGS_COLUMNS = {
    "symbol": st.column_config.TextColumn("Symbol", pinned=True),
    "type": st.column_config.TextColumn("Type"),
    "quantity": st.column_config.NumberColumn("Qty", format="%.0f"),
    "price": st.column_config.NumberColumn("Price", format="$%.2f"),
    "market_value": st.column_config.NumberColumn("Market value", format="$%,.0f"),
    "pnl": st.column_config.NumberColumn("P&L", format="$%,.0f"),
    "pnl_pct": st.column_config.NumberColumn("P&L %", format="percent"),
    "weight": st.column_config.ProgressColumn("Weight", format="percent", min_value=-1.0, max_value=1.0),
    "day_change_pct": st.column_config.NumberColumn("Day", format="percent"),
    "spark": st.column_config.LineChartColumn("3 months"),
    "tags": st.column_config.ListColumn("Tags"),
    "target_upside_pct": st.column_config.NumberColumn("Target upside", format="percent"),
}


def holdings(view: PortfolioView) -> None:
    """The holdings table."""
    frame = view.holdings
    if frame.empty:
        st.info("No open positions. Add one in the Positions tab or import a broker CSV.")
        return
    cols = [c for c in HOLDINGS_COLUMNS if c in frame.columns]
    st.dataframe(
        frame[cols],
        column_config=HOLDINGS_COLUMNS,
        hide_index=True,
        width="stretch",
        height=min(38 * (len(frame) + 1), 640),
    )


def equity(view: PortfolioView) -> None:
    """Equity curve vs the benchmark, with drawdowns."""
    if view.equity.empty:
        st.info("Not enough history yet for an equity curve.")
        return
    st.plotly_chart(charts.equity_vs_benchmark(view.equity, view.info.benchmark), width="stretch")


def exposures(view: PortfolioView) -> None:
    """Exposure by sector, asset class and tag."""
    tabs = st.tabs(["By sector", "By asset class", "By tag"])
    for tab, key in zip(tabs, ("sector", "asset_class", "tag"), strict=True):
        with tab:
            frame = view.exposures.get(key)
            if frame is None or frame.empty:
                st.caption("Nothing to show.")
                continue
            st.plotly_chart(charts.exposure_bars(frame, "group", view.kpis.nav), width="stretch", key=f"exp_{key}")


def options(view: PortfolioView) -> None:
    """Greeks summary and the per-option table."""
    k = view.kpis
    cols = st.columns(4)
    cols[0].metric("Dollar delta", compact(k.delta_dollars, signed=True))
    cols[1].metric("Dollar gamma (1 %)", money(k.gamma_dollars, signed=True))
    cols[2].metric("Theta per day", money(k.theta_dollars, signed=True))
    cols[3].metric("Vega per vol point", money(k.vega_dollars, signed=True))
    if view.options.empty:
        st.caption("No option positions.")
        return
    st.dataframe(
        view.options,
        hide_index=True,
        width="stretch",
        column_config={
            "strike": st.column_config.NumberColumn("Strike", format="$%.2f"),
            "price": st.column_config.NumberColumn("Price", format="$%.2f"),
            "dollar_delta": st.column_config.NumberColumn("$ delta", format="$%,.0f"),
            "days_to_expiry": st.column_config.NumberColumn("Days to expiry", format="%d"),
        },
    )
    st.caption(
        "Volatility: implied when a market option price is known, else the underlying's 30-day "
        "realized volatility (floored at 5 %); the vol source column says which."
    )


def attribution(view: PortfolioView) -> None:
    """Top contributors and detractors over the window."""
    if view.attribution.empty:
        st.caption("No P&L in this window.")
        return
    st.plotly_chart(charts.attribution_bars(view.attribution), width="stretch")


def activity(view: PortfolioView) -> None:
    """The activity feed."""
    if not view.activity:
        st.caption("Nothing notable in the last days.")
        return
    for item in view.activity[:25]:
        icon = SEVERITY_ICON.get(str(item.severity), ":material/info:")
        st.markdown(f"{icon} `{item.date:%Y-%m-%d}` **{item.symbol or ''}** {item.message}")


def health(view: PortfolioView) -> None:
    """The health gauge and every component with its value and reason."""
    score = view.kpis.health
    if score is None:
        st.caption("Health score unavailable.")
        return
    left, right = st.columns([1, 2])
    left.plotly_chart(charts.health_gauge(score.score, score.grade), width="stretch")
    rows = [{"Component": c.name, "Value": c.value, "Score": c.score, "Why": c.reason} for c in score.components]
    right.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={"Score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")},
    )
