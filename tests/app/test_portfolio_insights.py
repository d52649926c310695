"""The Portfolio page shows the portfolio's active insight cards, and Dismiss hides one for good."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sigma.auth.model import AuthUser
from sigma.config import from_env
from sigma.insights.card import Rule, Severity, card
from sigma.insights.sql import cards as store
from sigma.wiring import build

pytestmark = pytest.mark.xdist_group("apptest")
PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "portfolio.py")
NIGHT = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
CARDS = [
    card(
        Rule.POSITION,
        "AAPL",
        Severity.CRITICAL,
        "AAPL is 31.0 % of NAV",
        "A single holding above 20.0 % of NAV: AAPL's delta-adjusted exposure is $31,000 of a $100,000 book.",
        {"weight": 0.31},
    ),
    card(Rule.BETA, "", Severity.INFO, "Low market beta: 0.62", "The 1-year beta to SPY is 0.62.", {"beta": 0.62}),
]


@pytest.fixture
def fresh_env(seeded_env, tmp_path, monkeypatch):
    """A private copy of the seeded data dir, so the stored cards and the dismissal stay in this test."""
    data = tmp_path / "data"
    shutil.copytree(seeded_env["SIGMA_DATA_DIR"], data)
    for key, value in {**seeded_env, "SIGMA_DATA_DIR": str(data)}.items():
        monkeypatch.setenv(key, value)
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()


def _store_cards() -> tuple[AuthUser, int]:
    """Alice's first book gets two cards, as the nightly batch would write them."""
    services = build(from_env())
    try:
        user = services.auth.authenticate("alice", "sigma-demo")
        assert user is not None
        pid = services.portfolios.list_portfolios(user)[0].id
        store.write(services.sessions, lambda s: store.sync(s, {pid: CARDS}, {pid: date(2026, 11, 20)}, NIGHT))
    finally:
        services.close()
    return user, pid


def _texts(at: AppTest) -> list[str]:
    return [str(m.value) for m in at.markdown] + [str(c.value) for c in at.caption]


def test_a_stored_card_shows_on_the_portfolio_page_and_dismiss_hides_it(fresh_env) -> None:  # type: ignore[no-untyped-def]
    user, pid = _store_cards()
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.session_state["sigma_user"] = user
    at.session_state["portfolio_id"] = pid
    at.run()
    assert not at.exception, at.exception
    texts = _texts(at)
    assert "#### Insights (2)" in texts
    assert any("**AAPL is 31.0 % of NAV**" in t and ":material/error:" in t for t in texts)  # critical first
    assert any("exposure is \\$31,000 of a \\$100,000 book" in t and "first seen 2026-11-20" in t for t in texts)
    dismiss = [b for b in at.button if b.label == "Dismiss"]
    assert len(dismiss) == 2
    dismiss[0].click().run()
    assert not at.exception, at.exception
    texts = _texts(at)
    assert "#### Insights (1)" in texts
    assert not any("AAPL is 31.0 % of NAV" in t for t in texts)
    assert any("Low market beta: 0.62" in t for t in texts)
    services = build(from_env())
    try:
        kept = services.insights.cards(user, pid, include_dismissed=True)
    finally:
        services.close()
    assert [(c.subject, c.dismissed_at is not None) for c in kept] == [("AAPL", True), ("", False)]
