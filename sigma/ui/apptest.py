"""Driving app.py headlessly with Streamlit's AppTest: log in through the form, forget cached views.

Shared by the page tests (tests/app) and the render benchmark (bench/pages.py), so both measure
the same thing the browser does: the whole script (login gate, sidebar, navigation, the page).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit import logger as st_logger
from streamlit.testing.v1 import AppTest

from sigma.ui import cache

__all__ = ["APP", "AppTest", "forget_views", "login", "quiet"]

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def login(username: str, password: str, timeout: float = 60) -> AppTest:
    """app.py run and logged in through the form (a successful login run renders the Portfolio page)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_pw").input(password)
    at.button[0].click().run()
    return at


def forget_views() -> None:
    """Drop the cached views and the memoised figures (not the services): the next render is cold."""
    st.cache_data.clear()
    cache.forget_shared()


def quiet() -> None:
    """Streamlit's log at error level: AppTest notes "No runtime found" on every cached call."""
    st_logger.set_log_level("error")
