"""Figures of the operations console: the phase timeline of recent batch runs (a Gantt).

Input: one row per phase of a run, with columns `run` (the row's label, e.g. "#12 batch"),
`phase`, `status` (a `JobStatus` value), `start` and `finish` (timezone-aware UTC datetimes; a
running phase finishes "now"), `failures` (failed items) and `message`. Each run is one row of
the chart, its phases consecutive bars coloured by status; a phase that failed, died or lost
items carries a cross at its end. Durations are in milliseconds on a date axis (plotly's
timeline convention: `base` is the start, `x` the length).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

STATUS_COLORS = {
    "succeeded": "#2ca02c",
    "partial": "#e6a117",
    "failed": "#d62728",
    "died": "#8c1c13",
    "interrupted": "#7d5ba6",
    "skipped": "#9e9e9e",
    "running": "#1f77b4",
}
OTHER_COLOR = "#6b7b8c"
FAILED = ("failed", "died")
MARK_COLOR = "#000000"
COLUMNS = ("run", "phase", "status", "start", "finish", "failures", "message")
ROW_HEIGHT, MIN_HEIGHT = 34, 180


def duration_ms(frame: pd.DataFrame) -> pd.Series:
    """Each phase's length in milliseconds (0 for a phase that has not started)."""
    spans = pd.to_datetime(frame["finish"], utc=True) - pd.to_datetime(frame["start"], utc=True)
    return (spans.dt.total_seconds() * 1000.0).fillna(0.0).clip(lower=0.0)


def took(ms: float) -> str:
    """A phase's length for the hover: "850 ms", "12.4 s", "3 min 05 s"."""
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000.0
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def marked(frame: pd.DataFrame) -> pd.Series:
    """True for the phases that get a cross: failed or died, or with failed items."""
    failures = pd.to_numeric(frame["failures"], errors="coerce").fillna(0)
    return frame["status"].isin(FAILED) | (failures > 0)


def _bars(fig: go.Figure, data: pd.DataFrame) -> None:
    """One bar trace per status (so the legend names the colours): base the start, length the duration."""
    lengths = duration_ms(data)
    data = data.assign(took=[took(ms) for ms in lengths])
    for status in dict.fromkeys(data["status"]):
        part = data["status"] == status
        fig.add_bar(
            y=data.loc[part, "run"],
            x=lengths[part],
            base=pd.to_datetime(data.loc[part, "start"], utc=True),
            orientation="h",
            name=str(status),
            marker={"color": STATUS_COLORS.get(str(status), OTHER_COLOR)},
            text=data.loc[part, "phase"],
            textposition="inside",
            insidetextanchor="middle",
            customdata=data.loc[part, ["phase", "failures", "message", "took"]].to_numpy(),
            hovertemplate="<b>%{customdata[0]}</b> · "
            + str(status)
            + " · %{customdata[3]}<br>failed items: %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        )


def _crosses(fig: go.Figure, data: pd.DataFrame) -> None:
    """A cross at the end of each phase that failed, died or lost items."""
    crosses = data.loc[marked(data)]
    if len(crosses):
        fig.add_scatter(
            y=crosses["run"],
            x=pd.to_datetime(crosses["finish"], utc=True),
            mode="markers",
            name="failures",
            marker={"symbol": "x", "size": 11, "color": MARK_COLOR, "line": {"width": 1}},
            customdata=crosses[["phase", "failures"]].to_numpy(),
            hovertemplate="<b>%{customdata[0]}</b>: %{customdata[1]} failed item(s)<extra></extra>",
        )


def phase_timeline(frame: pd.DataFrame) -> go.Figure:
    """A Gantt of phase durations, one row per run (newest on top), coloured by status, failures crossed."""
    fig = go.Figure()
    data = frame.loc[frame["start"].notna()].reset_index(drop=True)
    if len(data):
        _bars(fig, data)
        _crosses(fig, data)
    runs = list(dict.fromkeys(data["run"]))
    fig.update_yaxes(categoryorder="array", categoryarray=runs[::-1], title=None)
    fig.update_xaxes(type="date", title="UTC")
    fig.update_layout(
        barmode="overlay",
        height=max(MIN_HEIGHT, ROW_HEIGHT * len(runs) + 90),
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
