"""AppTest fixtures: one seeded Sigma (small simulated market + demo book) per test session,
the environment pointing at it, and a logged-in AppTest of app.py.

Under `make test` (xdist, `--dist loadfile`) a session is a worker: the seeded Sigma is built at
most once per worker, and each AppTest module runs whole on one worker. (`xdist_group` marks are
inert with pytest 9: xdist's node-id rewrite is no longer read.)"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sigma.ui.apptest import login
from tests.seeded import seeded_environment


@pytest.fixture(scope="session")
def seeded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A seeded data dir shared by the AppTests of this session (read-mostly)."""
    return seeded_environment(tmp_path_factory.mktemp("sigma-app"))


@pytest.fixture
def app_env(seeded_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The process environment pointing at the seeded data dir; fresh Streamlit caches."""
    for key in [k for k in os.environ if k.startswith("SIGMA_")]:
        monkeypatch.delenv(key)
    for key, value in seeded_env.items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield seeded_env
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def alice(app_env: dict[str, str]) -> AppTest:
    """app.py logged in as the demo user alice (Balanced Individual)."""
    return login("alice", "sigma-demo")


@pytest.fixture
def admin(app_env: dict[str, str]) -> AppTest:
    """app.py logged in as the demo admin."""
    return login("admin", "sigma-admin")
