"""The login gate in AppTest: form, one generic error for every failure, welcome, logout.

AppTest cannot hold browser cookies (st.context.cookies is a MagicMock there), so these tests
cover the form and the server-session checks; cookie round trips need the browser tests.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import jwt
import pytest
from streamlit.testing.v1 import AppTest

from sigma.auth.demo import DEMO_PASSWORD, DEMO_REFUSED
from sigma.auth.service import AuthService
from sigma.config import Environment
from sigma.db import make_engine, session_factory, upgrade_to_head
from sigma.ui.auth import LOGIN_FAILED, PENDING_KEY, SID_KEY, CookieWrite
from tests.auth.apps import harness
from tests.auth.conftest import ADMIN_PW, ALICE_PW, NEW_PW

APP = str(Path(__file__).parent / "apps" / "login_app.py")


@pytest.fixture
def auth(tmp_path, settings):
    url = f"sqlite:///{tmp_path / 'login.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    service = AuthService(session_factory(engine), replace(settings, database_url=url))
    service.ensure_user("alice", "Alice Analyst", ALICE_PW, "analyst")
    harness.SERVICE, harness.SETTINGS = service, service._settings
    yield service
    harness.SERVICE = harness.SETTINGS = None
    engine.dispose()


@pytest.fixture
def at(auth) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    return app


def submit(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_pw").input(password)
    return at.button[0].click().run()


def page_text(at: AppTest) -> str:
    return " ".join(str(m.value) for m in at.markdown)


def test_the_login_form_renders_without_errors(at):
    assert not at.exception and not at.error
    assert at.title[0].value == "Sigma"
    assert at.caption[0].value  # the one-line caption under the title
    assert at.text_input(key="login_user").label == "Username"
    assert at.text_input(key="login_pw").label == "Password"
    assert at.text_input(key="login_pw").proto.type == at.text_input(key="login_pw").proto.PASSWORD
    assert [b.label for b in at.button] == ["Log in"]
    assert "Welcome" not in page_text(at)


@pytest.mark.parametrize(
    ("username", "password"),
    [("alice", "wrong"), ("nobody", ALICE_PW), ("alice", ALICE_PW + "x" * 80)],
    ids=["wrong password", "unknown user", "password over 72 bytes"],
)
def test_every_failure_shows_exactly_one_generic_error(at, username, password):
    submit(at, username, password)
    assert not at.exception
    assert [e.value for e in at.error] == [LOGIN_FAILED]
    assert "Welcome" not in page_text(at)


def test_the_right_password_shows_the_welcome_text_and_survives_a_rerun(at, auth):
    submit(at, " Alice ", ALICE_PW)
    assert not at.exception and not at.error
    assert "Welcome Alice Analyst" in page_text(at)
    assert auth.resolve_session(at.session_state[SID_KEY]).username == "alice"
    at.run()
    assert "Welcome Alice Analyst" in page_text(at) and not at.text_input


def test_a_login_queues_the_library_cookie_carrying_the_server_session(at, auth):
    submit(at, "alice", ALICE_PW)
    write = at.session_state[PENDING_KEY]
    assert isinstance(write, CookieWrite) and write.method == "set"
    claims = jwt.decode(write.value, auth._settings.cookie_key, algorithms=["HS256"])
    assert claims["username"] == "alice" and claims["sid"] == at.session_state[SID_KEY]
    assert claims["exp_date"] > 0 and write.expires.endswith("+00:00")  # an explicit offset for the browser


def test_a_locked_account_shows_the_same_generic_error_even_with_the_right_password(at, auth):
    for _ in range(auth._settings.login_max_failures):
        assert auth.authenticate("alice", "wrong") is None
    submit(at, "alice", ALICE_PW)
    assert not at.exception
    assert [e.value for e in at.error] == [LOGIN_FAILED]
    assert "Welcome" not in page_text(at)


def test_an_inactive_user_gets_the_same_generic_error(at, auth):
    alice = auth.authenticate("alice", ALICE_PW)
    root = auth.ensure_user("root", "Root", ADMIN_PW, "admin")
    auth.set_active(root, alice.id, False)
    submit(at, "alice", ALICE_PW)
    assert [e.value for e in at.error] == [LOGIN_FAILED] and not at.exception


def test_logout_revokes_the_server_session_and_shows_the_form_again(at, auth):
    submit(at, "alice", ALICE_PW)
    token = at.session_state[SID_KEY]
    at.sidebar.button(key="sigma_logout").click().run()
    assert not at.exception
    assert auth.resolve_session(token) is None
    assert at.title[0].value == "Sigma" and "Welcome" not in page_text(at)
    assert at.session_state[PENDING_KEY].method == "delete"


def test_a_session_revoked_elsewhere_ends_the_login_on_the_next_run(at, auth):
    submit(at, "alice", ALICE_PW)
    alice = auth.authenticate("alice", ALICE_PW)
    auth.set_password(alice, alice.id, NEW_PW)  # revokes every session
    at.run()
    assert not at.exception and not at.error
    assert at.text_input(key="login_user") is not None and "Welcome" not in page_text(at)


@pytest.fixture
def library_credentials(monkeypatch):
    """Every credentials dict handed to streamlit-authenticator during the test."""
    import streamlit_authenticator as stauth

    seen: list[dict] = []
    real = stauth.Authenticate

    def spy(credentials, *args, **kwargs):
        seen.append(copy.deepcopy(credentials))
        return real(credentials, *args, **kwargs)

    monkeypatch.setattr(stauth, "Authenticate", spy)
    return seen


def test_the_login_widget_never_receives_a_password_hash(at, auth, library_credentials):
    submit(at, "alice", ALICE_PW)
    at.run()
    assert library_credentials, "the library was not built"
    for credentials in library_credentials:
        assert all("password" not in entry for entry in credentials["usernames"].values())
        assert "$2" not in repr(credentials)  # no bcrypt hash anywhere


def test_a_cookie_login_hands_the_library_only_the_sessions_own_user(auth, library_credentials, monkeypatch):
    alice = auth.authenticate("alice", ALICE_PW)
    auth.ensure_user("bob", "Bob", NEW_PW, "analyst")
    sid = auth.start_session(alice.id)
    monkeypatch.setattr("sigma.ui.auth._cookie_sid", lambda settings: sid)
    AppTest.from_file(APP, default_timeout=30).run()
    assert library_credentials[0] == {
        "usernames": {"alice": {"name": "Alice Analyst", "email": "", "roles": ["analyst"]}}
    }


def test_a_demo_account_in_production_is_refused_with_its_own_message(at, auth, settings):
    auth.seed_demo_user("carol", "Carol Singh", DEMO_PASSWORD, "analyst")
    harness.SETTINGS = replace(harness.SETTINGS, env=Environment.PRODUCTION)
    harness.SERVICE = AuthService(auth._sessions, harness.SETTINGS)
    submit(at, "carol", DEMO_PASSWORD)
    assert [e.value for e in at.error] == [DEMO_REFUSED] and not at.exception
    assert "Welcome" not in page_text(at)
