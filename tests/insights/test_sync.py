"""Storing insight cards (SQLite and PostgreSQL): idempotent, first_seen and dismissal kept, cards that
stop firing switched off, and as many statements for 30 portfolios as for 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import event, select

from sigma.db.models import Insight, Portfolio
from sigma.insights.card import Card, Rule, Severity, card
from sigma.insights.sql import cards as store
from tests.conftest import Database
from tests.portfolio.test_service_support import _user

NIGHT_1, NIGHT_2 = datetime(2026, 11, 20, 22, 0, tzinfo=UTC), datetime(2026, 11, 23, 22, 0, tzinfo=UTC)
DAY_1, DAY_2 = date(2026, 11, 20), date(2026, 11, 23)


def _books(db: Database, owner: str, n: int) -> list[int]:
    user = _user(db, owner)
    with db.sessions() as session:
        rows = [Portfolio(owner_id=user.id, name=f"{owner} {k}") for k in range(n)]
        session.add_all(rows)
        session.commit()
        return [r.id for r in rows]


def _position(symbol: str, weight: float) -> Card:
    return card(Rule.POSITION, symbol, Severity.WARNING, f"{symbol} is big", "body", {"weight": weight})


def _sync(db: Database, cards: dict[int, list[Card]], as_of: date, now: datetime) -> int:
    days = dict.fromkeys(cards, as_of)
    return store.write(db.sessions, lambda s: store.sync(s, cards, days, now))


def _rows(db: Database) -> list[tuple[object, ...]]:
    with db.sessions() as session:
        found = session.scalars(select(Insight).order_by(Insight.portfolio_id, Insight.rule, Insight.subject))
        return [
            (
                r.id,
                r.portfolio_id,
                r.rule,
                r.subject,
                r.severity,
                r.title,
                r.numbers,
                r.as_of,
                r.active,
                store._utc(r.first_seen),
                store._utc(r.last_seen),
                r.dismissed_by,
            )
            for r in found
        ]


def test_a_second_sync_of_the_same_cards_writes_the_same_rows(db: Database) -> None:
    a, b = _books(db, "alice", 2)
    cards = {a: [_position("AAPL", 0.25), _position("MSFT", 0.21)], b: []}
    assert _sync(db, cards, DAY_1, NIGHT_1) == 2
    first = _rows(db)
    assert _sync(db, cards, DAY_1, NIGHT_1) == 2
    assert _rows(db) == first
    assert [(r[3], r[8], r[9]) for r in first] == [("AAPL", True, NIGHT_1), ("MSFT", True, NIGHT_1)]


def test_a_card_that_stops_firing_goes_inactive_and_one_that_goes_on_keeps_its_first_seen(db: Database) -> None:
    (a,) = _books(db, "alice", 1)
    _sync(db, {a: [_position("AAPL", 0.25), _position("MSFT", 0.21)]}, DAY_1, NIGHT_1)
    escalated = card(Rule.POSITION, "AAPL", Severity.CRITICAL, "AAPL is bigger", "body", {"weight": 0.31})
    _sync(db, {a: [escalated]}, DAY_2, NIGHT_2)
    (aapl, msft) = _rows(db)
    # AAPL: new words, numbers, severity, as-of and last_seen; first_seen from the first night
    assert aapl[3:] == ("AAPL", "critical", "AAPL is bigger", {"weight": 0.31}, DAY_2, True, NIGHT_1, NIGHT_2, None)
    # MSFT: left as it was last seen, switched off
    assert msft[3:] == ("MSFT", "warning", "MSFT is big", {"weight": 0.21}, DAY_1, False, NIGHT_1, NIGHT_1, None)


def test_a_dismissal_survives_the_next_nights_and_a_card_firing_again(db: Database) -> None:
    (a,) = _books(db, "alice", 1)
    owner = _user(db, "owner-of-nothing")  # any user id: dismiss is checked in the service tests
    _sync(db, {a: [_position("AAPL", 0.25)]}, DAY_1, NIGHT_1)
    (row,) = _rows(db)
    with db.sessions() as session:
        session.get(Insight, row[0]).dismissed_by = owner.id  # type: ignore[union-attr]
        session.commit()
    _sync(db, {a: []}, DAY_2, NIGHT_2)  # stops firing
    _sync(db, {a: [_position("AAPL", 0.26)]}, DAY_2, NIGHT_2)  # fires again
    (again,) = _rows(db)
    assert (again[0], again[8], again[9], again[11]) == (row[0], True, NIGHT_1, owner.id)


def test_a_portfolio_left_out_of_the_sync_keeps_its_cards(db: Database) -> None:
    a, b = _books(db, "alice", 2)
    _sync(db, {a: [_position("AAPL", 0.25)], b: [_position("XOM", 0.4)]}, DAY_1, NIGHT_1)
    _sync(db, {a: []}, DAY_2, NIGHT_2)  # b failed tonight: its card stays as it was
    assert [(r[1], r[3], r[8]) for r in _rows(db)] == [(a, "AAPL", False), (b, "XOM", True)]


@contextmanager
def _counting(db: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_syncing_thirty_portfolios_takes_as_many_statements_as_three(db: Database) -> None:
    pids = _books(db, "alice", 30)

    def night(books: list[int]) -> int:
        cards = {p: [_position("AAPL", 0.25), _position(f"S{p}", 0.3)] for p in books}
        with _counting(db) as seen:
            _sync(db, cards, DAY_1, NIGHT_1)
        return len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT"))])

    assert night(pids[:3]) == night(pids) == 2  # one UPDATE, one INSERT … ON CONFLICT
