"""The insight service's calls for tests/test_permissions.py: the service over the cast's world, a card of Alice's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sigma.insights.card import Rule, Severity, card
from sigma.insights.service import InsightService
from sigma.insights.sql import cards as store

NIGHT = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)


def insights_of(cast: Any) -> InsightService:
    """The insight service over the permission test's world (its risk service stands in for the batch reads)."""
    w = cast.w
    return InsightService(w.db.sessions, w.portfolios, w.risk, w.market, w.risk.settings, now=lambda: NIGHT)


def alices_card(cast: Any) -> int:
    """The id of a card on Alice's SPY book, stored as the nightly batch would (idempotent)."""
    mine = card(Rule.BETA, "", Severity.INFO, "Low market beta: 0.50", "", {"beta": 0.5})
    store.write(cast.w.db.sessions, lambda s: store.sync(s, {cast.spy: [mine]}, {cast.spy: cast.view.as_of}, NIGHT))
    return insights_of(cast).cards(cast.w.alice, cast.spy)[0].id
