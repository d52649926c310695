"""The Risk page: every section renders, and the custom scenario builder moves the total P&L."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sigma.config import from_env
from sigma.portfolio.service import PortfolioService
from sigma.wiring import build

pytestmark = pytest.mark.xdist_group("apptest")
PAGES = Path(__file__).resolve().parents[2] / "pages"
SECTIONS = ["Performance", "Factor exposures", "Volatility", "Value at Risk", "Stress tests", "Sectors & concentration"]


def open_page(page: str, username: str) -> AppTest:
    """Run one page as a logged-in demo user with their portfolio picked (the app frame does this in the sidebar)."""
    services = build(from_env())
    try:
        user = services.auth.authenticate(username, "sigma-demo")
        assert user is not None
        pid = PortfolioService(services.sessions, services.market, services.settings).list_portfolios(user)[0].id
    finally:
        services.close()
    at = AppTest.from_file(str(PAGES / page), default_timeout=120)
    at.session_state["sigma_user"] = user
    at.session_state["portfolio_id"] = pid
    return at.run()


def totals(at: AppTest) -> list[str]:
    return [m.value for m in at.metric if m.label == "Total P&L"]


def test_the_risk_page_shows_every_section_with_its_source_and_no_error(app_env: dict[str, str]) -> None:
    at = open_page("risk.py", "carol")
    assert not at.exception
    assert [s.value for s in at.subheader] == SECTIONS
    assert not at.warning, [w.value for w in at.warning]
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("Simulated prices as of 2026-11-20") >= len(SECTIONS)
    labels = {m.label for m in at.metric}
    assert {"Beta vs SPY (252 d)", "Rate beta (per +100 bp)", "HAR 22 d"} <= labels
    assert any(label.startswith("HHI · ") for label in labels)  # the band beside the HHI, not a tile of its own
    var = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    assert list(var["Measure"]) == ["VaR 95%", "CVaR 95%", "VaR 99%", "CVaR 99%"]
    assert all(v.startswith("$") for v in var["Loss ($)"])  # losses shown positive
    profile = next(d.value for d in at.dataframe if d.value.index.name == "Metric")
    assert {"CAGR (annualised)", "Max drawdown", "Information ratio", "VaR 95% (1-day)"} <= set(profile.index)


def test_the_custom_scenario_builder_changes_the_total_pnl(app_env: dict[str, str]) -> None:
    at = open_page("risk.py", "carol")
    before = totals(at)
    assert len(before) == 1  # the catalogue scenario; the untouched builder explains instead of showing $0
    assert any("Set at least one shock" in i.value for i in at.info)
    at.slider(key="builder_market").set_value(-20).run()
    after = totals(at)
    assert not at.exception
    assert after[0] == before[0] and after[1].startswith("-$")
    at.slider(key="builder_rates").set_value(100).run()
    assert totals(at)[1] != after[1]


def test_a_failing_benchmark_warns_in_its_section_and_the_rest_still_renders(app_env: dict[str, str]) -> None:
    at = open_page("risk.py", "alice")
    at.selectbox(key="risk_benchmark").set_value("Other symbol").run()
    at.text_input(key="risk_bench_symbol").input("NOPE").run()
    assert not at.exception
    assert any("NOPE" in w.value for w in at.warning)
    assert [s.value for s in at.subheader] == SECTIONS
