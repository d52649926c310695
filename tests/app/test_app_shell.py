"""The app frame: login, navigation by role, the sidebar, and the Portfolio and Admin pages."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sigma.ui.apptest import login

pytestmark = pytest.mark.xdist_group("apptest")


def texts(at: AppTest) -> str:
    parts = [str(x.value) for x in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.header)]
    return " ".join(parts)


def test_a_wrong_password_shows_one_generic_error_and_no_page(app_env):
    at = login("alice", "not-the-password")
    assert not at.exception
    assert [e.value for e in at.error] == ["Username or password is incorrect."]
    assert "Portfolio" not in [t.value for t in at.title]


def test_a_demo_user_sees_only_their_own_portfolio_in_the_sidebar(alice):
    assert not at_exceptions(alice)
    picker = alice.sidebar.selectbox(key="picker")
    assert list(picker.options) == ["Balanced Individual"]


def at_exceptions(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def test_the_sidebar_shows_the_data_source_and_as_of_date(alice):
    captions = " ".join(c.value for c in alice.sidebar.caption)
    assert "Simulated market" in captions and "2026-11-20" in captions


def test_the_portfolio_page_shows_real_numbers(alice):
    assert not at_exceptions(alice)
    assert alice.title[0].value == "Portfolio"
    labels = {m.label: m.value for m in alice.metric}
    assert labels["NAV"].startswith("$") and labels["NAV"] != "$0"
    assert "Gross exposure" in labels and "Net exposure" in labels
    assert len(alice.dataframe) >= 1
    assert "Simulated prices as of 2026-11-20" in texts(alice)


def registered_pages(at: AppTest) -> list[str]:
    """The titles st.navigation registered in the last run, in order (what the sidebar lists)."""
    return [str(info.get("page_name")) for info in at._registered_pages.values()]


def test_an_analyst_has_no_admin_page_but_an_admin_does(alice, app_env):
    assert registered_pages(alice) == ["Portfolio", "Risk", "Correlations"]
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        alice.switch_page("pages/admin.py")  # st.navigation is active and Admin is not among its pages
    assert alice.title[0].value == "Portfolio"
    admin = login("admin", "sigma-admin")
    assert registered_pages(admin) == ["Portfolio", "Risk", "Correlations", "Admin"]
    admin.switch_page("pages/admin.py").run()
    assert not at_exceptions(admin)
    assert admin.title[0].value == "Admin"
    assert "Data quality" in texts(admin) and "Users" in texts(admin)


def test_stale_prices_are_called_stale_in_the_sidebar(app_env, monkeypatch):
    monkeypatch.setenv("SIGMA_MARKET_END", "2026-12-15")  # the market moved on; the store did not
    at = login("alice", "sigma-demo")
    assert not at_exceptions(at)
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "2026-11-20" in warnings or "stale" in warnings.lower(), warnings
    assert at.title[0].value == "Portfolio"  # the page keeps showing the last stored prices
