"""Login glue: Sigma's own login form, streamlit-authenticator's cookie, server-side sessions.

Call `login_gate` once per run, from app.py (it builds the library's `Authenticate`, whose
cookie component must exist once per run), then `logout_button` in the sidebar.

A visitor is logged in only when BOTH hold:
1. the library says so: `authentication_status` in session state, set by our form or by its
   signed cookie `sigma_auth` (an HS256 JWT `{"username", "exp_date"}`); and
2. a live server session (`AuthService.resolve_session`) for the same username, whose token
   lives in session state (reruns in a tab) and in an extra `sid` claim of that same JWT (new
   tabs, reloads). We write the JWT ourselves in the library's format plus `sid`, with one
   CookieManager component.

Cookie writes go through extra-streamlit-components' CookieManager, a hidden iframe that acts
only once it has loaded; any rerun before that (its own `getAll` reporting, a click) unmounts
it and the write is lost (seen in Chromium: a lost delete, a lost set; a second cookie set in
the same run was lost every time). So a write is kept pending in session state and drawn again,
at the same place under a unique key, on every run until its component reports back True.
Logout, a password reset, a lockout or a deactivation revoke the server session, so an old
cookie replayed later is refused. Bad cookies (forged, `alg: none`, unknown user, revoked) are
deleted and the visitor sees the login form, never an error box. Every failed login shows
the same message, whatever the reason. The library's credentials hold at most the user of the
cookie's own server session, never a password hash (we draw the login form ourselves).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, TypedDict

import jwt
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.delta_generator import DeltaGenerator

from sigma.auth.model import AuthUser
from sigma.auth.service import AuthService
from sigma.config import MarketDataMode, Settings
from sigma.errors import DatabaseUnavailable, PermissionDenied

AUTH_COOKIE = "sigma_auth"
SID_KEY = "sigma_sid"
USER_KEY = "sigma_user"
PENDING_KEY = "_sigma_cookie_write"
LOGIN_FAILED = "Username or password is incorrect."
CookieMethod = Literal["set", "delete"]
LIBRARY_KEYS = ("name", "username", "email", "roles", "authentication_status")


class LibraryUser(TypedDict):
    """One user in streamlit-authenticator's credentials shape, as Sigma hands it over."""

    name: str
    email: str
    roles: list[str]


@dataclass(frozen=True)
class CookieWrite:
    """A pending write of the login cookie: `set` (with value and expiry) or `delete`."""

    method: CookieMethod
    key: str  # a fresh component key, so an earlier write's confirmation never counts
    value: str = ""
    expires: str = ""  # ISO 8601 with offset, parsed by the browser's Date


def current_user() -> AuthUser | None:
    """The logged-in user of this browser session, or None."""
    user = st.session_state.get(USER_KEY)
    return user if isinstance(user, AuthUser) else None


def login_gate(auth: AuthService, settings: Settings) -> AuthUser:
    """The logged-in user; otherwise draw the login form and stop the run."""
    authenticator = _authenticator(auth, settings)
    cookie_slot = st.container()  # same place every run, so a pending cookie write keeps its iframe
    bad_cookie = not _cookie_login(authenticator)
    claimed = bool(st.session_state.get("authentication_status"))
    user = _server_user(auth, settings) if claimed else None
    if bad_cookie or (claimed and user is None):
        _queue_write("delete")
        # st.context.cookies keeps the page-load cookies for the whole tab: stop the library from
        # logging in from them again on later runs.
        st.session_state["logout"] = True
    if user is None:
        _reset_login_state()
        user = _login_form(auth, settings)
    _flush_write(authenticator, cookie_slot)
    if user is None:
        st.stop()
        raise AssertionError("unreachable: st.stop() raises")
    st.session_state[USER_KEY] = user
    return user


def logout_button(auth: AuthService) -> None:
    """A "Log out" button in the sidebar: revokes the server session, then forgets the cookie."""
    if st.sidebar.button("Log out", key="sigma_logout", icon=":material/logout:"):
        auth.end_session(st.session_state.get(SID_KEY))
        st.session_state.clear()
        st.session_state["logout"] = True  # the library ignores its cookie for the rest of this tab
        _queue_write("delete")  # drawn by the next run's login_gate until the browser confirms
        st.rerun()


def _authenticator(auth: AuthService, settings: Settings) -> stauth.Authenticate:
    return stauth.Authenticate(
        _library_credentials(auth, settings),
        AUTH_COOKIE,
        settings.cookie_key,
        settings.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,
    )


def _library_credentials(auth: AuthService, settings: Settings) -> dict[str, dict[str, LibraryUser]]:
    """What the library needs to log in from its cookie: the cookie session's own user, no hash.

    Once logged in (or logged out in this tab) the library never reads its credentials, so the
    database is asked only on a run that may log in from a cookie, and only for that user.
    """
    usernames: dict[str, LibraryUser] = {}
    if not st.session_state.get("authentication_status") and not st.session_state.get("logout"):
        user = auth.resolve_session(_cookie_sid(settings))
        if user is not None:
            usernames[user.username] = {"name": user.name, "email": user.email, "roles": [user.role.value]}
    return {"usernames": usernames}


