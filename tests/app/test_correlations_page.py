"""The Correlations page: matrix, pair drill-down and CSV export; the window changes the matrix."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_risk_page import open_page

pytestmark = pytest.mark.xdist_group("apptest")


def heatmap(at: AppTest) -> str:
    return str(at.get("plotly_chart")[0].proto.spec)


def test_the_correlations_page_shows_the_matrix_a_pair_and_an_export(app_env: dict[str, str]) -> None:
    at = open_page("correlations.py", "alice")
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Correlation matrix · 1Y · Pearson", "Pair"]
    assert len(at.get("plotly_chart")) == 2 and len(at.get("download_button")) == 1
    assert "Simulated prices as of 2026-11-20" in " ".join(c.value for c in at.caption)


def test_changing_the_window_changes_the_matrix(app_env: dict[str, str]) -> None:
    at = open_page("correlations.py", "alice")
    one_year, pair_1y = heatmap(at), [m.value for m in at.metric]
    at.segmented_control(key="corr_window").set_value("3M").run()
    assert not at.exception
    assert at.subheader[0].value == "Correlation matrix · 3M · Pearson"
    assert heatmap(at) != one_year and [m.value for m in at.metric] != pair_1y


def test_typed_symbols_and_spearman_give_their_own_matrix(app_env: dict[str, str]) -> None:
    at = open_page("correlations.py", "alice")
    at.radio(key="corr_scope").set_value("Typed").run()
    at.text_input(key="corr_symbols").input("SPY, TLT, GLD").run()
    at.segmented_control(key="corr_method").set_value("spearman").run()
    assert not at.exception
    assert at.subheader[0].value == "Correlation matrix · 1Y · Spearman"
    assert set(at.selectbox(key="corr_a").options) == {"SPY", "TLT", "GLD"}
