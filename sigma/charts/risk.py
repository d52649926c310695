"""Figures of the Risk and Correlations pages: pure builders, data in, plotly figure out.

Inputs are the frames and series of the views in `sigma.risk.view` (fractions for returns, vols and
shares; $ for P&L and VaR; percent points for sector tilts). Axes are formatted, never rescaled.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

POS, NEG, MAIN, GREY = "#2ca02c", "#d62728", "#1f4e79", "#9e9e9e"
# Legends sit under the plot, so they never collide with the title.
LAYOUT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "legend": {"orientation": "h", "y": -0.2}}


def _usd(value: float) -> str:
    """-$1,879 (sign before the currency, as everywhere in Sigma)."""
    rounded = round(value)
    return f"{'-' if rounded < 0 else ''}${abs(rounded):,.0f}"


def _signed(values: pd.Series) -> list[str]:
    return [POS if v >= 0 else NEG for v in values.fillna(0.0)]


def rolling_beta(series: pd.Series, benchmark: str, beta: float) -> go.Figure:
    """Rolling 60-day beta with the 252-day beta as a reference line."""
    fig = go.Figure(go.Scatter(x=series.index, y=series.to_numpy(), name="Rolling 60-day beta", line={"color": MAIN}))
    if np.isfinite(beta):
        fig.add_scatter(
            x=[series.index.min(), series.index.max()] if len(series) else [],
            y=[beta, beta],
            mode="lines",
            name=f"252-day beta {beta:.2f}",
            line={"color": GREY, "dash": "dot"},
        )
    fig.update_layout(height=300, title=f"Beta vs {benchmark}", yaxis_title="Beta", yaxis_tickformat=".2f", **LAYOUT)
    return fig


def factor_exposures(portfolio: pd.DataFrame) -> go.Figure:
    """Portfolio factor exposures as bars with 95 % confidence intervals (β ± 1.96·se)."""
    err_hi = (portfolio["ci_high"] - portfolio["exposure"]).to_numpy()
    err_lo = (portfolio["exposure"] - portfolio["ci_low"]).to_numpy()
    fig = go.Figure(
        go.Bar(
            x=portfolio.index,
            y=portfolio["exposure"],
            marker_color=_signed(portfolio["exposure"]),
            error_y={"type": "data", "symmetric": False, "array": err_hi, "arrayminus": err_lo, "color": "#444"},
        )
    )
    fig.update_layout(height=320, title="Factor exposure (95 % interval)", yaxis_title="Beta", **LAYOUT)
    return fig


MIN_LABELLED_SHARE = 0.08  # smaller steps of the waterfall are named on hover only, so labels never overlap


def risk_waterfall(percent: pd.Series, top: int = 12) -> go.Figure:
    """Percentage contribution to risk per holding as a waterfall that ends at 100 %."""
    ordered = percent.sort_values(ascending=False)
    head, rest = ordered.iloc[:top], ordered.iloc[top:]
    labels = [*map(str, head.index), *(["Others"] if len(rest) else []), "Total"]
    values = [*head.to_numpy(), *([rest.sum()] if len(rest) else []), ordered.sum()]
    measure = ["relative"] * (len(values) - 1) + ["total"]
    fig = go.Figure(
        go.Waterfall(
            x=labels,
            y=values,
            measure=measure,
            text=[f"{v:.0%}" if abs(v) >= MIN_LABELLED_SHARE else "" for v in values],
            textposition="inside",
            textangle=0,
            hovertemplate="%{x}: %{y:.1%}<extra></extra>",
            increasing={"marker": {"color": NEG}},
            decreasing={"marker": {"color": POS}},
            totals={"marker": {"color": MAIN}},
        )
    )
    fig.update_layout(height=340, title="Contribution to risk", yaxis_tickformat=".0%", **LAYOUT)
    return fig


def vol_cone(cone: pd.DataFrame) -> go.Figure:
    """Volatility cone: min, quartiles and max of rolling realized vol per window, and today's value."""
    x = [f"{w}d" for w in cone.index]
    fig = go.Figure()
    styles = {
        "max": ("Max", "dot"),
        "p75": ("75th pct", "dash"),
        "median": ("Median", "solid"),
        "p25": ("25th pct", "dash"),
        "min": ("Min", "dot"),
    }
    for col, (name, dash) in styles.items():
        fig.add_trace(go.Scatter(x=x, y=cone[col], name=name, line={"color": GREY, "dash": dash}))
    fig.add_trace(go.Scatter(x=x, y=cone["current"], name="Current", mode="lines+markers", line={"color": MAIN}))
    fig.update_layout(height=320, title="Volatility cone", yaxis_tickformat=".0%", **LAYOUT)
    return fig


def har_forecasts(har: pd.Series) -> go.Figure:
    """HAR-RV forecasts (annualised) for 1, 5 and 22 days."""
    keys = [k for k in ("h1", "h5", "h22") if k in har.index]
    fig = go.Figure(
        go.Bar(x=[f"{k[1:]} day(s)" for k in keys], y=har[keys].to_numpy(), marker_color=MAIN, texttemplate="%{y:.1%}")
    )
    fig.update_layout(height=320, title="HAR forecast", yaxis_tickformat=".0%", **LAYOUT)
    return fig


