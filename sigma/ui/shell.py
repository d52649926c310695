"""The app frame's Streamlit glue: the cached services, the portfolio picker, the data badge.

Caching lives here, at the UI edge: `st.cache_resource` for the services object, session state
for UI choices (the picked portfolio id), never domain data.
"""

from __future__ import annotations

from typing import Literal

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.config import from_env
from sigma.errors import SigmaError
from sigma.wiring import Services, build

PORTFOLIO_KEY = "portfolio_id"
BadgeColor = Literal["orange", "green", "blue", "gray"]
BADGE_COLORS: dict[str, BadgeColor] = {"simulated": "orange", "live": "green", "csv": "blue"}


def _release(services: Services) -> None:
    services.close()


@st.cache_resource(show_spinner="Starting Sigma…", on_release=_release)
def _services() -> Services:
    return build(from_env())


def services() -> Services:
    """The process-wide services; a configuration or database problem stops the page with advice."""
    try:
        return _services()
    except SigmaError as err:
        st.error(f"Sigma cannot start: {err}")
        st.stop()
        raise  # unreachable: st.stop() raises


SIMULATED_NOTE = (
    "Prices come from Sigma's seeded simulated market, not a live feed: numbers are realistic in "
    "shape but not real quotes. Set SIGMA_MARKET_DATA=auto (or yfinance) to use live prices."
)


def data_badge(svc: Services) -> None:
    """Data source and as-of date in the sidebar: a badge (orange when simulated), a warning if stale or on fallback."""
    status = svc.market.status()
    label = {"simulated": "Simulated market", "live": "Live prices (Yahoo Finance)", "csv": "CSV prices"}
    as_of = f"{status.as_of:%Y-%m-%d}" if status.as_of else "no prices yet"
    source = str(status.source)
    color = BADGE_COLORS.get(source, "gray")
    icon = ":material/science:" if source == "simulated" else None
    st.sidebar.badge(label.get(source, source), icon=icon, color=color)
    st.sidebar.caption(f"**Data:** {label.get(source, source)} · as of {as_of}", help=_note(source))
    if status.fallback_reason:
        st.sidebar.warning(status.fallback_reason, icon=":material/cloud_off:")
    if status.stale:
        st.sidebar.warning(status.message, icon=":material/schedule:")


def _note(source: str) -> str | None:
    return SIMULATED_NOTE if source == "simulated" else None


def portfolio_picker(svc: Services, user: AuthUser) -> int | None:
    """Pick one of the user's portfolios in the sidebar; remembers the choice in session state."""
    books = svc.portfolios.list_portfolios(user)
    if not books:
        st.sidebar.info("You have no portfolio yet.")
        st.session_state.pop(PORTFOLIO_KEY, None)
        return None
    ids = [b.id for b in books]
    names = {b.id: b.name for b in books}
    current = st.session_state.get(PORTFOLIO_KEY)
    index = ids.index(current) if current in ids else 0
    picked = st.sidebar.selectbox("Portfolio", ids, index=index, format_func=names.__getitem__, key="picker")
    st.session_state[PORTFOLIO_KEY] = picked
    return int(picked)


def current_portfolio_id() -> int | None:
    """The portfolio picked in the sidebar, if any."""
    value = st.session_state.get(PORTFOLIO_KEY)
    return int(value) if value is not None else None


def show_error(err: SigmaError) -> None:
    """Show a user-facing error and stop the page."""
    st.warning(str(err), icon=":material/info:")
    st.stop()
