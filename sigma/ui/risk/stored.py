"""The Risk page's stored views: draw what the nightly batch stored, compute only what the user changed.

A section whose controls are at their defaults draws the newest view the batch stored for it
(`RiskService.latest_stored`), captioned with the day it is for and when it was computed; when
prices have moved on since, it says so and offers "Recompute now", which computes that section on
demand (cached at the UI edge like any changed control) for the rest of the session. A section the
batch has not stored yet, or whose controls the user changed, is computed on demand as before.

The stored lookup is cached per user version (`sigma.ui.cache`) for `STORED_TTL` seconds, so a new
nightly result reaches the page within that time. Like the computed views it is a shared object
(`st.cache_resource`, dropped by `cache.forget_shared`), and its view is stamped, so its figures are
memoised like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.risk.service import FactorView, PerformanceView, SectorView, Stored, StressView, VarView, VolView
from sigma.ui import cache
from sigma.ui.risk.choice import RiskChoice

S = TypeVar("S", PerformanceView, FactorView, VolView, VarView, SectorView, StressView)
STORED_TTL = 5 * 60
NIGHTLY = "by the nightly batch"


def stored(user: AuthUser, pid: int, cls: type[S], params_key: str = "") -> Stored[S] | None:
    """`RiskService.latest_stored`, cached per user version; the view stamped for `cache.chart`."""
    version = cache.version(user)
    found = _stored(user.id, version, user, pid, cls.KIND, params_key, cls)
    if found is not None:
        cache.stamped(found.view, "stored", user.id, version, pid, cls.KIND, params_key, found.computed_at)
    return found


@st.cache_resource(ttl=STORED_TTL, max_entries=cache.VIEW_ENTRIES, show_spinner=False)
def _stored(
    user_id: int, generation: cache.Version, _user: AuthUser, pid: int, kind: str, params_key: str, _cls: type[S]
) -> Stored[S] | None:
    return cache.service().latest_stored(_user, pid, _cls, params_key)


cache.BESIDE.append(_stored)


def latest_price_date(user: AuthUser) -> date | None:
    """The latest stored price date (the one the user's cached views are keyed by), None before any price."""
    text = cache.version(user)[1]
    return None if text == "None" else date.fromisoformat(text)


def view_for(
    choice: RiskChoice,
    cls: type[S],
    compute: Callable[[], S],
    default: bool,
    params_key: str = "",
    **params: object,
) -> S:
    """The section's view: the stored one when `default` (its controls untouched) and one is stored for
    `params` (the view's own fields, e.g. benchmark="SPY"), else `compute()` (cached at the UI edge).

    Draws the stored view's caption, and when prices have moved on since, a note with "Recompute now".
    """
    if not default:
        return compute()
    found = stored(choice.user, choice.pid, cls, params_key)
    if found is None or any(getattr(found.view, name) != value for name, value in params.items()):
        st.caption(f"Computed on demand: nothing stored {NIGHTLY} for this view yet.")
        return compute()
    latest = latest_price_date(choice.user)
    flag = f"risk_recomputed_{cls.KIND}_{params_key}"
    if latest is not None and found.stale(latest) and st.session_state.get(flag) == (choice.pid, latest):
        st.caption(f"Recomputed on demand for prices to {latest:%Y-%m-%d} (stored {NIGHTLY}: {found.as_of:%Y-%m-%d}).")
        return compute()
    st.caption(f"As of {found.as_of:%Y-%m-%d} · computed {found.computed_at:%Y-%m-%d %H:%M} UTC {NIGHTLY}")
    if latest is not None and found.stale(latest):
        note, action = st.columns([4, 1], vertical_alignment="center")
        note.info(
            f"Prices have moved on since: stored for {found.as_of:%Y-%m-%d}, prices to {latest:%Y-%m-%d}",
            icon=":material/history:",
        )
        action.button(
            "Recompute now",
            key=f"recompute_{cls.KIND}_{params_key}",
            on_click=st.session_state.__setitem__,
            args=(flag, (choice.pid, latest)),
        )
    return found.view
