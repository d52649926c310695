"""Admin: the operations console (scheduler, queue, runs), data quality, users and the audit log."""

from __future__ import annotations

import streamlit as st

from sigma.errors import SigmaError
from sigma.ui import shell
from sigma.ui.admin import console, quality, runs, users
from sigma.ui.auth import current_user

svc = shell.services()
user = current_user()
st.title("Admin")
if user is None:
    st.stop()
    raise SystemExit  # unreachable: st.stop() raises
try:
    view = svc.admin.view(user)
except SigmaError as err:
    shell.show_error(err)
    raise

console.show_flash()
st.markdown("#### Operations")
console.console(svc, user, view)

st.markdown("#### Recent runs")
runs.runs(user)

st.markdown("#### Data quality")
quality.quality(view)

st.markdown("#### Users")
users.user_table(view.users)
with st.expander("Create a user"):
    users.create_form(svc, user)
with st.expander("Manage a user", expanded=True):
    users.manage(svc, user, view.users)

st.markdown("#### Audit log")
users.audit_log(view.audit)