def var_distribution(sample: np.ndarray, lines: Mapping[str, float]) -> go.Figure:
    """Histogram of the P&L sample ($) with vertical lines at −VaR and −CVaR, named in the legend (no overlap)."""
    fig = go.Figure(
        go.Histogram(
            x=sample,
            nbinsx=60,
            marker_color=MAIN,
            opacity=0.75,
            name="P&L",
            hovertemplate="%{x:$,.0f}: %{y} paths<extra></extra>",
        )
    )
    colors = {"VaR 95%": "#ff7f0e", "CVaR 95%": "#ff7f0e", "VaR 99%": NEG, "CVaR 99%": NEG}
    for label, loss in lines.items():
        if np.isfinite(loss):
            line = {"color": colors.get(label, GREY), "dash": "dash" if label.startswith("CVaR") else "solid"}
            fig.add_vline(x=-loss, line=line)  # full height, no annotation to collide with its neighbours
            fig.add_scatter(x=[None], y=[None], mode="lines", name=f"{label}: {_usd(-loss)}", line=line)
    fig.update_layout(
        height=360,
        title="P&L distribution",
        xaxis_title="P&L ($)",
        xaxis_tickformat="$,.0f",
        yaxis_title="Paths",
        bargap=0.02,
        **LAYOUT,
    )
    fig.update_layout(legend={"orientation": "h", "y": -0.25})
    return fig


def stress_bars(frame: pd.DataFrame, label: str, top: int = 20) -> go.Figure:
    """Stress P&L ($) per row of `frame` (column pnl), largest moves first, losses red."""
    data = frame.reindex(frame["pnl"].abs().sort_values(ascending=False).index).iloc[:top].iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=data["pnl"],
            y=[str(i) for i in data.index],
            orientation="h",
            marker_color=_signed(data["pnl"]),
            hovertemplate="%{y}: %{x:$,.0f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=max(260, 24 * len(data) + 80), title=f"Stress P&L by {label}", xaxis_tickformat="$,.0f", **LAYOUT
    )
    fig.update_yaxes(automargin=True)
    return fig


def sector_tilts(tilts: pd.DataFrame) -> go.Figure:
    """Over/underweight per GICS sector vs the benchmark, in percent points."""
    data = tilts.sort_values("active_pp")
    fig = go.Figure(
        go.Bar(
            x=data["active_pp"],
            y=data.index,
            orientation="h",
            marker_color=_signed(data["active_pp"]),
            customdata=data[["portfolio_pp", "benchmark_pp"]].to_numpy(),
            hovertemplate="%{y}: %{x:+.1f} pp (portfolio %{customdata[0]:.1f} %, "
            "benchmark %{customdata[1]:.1f} %)<extra></extra>",
        )
    )
    fig.update_layout(height=380, title="Sector over/underweight", xaxis_title="percent points", **LAYOUT)
    return fig


CELL_TEXT_MAX = 20  # write ρ in the cells up to this many symbols
TICK_LABELS_MAX = 200  # past this many symbols, hide the tick labels (hover and zoom still name the pair)


def correlation_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Correlation heatmap in the matrix's (clustered) order, −1 blue to +1 red.

    Up to 20 symbols each cell shows ρ; past 60 the figure grows (9 px a row, up to 1,500 px) and the
    labels shrink, so 150 symbols stay readable as labelled blocks of the clustered order (hover
    names the pair, the plot zooms); past 200 the tick labels are hidden.
    """
    labels = [str(c) for c in matrix.columns]
    n = len(labels)
    small = n <= CELL_TEXT_MAX
    fig = go.Figure(
        go.Heatmap(
            z=matrix.to_numpy(),
            x=labels,
            y=labels,
            zmin=-1.0,
            zmax=1.0,
            colorscale="RdBu_r",
            colorbar={"title": {"text": "ρ"}, "thickness": 14},
            texttemplate="%{z:.2f}" if small else None,
            textfont={"size": 11 if n <= 12 else 9},
            hovertemplate="%{y} / %{x}: ρ = %{z:.2f}<extra></extra>",
            xgap=1 if small else 0,
            ygap=1 if small else 0,
        )
    )
    side = min(900, max(380, (34 if small else 12) * n + 140)) if n <= 60 else min(1500, 9 * n + 140)
    font = 11 if n <= 30 else 8 if n <= 60 else 7
    ticks = {"showticklabels": n <= TICK_LABELS_MAX, "tickfont": {"size": font}, "automargin": True, "dtick": 1}
    fig.update_xaxes(tickangle=-45, **ticks)
    fig.update_yaxes(autorange="reversed", **ticks)
    fig.update_layout(height=side, margin={"l": 10, "r": 10, "t": 10, "b": 10}, dragmode="zoom")
    return fig


def pair_chart(prices: pd.DataFrame, rolling: pd.Series) -> go.Figure:
    """Both prices rebased to 100 above, their rolling 60-day correlation below."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.05)
    for col, color in zip(prices.columns, (MAIN, "#ff7f0e"), strict=False):
        fig.add_trace(go.Scatter(x=prices.index, y=prices[col], name=str(col), line={"color": color}), row=1, col=1)
    fig.add_trace(
        go.Scatter(x=rolling.index, y=rolling.to_numpy(), name="Rolling 60-day correlation", line={"color": GREY}),
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="Rebased (100)", row=1, col=1)
    fig.update_yaxes(title_text="Correlation", range=[-1, 1], row=2, col=1)
    fig.update_layout(height=460, **LAYOUT)
    return fig
