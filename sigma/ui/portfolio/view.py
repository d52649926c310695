"""Drawing the Portfolio view: KPIs, holdings, equity curve, exposures, options, attribution, activity, health.

Formatting only: every number comes from `PortfolioView`, built by the portfolio service.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from sigma.auth.model import AuthUser
from sigma.charts import portfolio as charts
from sigma.conventions import WINDOWS
from sigma.portfolio.health import HealthComponent
from sigma.portfolio.model import PortfolioView
from sigma.ui import cache
from sigma.ui.format import (
    MISSING,
    compact,
    metrics,
    money,
    money_column,
    pct,
    pct_column,
    price_column,
    ratio,
    tidy,
    weight_bar,
)

POSITION_CODES = "Types: LONG / SHORT stock; LC long call, LP long put, SC short call, SP short put."
NUMBERS = [
    "quantity",
    "price",
    "market_value",
    "cost_basis",
    "pnl",
    "pnl_pct",
    "day_pnl",
    "realized_pnl",
    "weight",
    "day_change_pct",
    "target_upside_pct",
]
HOLDINGS_HIDDEN = ("day_change_pct", "spark")  # shown from the table's "eye" menu: the money columns fit
SEVERITY_ICON = {"info": ":material/info:", "warning": ":material/warning:", "critical": ":material/error:"}


def kpis(view: PortfolioView) -> None:
    """The KPI row: abbreviated money so no tile truncates; exact figures in the help."""
    k = view.kpis
    cols = st.columns(7)
    cols[0].metric("NAV", compact(k.nav), help=f"{money(k.nav)}, of which cash {money(k.cash)}")
    cols[1].metric(
        "Day P&L",
        compact(k.day_pnl, signed=True),
        pct(k.day_pnl_pct, signed=True) if pd.notna(k.day_pnl_pct) else None,
        help=f"{money(k.day_pnl, True)} from the last two daily snapshots",
    )
    cols[2].metric("Unrealized P&L", compact(k.unrealized_pnl, signed=True), help=money(k.unrealized_pnl, True))
    for col, label, value, share in (
        (cols[3], "Gross exposure", k.gross, k.gross_pct),
        (cols[4], "Net exposure", k.net, k.net_pct),
    ):
        col.metric(label, compact(value), f"{pct(share, digits=0)} of NAV", delta_color="off", help=money(value))
    beta = k.beta
    cols[5].metric(
        f"Beta vs {view.info.benchmark}",
        ratio(beta),
        help=k.beta_reason or "252-day OLS slope of the book's daily returns on the benchmark's",
    )
    health = k.health
    cols[6].metric(
        "Health", f"{health.score:.0f} · {health.grade}" if health else MISSING, help=k.health_reason or None
    )


def _holdings_columns(frame: pd.DataFrame) -> dict[str, Any]:
    """Column formats of the holdings table (weights as % of NAV, bars scaled to the largest weight)."""
    return {
        "symbol": st.column_config.TextColumn("Symbol", pinned=True),
        "type": st.column_config.TextColumn("Type", help=POSITION_CODES),
        "quantity": st.column_config.NumberColumn("Qty", format="localized", step=1),
        "price": price_column("Price", help="Latest close; an option's model price"),
        "market_value": money_column("Market value"),
        "weight": weight_bar("Weight (% NAV)", frame["weight"], help="Delta-adjusted exposure / NAV"),
        "day_pnl": money_column("Day P&L", help="Change in value since the previous close"),
        "pnl": money_column("Unrealized P&L"),
        "pnl_pct": pct_column("P&L %", help="Unrealized P&L / |cost|"),
        "cost_basis": money_column("Cost basis", help="Quantity × entry price (× multiplier for options)"),
        "realized_pnl": money_column("Realized P&L", help="P&L of this symbol's closed lots (see Closed positions)"),
        "day_change_pct": pct_column("Day", help="Price change over the last trading day"),
        "spark": st.column_config.LineChartColumn("3 months"),
        "target_upside_pct": pct_column("Target upside", help="Target (end of year) / spot − 1; “—”: no target set"),
        "tags": st.column_config.ListColumn("Tags"),
    }


def holdings(view: PortfolioView) -> None:
    """The holdings table, with a Cash line (market values add up to NAV)."""
    frame = view.holdings_with_cash if len(view.holdings_with_cash) else view.holdings
    if frame.empty:
        st.info("No open positions. Add one in the Positions tab or import a broker CSV.")
        return
    config = _holdings_columns(frame)
    cols = [c for c in config if c in frame.columns]
    st.dataframe(
        tidy(frame[cols], NUMBERS),
        column_config=config,
        column_order=[c for c in cols if c not in HOLDINGS_HIDDEN],
        placeholder=MISSING,
        hide_index=True,
        width="stretch",
        height=min(35 * (len(frame) + 1) + 3, 640),
    )
    st.caption(
        "Weights are delta-adjusted exposure as % of NAV; bars are scaled to the largest weight. "
        "Market values and the Cash line add up to NAV."
    )


def equity(view: PortfolioView) -> None:
    """Equity curve vs the benchmark, with drawdowns."""
    if view.equity.empty:
        st.info("Not enough history yet for an equity curve.")
        return
    st.plotly_chart(
        cache.chart(view, "equity", charts.equity_vs_benchmark, view.equity, view.info.benchmark), width="stretch"
    )


EXPOSURE_GROUPS = {"By sector": "sector", "By asset class": "asset_class", "By tag": "tag"}


def exposures(view: PortfolioView) -> None:
    """Exposure by sector (ETFs looked through), asset class or tag, as % of NAV: one chart, the grouping
    chosen above it (three tabs drew three charts on every render, two of them hidden)."""
    choice = st.segmented_control(
        "Group by", list(EXPOSURE_GROUPS), default="By sector", key="exposure_group", label_visibility="collapsed"
    )
    key = EXPOSURE_GROUPS[choice or "By sector"]
    frame = view.exposures.get(key)
    if frame is None or frame.empty:
        st.caption("Nothing to show.")
    else:
        bars = cache.chart(view, key, charts.exposure_bars, frame, "group", view.kpis.nav)
        st.plotly_chart(bars, width="stretch", key="exposure_bars")
    st.caption(
        "Delta-adjusted exposure as % of NAV. Sectors are GICS, with ETFs looked through to their "
        "sector weights (as on the Risk page); bonds, commodities, crypto and cash by asset class."
    )


OPTION_HEADERS = {
    "symbol": st.column_config.TextColumn("Option", pinned=True, width="medium", help="OCC option symbol"),
    "type": st.column_config.TextColumn("Type", help=POSITION_CODES),
    "underlying": st.column_config.TextColumn("Underlying"),
    "strike": price_column("Strike"),
    "expiry": st.column_config.DateColumn("Expiry", format="YYYY-MM-DD"),
    "days_to_expiry": st.column_config.NumberColumn("Days left", format="%d"),
    "quantity": st.column_config.NumberColumn("Contracts", format="%d"),
    "price": price_column("Price", help="Model price per share (× multiplier per contract)"),
    "delta": st.column_config.NumberColumn(
        "Delta ($ per $1)", format="%.1f", help="Position delta: $ change per $1 move of the underlying"
    ),
    "gamma": st.column_config.NumberColumn("Gamma (per $1)", format="%.2f", help="Change of the delta per $1"),
    "theta": money_column("Theta ($/day)", help="Position P&L per calendar day, all else equal"),
    "vega": money_column("Vega ($ per vol pt)", help="Position P&L for +1 volatility point"),
    "dollar_delta": money_column("Dollar delta", help="Delta × underlying price: the equivalent stock position"),
    "vol_source": st.column_config.TextColumn("Volatility", width="medium"),
    "expired": st.column_config.CheckboxColumn("Expired"),
}


def options(view: PortfolioView) -> None:
    """Greeks of the option positions (their own sums, not the whole book's) and the per-option table."""
    frame = view.options
    if frame.empty:
        st.caption("No option positions.")
        return
    k = view.kpis
    metrics(
        [
            ("Options dollar delta", compact(frame["dollar_delta"].sum(), signed=True)),
            ("Dollar gamma (1% move)", money(k.gamma_dollars, signed=True)),
            ("Theta per day", money(k.theta_dollars, signed=True)),
            ("Vega per vol point", money(k.vega_dollars, signed=True)),
        ],
        helps=[f"Whole book, stocks included: {money(k.delta_dollars, True)}", None, None, None],
    )
    numbers = ["strike", "price", "delta", "gamma", "theta", "vega", "dollar_delta"]
    st.dataframe(
        tidy(frame, numbers), hide_index=True, width="stretch", column_config=OPTION_HEADERS, placeholder=MISSING
    )
    st.caption(
        f"{POSITION_CODES} Greeks are per position (sign × contracts × multiplier). Volatility: implied "
        "when a market option price is known, else the underlying's 30-day realized volatility (floored "
        "at 5%); the Volatility column says which."
    )


ATTRIBUTION_WINDOWS = ["1W", "1M", "3M", "1Y"]
DEFAULT_ATTRIBUTION = "1M"


@st.fragment
def attribution(user: AuthUser, view: PortfolioView) -> None:
    """Top contributors and detractors; the window reruns this section only (the page's view is for 1M)."""
    window = (
        st.segmented_control("Window", ATTRIBUTION_WINDOWS, default=DEFAULT_ATTRIBUTION, key="attr_window")
        or DEFAULT_ATTRIBUTION
    )
    if window != DEFAULT_ATTRIBUTION:
        days = WINDOWS[window] or WINDOWS[DEFAULT_ATTRIBUTION] or 21
        view = cache.portfolio_view(user, view.info.id, view.tag, days)
    if view.attribution.empty:
        st.caption("No P&L in this window.")
        return
    st.plotly_chart(
        cache.chart(view, "attribution", charts.attribution_bars, view.attribution), width="stretch", key="attr_chart"
    )
    st.caption(f"P&L by symbol over the last {window}: unrealized change plus realized P&L booked in the window.")


CLOSED_COLUMNS = {
    "position_id": None,
    "symbol": st.column_config.TextColumn("Symbol", width="medium"),
    "type": st.column_config.TextColumn("Type", help=POSITION_CODES),
    "quantity": st.column_config.NumberColumn("Qty", format="localized", step=1),
    "entry_date": st.column_config.DateColumn("Entry", format="YYYY-MM-DD"),
    "entry_price": price_column("Entry price"),
    "exit_date": st.column_config.DateColumn("Exit", format="YYYY-MM-DD"),
    "exit_price": price_column("Exit price"),
    "realized_pnl": money_column("Realized P&L"),
    "realized_pnl_pct": pct_column("Realized %", help="Realized P&L / |cost|"),
}


def closed(view: PortfolioView) -> None:
    """Closed positions with their realized P&L."""
    numbers = ["quantity", "entry_price", "exit_price", "realized_pnl", "realized_pnl_pct"]
    st.dataframe(
        tidy(view.closed, numbers), hide_index=True, width="stretch", column_config=CLOSED_COLUMNS, placeholder=MISSING
    )


def activity(view: PortfolioView) -> None:
    """The activity feed."""
    if not view.activity:
        st.caption("Nothing notable in the last days.")
        return
    st.caption(f"Over the {view.activity[0].period.label}, newest first.")
    for item in view.activity[:25]:
        icon = SEVERITY_ICON.get(str(item.severity), ":material/info:")
        st.markdown(f"{icon} `{item.date:%Y-%m-%d}` **{item.symbol or ''}** {item.message}")


def _times(value: object) -> str:
    text = ratio(value)
    return text if text == MISSING else f"{text}×"


COMPONENT_FORMAT: dict[str, Callable[[object], str]] = {
    "Volatility": _times,  # the book's vol over the benchmark's
    "Concentration": pct,  # the largest position as a share of NAV
    "Leverage": _times,  # gross / NAV
}


def _component_row(c: HealthComponent) -> dict[str, object]:
    value = COMPONENT_FORMAT.get(c.name, ratio)(c.value)
    return {"Component": c.name, "Value": value, "Score": c.score, "Weight": c.weight}


def health(view: PortfolioView) -> None:
    """The health gauge and every component with its value, score and reason in full."""
    score = view.kpis.health
    if score is None:
        st.caption(f"Health score unavailable. {view.kpis.health_reason or ''}")
        return
    st.metric("Health score", f"{score.score:.0f} / 100 · {score.grade}", border=True)
    st.progress(min(max(score.score / 100.0, 0.0), 1.0))  # a bar, not a plotly gauge: one chart fewer
    rows = [_component_row(c) for c in score.components]
    st.dataframe(
        tidy(pd.DataFrame(rows), ["Score", "Weight"]),
        hide_index=True,
        width="stretch",
        column_config={
            "Score": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f"),
            "Weight": pct_column("Weight", digits=0, help="Share of the total score"),
        },
    )
    for c in score.components:
        st.caption(f"**{c.name}.** {c.reason}")
