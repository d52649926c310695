"""The console's runs: live progress of a running batch, the phase timeline, the recent runs.

A fragment re-reads `AdminService.runs` every few seconds while the page is open, so a running
batch's progress bar and its phases move without reloading the page (only this part reruns).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from sigma.auth.model import AuthUser
from sigma.batch.queue import RequestView
from sigma.batch.runs import RunView
from sigma.batch.status import JobStatus
from sigma.charts.batch import phase_timeline
from sigma.errors import SigmaError
from sigma.ui import shell
from sigma.ui.admin.timeline import phase_frame
from sigma.ui.format import MISSING, pct

POLL_SECONDS = 5
PHASE_ICONS = {
    "succeeded": ":material/check_circle:",
    "partial": ":material/error:",
    "failed": ":material/cancel:",
    "died": ":material/cancel:",
    "running": ":material/progress_activity:",
    "skipped": ":material/skip_next:",
    "interrupted": ":material/pause_circle:",
}
RUN_COLUMNS = ["id", "job", "status", "trigger", "phase", "progress", "message", "started_at", "finished_at"]


def _pending(pending: list[RequestView]) -> None:
    if pending:
        st.caption("Queued: " + "; ".join(f"{r.job} ({r.status}{_params(r.params)})" for r in pending))


def _params(params: dict[str, object]) -> str:
    return "".join(f", {k} {v}" for k, v in params.items() if v)


def _live(run: RunView) -> None:
    """A running run: its progress bar, then one line per phase so far."""
    doing = f" — {run.phase}" if run.phase else ""
    st.progress(min(max(run.progress, 0.0), 1.0), text=f"#{run.id} {run.job}{doing}: {pct(run.progress, digits=0)}")
    for phase in run.phases:
        icon = PHASE_ICONS.get(str(phase.status), ":material/radio_button_unchecked:")
        failed = f", {len(phase.failures)} failed" if phase.failures else ""
        st.caption(f"{icon} {phase.name}: {phase.status} ({phase.items} items{failed}) {phase.message}")


def _table(recent: list[RunView]) -> None:
    frame = pd.DataFrame([{c: getattr(r, c) for c in RUN_COLUMNS} for r in recent], columns=RUN_COLUMNS)
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={"progress": st.column_config.ProgressColumn("progress", min_value=0, max_value=1)},
    )


@st.fragment(run_every=POLL_SECONDS)
def runs(acting: AuthUser) -> None:
    """Queued requests, live progress, the phase timeline and the recent runs, refreshed while open."""
    try:
        recent, pending = shell.services().admin.runs(acting)
    except SigmaError as err:
        st.warning(str(err))
        return
    _pending(pending)
    for run in [r for r in recent if r.status == JobStatus.RUNNING]:
        _live(run)
    if not recent:
        st.caption("No runs yet.")
        return
    timeline = phase_frame(recent, datetime.now(UTC))
    if len(timeline):
        st.plotly_chart(phase_timeline(timeline), width="stretch", key="adm_timeline")
    _table(recent)
