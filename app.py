"""Sigma's entry point: page config, login gate, navigation, and the shared sidebar."""

from __future__ import annotations

import streamlit as st

from sigma.ui import shell
from sigma.ui.auth import login_gate, logout_button

st.set_page_config(page_title="Sigma", page_icon=":material/monitoring:", layout="wide")

services = shell.services()
user = login_gate(services.auth, services.settings)

book_pages = [
    st.Page(
        "pages/portfolio.py",
        title="Portfolio",
        icon=":material/account_balance_wallet:",
        url_path="portfolio",
        default=True,
    ),
    st.Page("pages/risk.py", title="Risk", icon=":material/query_stats:", url_path="risk"),
    st.Page("pages/correlations.py", title="Correlations", icon=":material/grid_on:", url_path="correlations"),
]
sections: dict[str, list[st.Page]] = {"Book": book_pages}
if user.is_admin:
    sections["Admin"] = [
        st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:", url_path="admin")
    ]
nav = st.navigation(sections)

with st.sidebar:
    st.markdown(f"**{user.name}** · {user.role}")
    shell.portfolio_picker(services, user)
    shell.data_badge(services)
    logout_button(services.auth)

nav.run()
