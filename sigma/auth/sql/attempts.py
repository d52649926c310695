"""The `login_failures` counters, reserved atomically before any password is checked.

`reserve` runs in its own committed transaction before bcrypt: it creates the row if missing
(INSERT ... ON CONFLICT DO NOTHING), restarts a counter whose window or lock has run out, and
then takes one attempt with a single conditional UPDATE (`failures < limit`, no lock running)
whose affected row count says whether the attempt may be checked. SQLite serialises writers and
PostgreSQL re-checks the WHERE clause of a waiting UPDATE against the committed row, so at most
`limit` attempts per window are ever granted, however many run at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from sigma.auth.lockout import LockoutRules
from sigma.auth.model import AuthUser
from sigma.auth.sql.rows import auth_user
from sigma.auth.sql.sessions import revoke_sessions
from sigma.db import upsert
from sigma.db.models import LoginFailure, User


@dataclass(frozen=True)
class Candidate:
    """What one login attempt found of the submitted user."""

    user: AuthUser | None
    password_hash: str | None  # None for an inactive user


def _rowcount(result: object) -> int:
    return int(cast("CursorResult[object]", result).rowcount)


def reserve(s: Session, key: str, now: datetime, rules: LockoutRules) -> bool:
    """Take one attempt for `key`; False when the name is locked or its attempts are used up."""
    table = LoginFailure.__table__
    upsert(s, table, [{"username": key, "failures": 0, "first_failure": now}], key=["username"], update=[])  # type: ignore[arg-type]  # a Table at runtime
    expired = or_(
        and_(LoginFailure.locked_until.is_(None), LoginFailure.first_failure <= now - rules.window),
        LoginFailure.locked_until <= now,
    )
    s.execute(
        update(LoginFailure)
        .where(LoginFailure.username == key, expired)
        .values(failures=0, first_failure=now, locked_until=None)
    )
    taken = s.execute(
        update(LoginFailure)
        .where(
            LoginFailure.username == key,
            LoginFailure.locked_until.is_(None),
            LoginFailure.failures < rules.limit,
        )
        .values(failures=LoginFailure.failures + 1)
    )
    return _rowcount(taken) == 1


def candidate(s: Session, name: str) -> Candidate:
    """The user named `name` and, when active, the hash to check."""
    user = s.scalar(select(User).where(User.username == name)) if name else None
    if user is None:
        return Candidate(None, None)
    return Candidate(auth_user(user), user.password_hash if user.is_active else None)


def record_failure(s: Session, key: str, user_id: int | None, now: datetime, rules: LockoutRules) -> None:
    """A reserved attempt failed: the one that used up the attempts locks the name (and revokes
    the user's sessions); the counter itself was raised by `reserve`."""
    locked = s.execute(
        update(LoginFailure)
        .where(
            LoginFailure.username == key,
            LoginFailure.locked_until.is_(None),
            LoginFailure.failures >= rules.limit,
        )
        .values(locked_until=now + rules.duration)
    )
    if _rowcount(locked) and user_id is not None:
        revoke_sessions(s, user_id, now)


def clear(s: Session, key: str) -> None:
    """Forget the failures (and any lock) of a failure key."""
    s.execute(delete(LoginFailure).where(LoginFailure.username == key))