def _cookie_login(authenticator: stauth.Authenticate) -> bool:
    """Let the library re-authenticate from its cookie; False if the cookie was bad."""
    try:
        authenticator.login(location="unrendered")
    except Exception:  # LoginError('User not authorized'), InvalidAlgorithmError, odd payloads
        st.session_state["authentication_status"] = None
        return False
    return True


def _cookie_sid(settings: Settings) -> str | None:
    """The `sid` claim of a valid login cookie, else None."""
    # In AppTest st.context.cookies is a MagicMock: anything but a non-empty str is "absent".
    try:
        raw = st.context.cookies.get(AUTH_COOKIE)
        claims = jwt.decode(raw, settings.cookie_key, algorithms=["HS256"]) if isinstance(raw, str) and raw else {}
    except Exception:  # a bad signature, alg none, garbage: no session
        return None
    sid = claims.get("sid") if isinstance(claims, dict) else None
    return sid if isinstance(sid, str) and sid else None


def _server_user(auth: AuthService, settings: Settings) -> AuthUser | None:
    sid = st.session_state.get(SID_KEY) or _cookie_sid(settings)
    user = auth.resolve_session(sid)
    if user is None or user.username != st.session_state.get("username"):
        return None
    st.session_state[SID_KEY] = sid
    return user


def _reset_login_state() -> None:
    for key in LIBRARY_KEYS:
        st.session_state[key] = None
    st.session_state.pop(SID_KEY, None)
    st.session_state.pop(USER_KEY, None)


def _login_form(auth: AuthService, settings: Settings) -> AuthUser | None:
    """Draw the form; on a good submission open the session and return the user."""
    frame = st.empty()
    with frame.container():
        st.title("Sigma")
        st.caption("Portfolio analytics workstation. Log in to see your books.")
        if settings.market_data == MarketDataMode.SIMULATED:
            st.warning(
                "**Simulated market.** Prices come from Sigma's seeded simulated market, not a live "
                "feed. Set `SIGMA_MARKET_DATA=auto` to use live prices.",
                icon=":material/science:",
            )
        with st.form("sigma_login"):
            username = st.text_input("Username", key="login_user", autocomplete="username")
            password = st.text_input("Password", type="password", key="login_pw", autocomplete="current-password")
            submitted = st.form_submit_button("Log in")
        message = st.empty()
        _warm_chart_library()
    if not submitted:
        return None
    try:
        user = auth.authenticate(username, password)
    except (DatabaseUnavailable, PermissionDenied) as err:  # PermissionDenied: a demo account in production
        message.error(str(err))
        return None
    if user is None:
        message.error(LOGIN_FAILED)
        return None
    frame.empty()
    _establish(auth, settings, user)
    return user


def _warm_chart_library() -> None:
    """Draw a blank, 10-pixel (plotly's least), static plotly chart under the form: the browser fetches and compiles
    plotly.js (megabytes, lazily loaded by Streamlit's first chart) while the user types, instead of
    after "Log in", when the Portfolio page's first chart waits on it."""
    import plotly.graph_objects as go

    blank = go.Figure(layout={"height": 10, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}})
    blank.update_xaxes(visible=False)
    blank.update_yaxes(visible=False)
    blank.update_layout(paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)")
    st.plotly_chart(blank, config={"staticPlot": True, "displayModeBar": False}, key="warm_plotly")


def _establish(auth: AuthService, settings: Settings, user: AuthUser) -> None:
    """Open the server session, fill the library's keys and queue the cookie (no st.rerun())."""
    sid = auth.start_session(user.id)
    st.session_state.update(
        {
            "name": user.name,
            "username": user.username,
            "email": user.email,
            "roles": [user.role.value],
            "authentication_status": True,
            "logout": None,
            SID_KEY: sid,
            USER_KEY: user,
        }
    )
    # The library's JWT format plus `sid`; the cookie lives no longer than its server session.
    lifetime = min(timedelta(days=settings.cookie_expiry_days), timedelta(hours=settings.session_hours))
    expires = datetime.now(UTC) + lifetime
    claims = {"username": user.username, "exp_date": expires.timestamp(), "sid": sid}
    _queue_write("set", jwt.encode(claims, settings.cookie_key, algorithm="HS256"), expires.isoformat())


def _queue_write(method: CookieMethod, value: str = "", expires: str = "") -> None:
    st.session_state[PENDING_KEY] = CookieWrite(method, f"sigma_cookie_{secrets.token_hex(4)}", value, expires)


def _flush_write(authenticator: stauth.Authenticate, slot: DeltaGenerator) -> None:
    """Draw the pending cookie write; forget it once the browser has confirmed it."""
    write = st.session_state.get(PENDING_KEY)
    if not isinstance(write, CookieWrite):
        return
    component = authenticator.cookie_controller.cookie_model.cookie_manager.cookie_manager
    options = {"path": "/", "expires": write.expires, "sameSite": "strict"} if write.expires else {"path": "/"}
    with slot:
        done = component(
            method=write.method, cookie=AUTH_COOKIE, value=write.value, options=options, key=write.key, default=False
        )
    if done is True:
        st.session_state.pop(PENDING_KEY, None)
