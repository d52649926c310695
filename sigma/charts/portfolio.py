"""Figures of the Portfolio page: equity vs benchmark with drawdown, exposures, health gauge, attribution."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

LONG_COLOR, SHORT_COLOR, NET_COLOR = "#1f77b4", "#d62728", "#2ca02c"
PORTFOLIO_COLOR, BENCH_COLOR = "#1f4e79", "#9e9e9e"


def equity_vs_benchmark(equity: pd.DataFrame, benchmark: str) -> go.Figure:
    """Cumulative time-weighted return against the benchmark, drawdowns below.

    `equity` columns: date, twr_cum, benchmark_cum, drawdown, benchmark_drawdown (fractions).
    """
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.04)
    x = equity["date"]
    fig.add_trace(
        go.Scatter(x=x, y=equity["twr_cum"], name="Portfolio (TWR)", line={"color": PORTFOLIO_COLOR}), row=1, col=1
    )
    if "benchmark_cum" in equity:
        fig.add_trace(
            go.Scatter(x=x, y=equity["benchmark_cum"], name=benchmark, line={"color": BENCH_COLOR, "dash": "dot"}),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter(x=x, y=equity["drawdown"], name="Drawdown", fill="tozeroy", line={"color": SHORT_COLOR, "width": 1}),
        row=2,
        col=1,
    )
    if "benchmark_drawdown" in equity:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=equity["benchmark_drawdown"],
                name=f"{benchmark} drawdown",
                line={"color": BENCH_COLOR, "width": 1, "dash": "dot"},
            ),
            row=2,
            col=1,
        )
    fig.update_yaxes(tickformat=".0%", title_text="Cumulative return", row=1, col=1)
    fig.update_yaxes(tickformat=".0%", title_text="Drawdown", row=2, col=1)
    fig.update_layout(
        height=460,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        hovermode="x unified",
        legend={"orientation": "h", "y": 1.08},
    )
    return fig


def exposure_bars(frame: pd.DataFrame, group: str, nav: float) -> go.Figure:
    """Long, short and net exposure per group as % of NAV (`frame`: group, long, short, net)."""
    data = frame.sort_values("net")
    scale = 1.0 / nav if nav else 0.0
    fig = go.Figure()
    hover = "%{y}: %{x:.1%} of NAV<extra>%{fullData.name}</extra>"
    for side, name, color in (("long", "Long", LONG_COLOR), ("short", "Short", SHORT_COLOR)):
        fig.add_bar(
            y=data[group], x=data[side] * scale, name=name, orientation="h", marker_color=color, hovertemplate=hover
        )
    fig.add_scatter(
        y=data[group],
        x=data["net"] * scale,
        name="Net",
        mode="markers",
        marker={"color": NET_COLOR, "size": 10, "symbol": "diamond"},
        hovertemplate=hover,
    )
    fig.update_layout(
        barmode="relative",
        height=max(240, 28 * len(data) + 80),
        xaxis_tickformat=".0%",
        xaxis_title="% of NAV",
        yaxis_automargin=True,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def attribution_bars(frame: pd.DataFrame) -> go.Figure:
    """P&L by position over the window, contributors green and detractors red (`frame`: symbol, pnl)."""
    data = frame.sort_values("pnl")
    colors = [NET_COLOR if v >= 0 else SHORT_COLOR for v in data["pnl"]]
    fig = go.Figure(
        go.Bar(
            x=data["pnl"],
            y=data["symbol"],
            orientation="h",
            marker_color=colors,
            hovertemplate="%{y}: %{x:$,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(240, 24 * len(data) + 60),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        xaxis_tickformat="$,.0f",  # d3 puts the sign first: −$1,879
        xaxis_title="P&L over the window",
    )
    return fig


def value_vs_benchmark(values: pd.DataFrame, benchmark: str) -> go.Figure:
    """Portfolio value and the benchmark rebased to the portfolio's first value (`values`: date, nav, bench)."""
    fig = go.Figure()
    fig.add_scatter(x=values["date"], y=values["nav"], name="Portfolio value", line={"color": PORTFOLIO_COLOR})
    fig.add_scatter(
        x=values["date"],
        y=values["bench"],
        name=f"{benchmark} (same start)",
        line={"color": BENCH_COLOR, "dash": "dot"},
    )
    fig.update_layout(
        height=360,
        yaxis_tickformat="$,.0f",
        hovermode="x unified",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h"},
    )
    return fig
