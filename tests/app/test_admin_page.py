"""The Admin page driven as an admin would: queue a run, create a user, read the audit log; and
an analyst who reaches the page is refused with a clear message."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sigma.config import from_env
from sigma.ui.auth import USER_KEY
from sigma.wiring import build

pytestmark = pytest.mark.xdist_group("apptest")
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "admin.py")
NEW_PW = "juniper-tractor-sonnet-58"


@pytest.fixture
def fresh_env(seeded_env, tmp_path, monkeypatch):
    """A private copy of the seeded data dir, so the page's writes do not leak into other tests."""
    data = tmp_path / "data"
    shutil.copytree(seeded_env["SIGMA_DATA_DIR"], data)
    for key in [k for k in os.environ if k.startswith("SIGMA_")]:
        monkeypatch.delenv(key)
    for key, value in {**seeded_env, "SIGMA_DATA_DIR": str(data)}.items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def open_as(username: str, password: str) -> AppTest:
    """The Admin page run with `username` logged in (as app.py's login gate leaves it)."""
    services = build(from_env())
    try:
        user = services.auth.authenticate(username, password)
    finally:
        services.close()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state[USER_KEY] = user
    return at.run()


def click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def texts(at: AppTest) -> list[str]:
    return [str(x.value) for x in (*at.markdown, *at.caption, *at.success, *at.warning, *at.error)]


def audit(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Action" in d.value.columns)


def test_an_analyst_who_reaches_the_page_is_refused_with_a_clear_message(fresh_env):
    at = open_as("alice", "sigma-demo")
    assert not at.exception
    assert [w.value for w in at.warning] == ["Only administrators can open the Admin page."]
    assert len(at.dataframe) == 0 and len(at.button) == 0


def test_an_admin_queues_one_phase_of_the_batch_and_sees_it_queued_and_audited(fresh_env):
    at = open_as("admin", "sigma-admin")
    assert not at.exception, [e.value for e in at.exception]
    assert "#### Operations" in texts(at) and any("Jobs process not running" in t for t in texts(at))
    at.selectbox(key="adm_phase").set_value("risk")
    at = click(at, "Queue batch run")
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Queued the batch (phase risk, every portfolio)."]
    assert any(t.startswith("Queued: batch (queued, phases ['risk'])") for t in texts(at)), texts(at)
    row = audit(at).iloc[0]
    assert (row["Who"], row["Action"], row["Target"], row["Details"]) == (
        "admin",
        "queue_run",
        "batch",
        "phases: ['risk']",
    )


def test_an_admin_creates_a_user_who_is_listed_and_the_audit_log_shows_it(fresh_env):
    at = open_as("admin", "sigma-admin")
    at.text_input(key="adm_new_username").input("Dave")
    at.text_input(key="adm_new_name").input("Dave Analyst")
    at.text_input(key="adm_new_password").input(NEW_PW)
    at = click(at, "Create user")
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.success] == ["Created dave (analyst)."]
    users = next(d.value for d in at.dataframe if "username" in d.value.columns)
    assert users.loc[users["username"] == "dave", ["name", "role", "is_active"]].values.tolist() == [
        ["Dave Analyst", "analyst", True]
    ]
    row = audit(at).iloc[0]
    assert (row["Who"], row["Action"], row["Target"]) == ("admin", "create_user", "dave")
    assert NEW_PW not in " ".join(texts(at)) + audit(at).to_string()


def test_a_weak_password_is_refused_next_to_the_form_and_nothing_is_created(fresh_env):
    at = open_as("admin", "sigma-admin")
    at.text_input(key="adm_new_username").input("erin")
    at.text_input(key="adm_new_password").input("password1234")
    at = click(at, "Create user")
    assert not at.exception
    assert len(at.error) == 1 and "list of common passwords" in at.error[0].value
    users = next(d.value for d in at.dataframe if "username" in d.value.columns)
    assert "erin" not in users["username"].tolist()
    assert not any("Action" in d.value.columns for d in at.dataframe)  # the audit log is still empty
    assert "No admin action recorded yet." in texts(at)


def test_an_admin_deactivates_an_analyst_but_not_themselves(fresh_env):
    at = open_as("admin", "sigma-admin")
    users = next(d.value for d in at.dataframe if "username" in d.value.columns)
    ids = dict(zip(users["username"], users["id"], strict=True))
    at.selectbox(key="adm_user").set_value(ids["admin"]).run()
    assert at.button(key="adm_deactivate").disabled
    at.selectbox(key="adm_user").set_value(ids["bob"]).run()
    at = click(at, "Deactivate")
    assert not at.exception
    assert [s.value for s in at.success] == ["Deactivated bob; their sessions were ended."]
    users = next(d.value for d in at.dataframe if "username" in d.value.columns)
    assert not users.set_index("username").loc["bob", "is_active"]
    assert audit(at).iloc[0][["Who", "Action", "Target"]].tolist() == ["admin", "deactivate", "bob"]
