"""Admin: users, data quality, and the jobs process (queue a run, watch its progress)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sigma.auth.model import AuthUser
from sigma.errors import SigmaError
from sigma.ui import shell
from sigma.ui.auth import current_user
from sigma.ui.format import MISSING

svc = shell.services()
user = current_user()
st.title("Admin")
if user is None:
    st.stop()
try:
    view = svc.admin.view(user)
except SigmaError as err:
    shell.show_error(err)
    raise

status = view.scheduler
(st.success if status.alive else st.warning)(
    f"Jobs process: {'running' if status.alive else 'not running'} — {status.message}"
    + (f"; last heartbeat {status.last_beat:%Y-%m-%d %H:%M:%S} UTC" if status.last_beat else "")
)

st.markdown("#### Jobs")
cols = st.columns(len(view.jobs))
for col, spec in zip(cols, view.jobs, strict=True):
    with col:
        st.markdown(f"**{spec.name}**")
        st.caption(f"{spec.description} · {spec.schedule}")
        if st.button(f"Run {spec.name} now", key=f"run_{spec.name}"):
            try:
                svc.admin.request_job(user, spec.name)
                st.toast(f"Queued {spec.name}; the jobs process picks it up within seconds.")
            except SigmaError as err:
                st.error(str(err))


@st.fragment(run_every=5)
def runs(acting: AuthUser) -> None:
    """Recent runs, refreshed every few seconds while the page is open."""
    recent, pending = svc.admin.runs(acting)
    if pending:
        st.caption("Queued: " + ", ".join(f"{r.job} ({r.status})" for r in pending))
    frame = pd.DataFrame([r.__dict__ for r in recent])
    if frame.empty:
        st.caption("No runs yet.")
        return
    st.dataframe(
        frame[["id", "job", "status", "trigger", "phase", "progress", "message", "started_at", "finished_at"]],
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={"progress": st.column_config.ProgressColumn(min_value=0, max_value=1)},
    )


st.markdown("#### Recent runs")
runs(user)

st.markdown("#### Users")
USER_LABELS = {"id": "Id", "username": "Username", "name": "Name", "email": "Email", "role": "Role"}
USER_LABELS |= {"is_active": "Active", "failures": "Failed logins", "locked": "Locked", "locked_until": "Locked until"}
st.dataframe(
    view.users,
    hide_index=True,
    width="stretch",
    placeholder=MISSING,
    column_config={k: st.column_config.Column(v) for k, v in USER_LABELS.items()},
)

st.markdown("#### Data quality")
q = view.quality
st.caption(view.quality_note)
if q.empty:
    st.caption("No prices stored yet.")
else:
    counts = q["status"].value_counts()
    st.caption(" · ".join(f"{k}: {v}" for k, v in counts.items()))
    rank = q["status"].map({"error": 0, "warning": 1}).fillna(2)  # problems first, with their reasons
    q = q.assign(_rank=rank).sort_values(["_rank", "symbol"]).drop(columns="_rank")
    first = [c for c in ("symbol", "status", "reason") if c in q.columns]
    st.dataframe(
        q[first + [c for c in q.columns if c not in first]],
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={
            "reason": st.column_config.TextColumn("Reason", width="large"),
            "coverage": st.column_config.NumberColumn("Coverage", format="percent", help="Stored rows / business days"),
            "worst_jump": st.column_config.NumberColumn("Worst jump", format="percent"),
            "days_since_last": st.column_config.NumberColumn("Days since last"),
            "max_gap": st.column_config.NumberColumn("Longest gap (days)"),
            "bad_values": st.column_config.NumberColumn("Bad values"),
        },
    )
