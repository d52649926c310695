"""Drawing the Portfolio page's insight cards: the nightly batch's active, undismissed cards, with Dismiss.

Formatting only: the cards (words and numbers) come from `InsightService.cards`; the rules that
write them live in `sigma.insights.rules`. A dismissed card leaves the page for good (it stays
stored, and active while its rule still fires).
"""

from __future__ import annotations

import streamlit as st

from sigma.auth.model import AuthUser
from sigma.insights.service import InsightService, StoredCard
from sigma.ui.portfolio.view import SEVERITY_ICON

EMPTY = "No open insight cards. The nightly batch writes them: python -m jobs run batch"


def _text(words: str) -> str:
    """Card words as literal markdown: "$" would otherwise open LaTeX."""
    return words.replace("$", "\\$")


def _card(service: InsightService, user: AuthUser, card: StoredCard) -> None:
    """One card: severity icon and title, the body with its numbers, dates, and a Dismiss button."""
    with st.container(border=True):
        left, right = st.columns([7, 1], vertical_alignment="center")
        left.markdown(f"{SEVERITY_ICON.get(str(card.severity), '')} **{_text(card.title)}**")
        dates = f"{card.severity} · first seen {card.first_seen:%Y-%m-%d} · as of {card.as_of:%Y-%m-%d}"
        left.caption(f"{_text(card.body)}  \n{dates}")
        if right.button("Dismiss", key=f"insight_dismiss_{card.id}", help="Hide this card from the page"):
            service.dismiss(user, card.id)
            st.rerun()


def show(service: InsightService, user: AuthUser, pid: int) -> None:
    """The Insights section: the portfolio's active, undismissed cards, critical first."""
    cards = service.cards(user, pid)
    st.markdown(f"#### Insights ({len(cards)})" if cards else "#### Insights")
    if not cards:
        st.caption(EMPTY)
    for card in cards:
        _card(service, user, card)
