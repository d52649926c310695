"""A tiny app for AppTest: the login gate, a welcome line, and the logout button."""

from __future__ import annotations

import streamlit as st

from sigma.ui.auth import current_user, login_gate, logout_button
from tests.auth.apps import harness

assert harness.SERVICE is not None and harness.SETTINGS is not None, "the test sets the harness first"
user = login_gate(harness.SERVICE, harness.SETTINGS)
st.write(f"Welcome {user.name}")
st.caption(f"current_user: {current_user()}")
logout_button(harness.SERVICE)
