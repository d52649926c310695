"""The console's head: the scheduler's state, the next run times, and the buttons that queue a run.

Every queued run is an admin action: `AdminService.request_job` writes the request and its audit
row together. A refusal (`SigmaError`) is shown next to the button and nothing is queued.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial

import pandas as pd
import streamlit as st

from sigma.auth.model import AuthUser
from sigma.batch.admin import AdminView, SchedulerStatus
from sigma.batch.status import Json
from sigma.errors import SigmaError
from sigma.wiring import Services

FLASH_KEY = "admin_flash"
ALL_PHASES = "All phases"
BATCH = "batch"


def flash_then_rerun(message: str) -> None:
    """Keep a confirmation for the next run and rerun, so the page reads the state just written."""
    st.session_state[FLASH_KEY] = message
    st.rerun()


def show_flash() -> None:
    """Show (once) the confirmation left by the last admin action."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def attempt(action: Callable[[], object], success: str) -> None:
    """Run one admin action; show its error, or rerun with `success` as the confirmation."""
    try:
        action()
    except SigmaError as err:
        st.error(str(err))
        return
    flash_then_rerun(success)


def scheduler(status: SchedulerStatus) -> None:
    """Running (with the heartbeat's age) or not running, with how to start it."""
    if status.alive:
        age = f"{status.age.total_seconds():.0f} s ago" if status.age is not None else "just now"
        st.success(f"Jobs process running — {status.message}; last heartbeat {age}", icon=":material/sync:")
    else:
        seen = f" Last heartbeat {status.last_beat:%Y-%m-%d %H:%M:%S} UTC." if status.last_beat else ""
        st.warning(f"Jobs process not running: {status.message}.{seen}", icon=":material/sync_problem:")


def next_runs(view: AdminView) -> None:
    """When each scheduled job runs next, with its cron and the variable that sets it."""
    rows = [
        {
            "Job": n.job,
            "Next run (UTC)": f"{n.next_run:%a %Y-%m-%d %H:%M}" if n.next_run else "never",
            "Cron": n.cron,
            "Set by": n.variable,
        }
        for n in view.next_runs
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def batch_form(svc: Services, user: AuthUser, phases: tuple[str, ...]) -> None:
    """Queue the nightly batch: all phases or one, every portfolio or one, optionally from a date."""
    with st.form("adm_queue_batch"):
        cols = st.columns(3)
        phase = cols[0].selectbox("Phase", [ALL_PHASES, *phases], key="adm_phase")
        pid = cols[1].number_input("Portfolio id (0: every portfolio)", min_value=0, step=1, key="adm_pid")
        since = cols[2].date_input("Recompute from (optional)", value=None, key="adm_from")
        submitted = st.form_submit_button("Queue batch run", icon=":material/play_arrow:")
    if submitted:
        params = batch_params(str(phase), int(pid), since if isinstance(since, date) else None)
        attempt(lambda: svc.admin.request_job(user, BATCH, params), f"Queued the batch ({describe(params)}).")


def batch_params(phase: str, pid: int, since: date | None) -> Json:
    """The form's choices as request parameters (what `BatchRequest.params` writes)."""
    params: Json = {}
    if phase != ALL_PHASES:
        params["phases"] = [phase]
    if pid > 0:
        params["portfolios"] = [pid]
    if since is not None:
        params["from"] = since.isoformat()
    return params


def describe(params: Json) -> str:
    """ "all phases, every portfolio" or the choices made."""
    phases = params.get("phases")
    pids = params.get("portfolios")
    parts = [
        f"phase {', '.join(map(str, phases))}" if isinstance(phases, list) else "all phases",
        f"portfolio {', '.join(map(str, pids))}" if isinstance(pids, list) else "every portfolio",
    ]
    if params.get("from"):
        parts.append(f"from {params['from']}")
    return ", ".join(parts)


def job_buttons(svc: Services, user: AuthUser, view: AdminView) -> None:
    """One button per single-phase job (market data, snapshots, profiles), to run it alone now."""
    single = [spec for spec in view.jobs if spec.name != BATCH]
    for col, spec in zip(st.columns(max(len(single), 1)), single, strict=False):
        with col:
            st.markdown(f"**{spec.name}**")
            st.caption(f"{spec.description} · {spec.schedule}")
            if st.button(f"Run {spec.name} now", key=f"run_{spec.name}"):
                attempt(partial(svc.admin.request_job, user, spec.name), f"Queued {spec.name}.")


def console(svc: Services, user: AuthUser, view: AdminView) -> None:
    """The console's head: scheduler, next runs, queue buttons."""
    scheduler(view.scheduler)
    next_runs(view)
    st.markdown("#### Queue a run")
    st.caption("The jobs process picks queued runs up within seconds; each request is written to the audit log.")
    batch_form(svc, user, view.phases)
    job_buttons(svc, user, view)
