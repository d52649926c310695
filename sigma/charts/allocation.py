"""Figures of the Portfolio page's allocation and income: a treemap of the book, dividends by month."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

RECEIVED_COLOR, PROJECTED_COLOR = "#1f4e79", "#9ecae1"
CLASS_COLORS = {
    "Equities": "#1f4e79",
    "ETFs": "#3a7ab8",
    "Bonds": "#5b8c5a",
    "Cash": "#a0a4a8",
    "Cash ETFs": "#b8bcc0",
    "Commodities": "#c9a227",
    "Crypto": "#7d5ba6",
    "Real estate": "#a0522d",
}
OTHER_COLOR = "#6b7b8c"


def _colors(tree: pd.DataFrame) -> list[str]:
    """Each tile in its asset class's colour (cash grey, never the alarm red of the default colourway)."""
    parent = dict(zip(tree["id"], tree["parent"], strict=True))
    label = dict(zip(tree["id"], tree["label"], strict=True))

    def root(node: str) -> str:
        for _ in range(len(parent)):  # bounded walk up to the asset class
            up = parent.get(node, "")
            if not up:
                return str(label.get(node, ""))
            node = up
        return ""

    return [CLASS_COLORS.get(root(i), OTHER_COLOR) for i in tree["id"]]


def allocation_treemap(tree: pd.DataFrame) -> go.Figure:
    """Asset class → sector → position treemap; `tree` columns id, parent, label, value (fraction of NAV), exposure ($).

    Parents carry the sum of their children (`branchvalues="total"`); tiles show the label and the
    share of NAV, the hover the dollars as well.
    """
    fig = go.Figure(
        go.Treemap(
            ids=tree["id"],
            parents=tree["parent"],
            labels=tree["label"],
            values=tree["value"],
            customdata=tree["exposure"],
            branchvalues="total",
            texttemplate="%{label}<br>%{value:.1%}",
            hovertemplate="<b>%{label}</b><br>%{value:.2%} of NAV<br>$%{customdata:,.0f}<extra></extra>",
            maxdepth=3,
            marker={"colors": _colors(tree)},
        )
    )
    fig.update_layout(height=480, margin={"l": 5, "r": 5, "t": 5, "b": 5})
    return fig


def dividends_by_month(by_month: pd.DataFrame) -> go.Figure:
    """Bars of dividends by month, received and projected in two colours; `by_month`: month, amount, basis."""
    fig = go.Figure()
    for basis, color in (("received", RECEIVED_COLOR), ("projected", PROJECTED_COLOR)):
        rows = by_month[by_month["basis"] == basis]
        if len(rows):
            fig.add_trace(
                go.Bar(
                    x=rows["month"],
                    y=rows["amount"],
                    name=basis.capitalize(),
                    marker_color=color,
                    hovertemplate="%{x}: $%{y:,.0f}<extra></extra>",
                )
            )
    fig.update_layout(
        height=280,
        barmode="stack",
        yaxis_tickprefix="$",
        yaxis_tickformat=",.0f",
        xaxis_type="category",
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
    )
    return fig
