"""The Portfolio page's forms, driven as a user would: add a position, tag it, record a deposit.

AppTest cannot drive `st.file_uploader` or edit an `st.data_editor`; the import preview is walked
in the browser test, and targets through the service tests.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sigma.config import from_env
from sigma.ui import cache
from sigma.wiring import build

pytestmark = pytest.mark.xdist_group("apptest")
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "portfolio.py")


@pytest.fixture
def fresh_env(seeded_env, tmp_path, monkeypatch):
    """A private copy of the seeded data dir, so the forms' writes do not leak into other tests."""
    data = tmp_path / "data"
    shutil.copytree(seeded_env["SIGMA_DATA_DIR"], data)
    for key, value in {**seeded_env, "SIGMA_DATA_DIR": str(data)}.items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()


def open_as(username: str) -> tuple[AppTest, object, int]:
    services = build(from_env())
    try:
        user = services.auth.authenticate(username, "sigma-demo")
        pid = services.portfolios.list_portfolios(user)[0].id
    finally:
        services.close()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["sigma_user"] = user
    at.session_state["portfolio_id"] = pid
    return at.run(), user, pid


def click(at: AppTest, label: str) -> AppTest:
    return next(b for b in at.button if b.label == label).click().run()


def holdings_symbols(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["symbol"])


def test_the_page_renders_every_section_without_an_error(fresh_env):
    at, _, _ = open_as("carol")
    assert not at.exception
    for heading in ("Holdings", "Equity curve vs SPY", "Exposure", "Health", "Options", "Activity"):
        assert any(heading in str(m.value) for m in at.markdown), heading


def test_adding_a_position_shows_it_in_the_holdings(fresh_env):
    at, _, _ = open_as("alice")
    assert "NVDA" not in holdings_symbols(at)
    at.text_input(key="pos_symbol").input("nvda")
    at.number_input(key="pos_qty").set_value(10)
    at.number_input(key="pos_price").set_value(150.0)
    click(at, "Add position")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "NVDA" in holdings_symbols(at)
    assert any("Added LONG NVDA" in s.value for s in at.success)


def test_an_unknown_symbol_is_refused_with_its_name_and_nothing_is_written(fresh_env):
    at, _, _ = open_as("alice")
    before = holdings_symbols(at)
    at.text_input(key="pos_symbol").input("ZZZZ")
    at.number_input(key="pos_price").set_value(10.0)
    click(at, "Add position")
    assert [e.value for e in at.error] and "ZZZZ" in at.error[0].value
    assert holdings_symbols(at) == before


def test_a_new_tag_can_be_put_on_a_position_and_filters_the_view(fresh_env):
    at, _, _ = open_as("alice")
    at.text_input(key="tag_name").input("Core")
    click(at, "Create tag")
    assert not at.exception and not at.error
    spy = next(o for o in at.multiselect(key="tag_positions").options if o == "SPY")
    at.multiselect(key="tag_positions").select(spy)
    click(at, "Tag")
    assert not at.error, [e.value for e in at.error]
    at.selectbox(key="tag_filter").select("Core").run()
    assert holdings_symbols(at) == ["SPY"]


def test_a_deposit_raises_cash_and_shows_in_the_cash_flows(fresh_env):
    at, _, _ = open_as("alice")
    nav_before = next(m.value for m in at.metric if m.label == "NAV")
    at.number_input(key="cf_amount").set_value(50_000.0)
    click(at, "Record cash flow")
    assert not at.exception and not at.error
    assert any("Recorded deposit of $50,000.00" in s.value for s in at.success)
    assert next(m.value for m in at.metric if m.label == "NAV") != nav_before
    flows = at.dataframe[-1].value
    assert (flows["amount"] == 50_000.0).any()


def test_a_form_save_moves_on_the_users_cache_generation_so_risk_views_recompute(fresh_env):
    at, user, _ = open_as("alice")
    before = cache._generations().of(user.id)
    others = cache._generations().of(user.id + 1)
    at.number_input(key="cf_amount").set_value(1_000.0)
    click(at, "Record cash flow")
    assert not at.exception and not at.error
    assert cache._generations().of(user.id) == before + 1  # Risk and Correlations drop this user's views
    assert cache._generations().of(user.id + 1) == others  # and nobody else's


def test_a_form_save_queues_one_batch_catch_up_for_the_jobs_process(fresh_env):
    # The write invalidated stored snapshots and risk results; the jobs process stores them again.
    at, _, _ = open_as("alice")
    services = build(from_env())
    queue = services.queue
    before = [r.id for r in queue.pending() if r.job == "batch"]
    for amount in (1_000.0, 2_000.0):
        at.number_input(key="cf_amount").set_value(amount)
        click(at, "Record cash flow")
        assert not at.exception and not at.error
    queued = [r for r in queue.pending() if r.job == "batch"]
    services.close()
    assert len(queued) == 1 and len(before) == 0  # two saves, one pending run
    assert queued[0].params == {"phases": ["snapshots", "risk", "insights"]}
