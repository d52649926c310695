"""Runs to the phase timeline's frame (`sigma.charts.batch.phase_timeline`); no Streamlit here.

One row per phase that has started; a phase still running (no finish yet) ends at `now`, so the
live timeline grows while the page polls.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pandas as pd

from sigma.batch.runs import RunView
from sigma.charts.batch import COLUMNS


def _utc(moment: datetime | None) -> datetime | None:
    """Naive timestamps (SQLite) were written as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def phase_frame(runs: Sequence[RunView], now: datetime) -> pd.DataFrame:
    """The Gantt's rows (`sigma.charts.batch.COLUMNS`) for the runs that recorded phases, in run order."""
    rows = [
        {
            "run": f"#{run.id} {run.job}",
            "phase": phase.name,
            "status": str(phase.status),
            "start": _utc(phase.started_at),
            "finish": _utc(phase.finished_at) or now,
            "failures": len(phase.failures),
            "message": phase.message,
        }
        for run in runs
        for phase in run.phases
        if phase.started_at is not None
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))
