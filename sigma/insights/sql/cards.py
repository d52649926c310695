"""Stored insight cards: the `insights` table, one row per (portfolio, rule, subject).

`sync` writes the cards of many portfolios in two statements whatever their number: one UPDATE
marks every active card of those portfolios inactive, one bulk upsert (ON CONFLICT on SQLite and
PostgreSQL) writes the cards that fire, active again, with new words, numbers, severity, as-of and
last_seen, keeping `first_seen` and any dismissal. Both run in the caller's transaction, so no
reader sees the cards switched off in between, and a re-run with the same cards and clock writes
the same rows. Portfolios left out of `sync` (a failed book) keep their cards as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sigma.db import upsert
from sigma.db.engine import read_session as read
from sigma.db.engine import write_transaction as write
from sigma.db.models import Insight, Portfolio
from sigma.errors import PermissionDenied
from sigma.insights.card import Card, Severity, StoredCard

__all__ = ["dismiss", "list_cards", "read", "sync", "write"]

CARD_KEY = ("portfolio_id", "rule", "subject")
UPDATED = ("severity", "title", "body", "numbers", "as_of", "active", "last_seen")


def _rows(cards: Mapping[int, Sequence[Card]], as_of: Mapping[int, date], now: datetime) -> list[dict[str, Any]]:
    """One row per (portfolio, rule, subject); a key repeated within a book: the last card wins."""
    rows: dict[tuple[int, str, str], dict[str, Any]] = {}
    for pid, book in cards.items():
        for c in book:
            rows[(pid, str(c.rule), c.subject)] = {
                "portfolio_id": pid,
                "rule": str(c.rule),
                "subject": c.subject,
                "severity": str(c.severity),
                "title": c.title,
                "body": c.body,
                "numbers": c.numbers,
                "as_of": as_of[pid],
                "active": True,
                "first_seen": now,
                "last_seen": now,
            }
    return list(rows.values())


def sync(session: Session, cards: Mapping[int, Sequence[Card]], as_of: Mapping[int, date], now: datetime) -> int:
    """Make the stored cards of the portfolios in `cards` exactly the ones given, each book's stamped with
    its price date `as_of[pid]` (see the module docstring)."""
    pids = sorted(cards)
    if not pids:
        return 0
    off = update(Insight).where(Insight.portfolio_id.in_(pids), Insight.active.is_(True)).values(active=False)
    session.execute(off)
    rows = _rows(cards, as_of, now)
    return upsert(session, Insight.__table__, rows, key=CARD_KEY, update=UPDATED)  # type: ignore[arg-type]


def _utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back naive: they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stored(row: Insight) -> StoredCard:
    return StoredCard(
        id=row.id,
        portfolio_id=row.portfolio_id,
        rule=row.rule,
        subject=row.subject,
        severity=Severity(row.severity),
        title=row.title,
        body=row.body,
        numbers=dict(row.numbers or {}),
        as_of=row.as_of,
        active=row.active,
        first_seen=_utc(row.first_seen),
        last_seen=_utc(row.last_seen),
        dismissed_at=None if row.dismissed_at is None else _utc(row.dismissed_at),
    )


def list_cards(session: Session, pid: int, include_dismissed: bool) -> list[StoredCard]:
    """The active cards of a portfolio (undismissed only unless asked), critical first, then newest."""
    stmt = select(Insight).where(Insight.portfolio_id == pid, Insight.active.is_(True))
    if not include_dismissed:
        stmt = stmt.where(Insight.dismissed_at.is_(None))
    found = [_stored(row) for row in session.scalars(stmt)]
    return sorted(found, key=lambda c: (c.severity.rank, -c.first_seen.timestamp(), c.rule, c.subject))


def dismiss(session: Session, user_id: int, insight_id: int, now: datetime) -> None:
    """Dismiss one of the user's cards (the first dismissal stands); PermissionDenied for another's or none."""
    stmt = select(Insight).join(Portfolio).where(Insight.id == insight_id, Portfolio.owner_id == user_id)
    row = session.scalar(stmt)
    if row is None:
        raise PermissionDenied(f"Insight {insight_id} is not one of yours.")
    if row.dismissed_at is None:
        row.dismissed_by, row.dismissed_at = user_id, now
