"""Login: password checks with lockout.

Lockout: `login_max_failures` failures for one submitted name (existing or not) within
`login_window_minutes` of the first one lock it for `lockout_minutes`; attempts while locked
fail without extending the lock; a success clears the counter; a lockout revokes the user's
sessions. Every check runs bcrypt exactly once whatever the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser, as_utc, normalise_username
from sigma.auth.passwords import verify_password
from sigma.auth.rows import auth_user
from sigma.auth.sessions import revoke_sessions
from sigma.config import Settings
from sigma.db import session_scope, upsert, with_lock_retry
from sigma.db.models import LoginFailure, User

FAILURE_KEY_CHARS = 256  # width of login_failures.username


def failure_key(username: str) -> str:
    """The `login_failures` key of a submitted name."""
    return normalise_username(username)[:FAILURE_KEY_CHARS]


def is_locked(failure: LoginFailure, now: datetime) -> bool:
    """True while the lock of a failure row runs."""
    until = as_utc(failure.locked_until)
    return until is not None and until > now


@dataclass(frozen=True)
class LockoutState:
    """The lockout state of one name as the admin sees it."""

    failures: int
    locked: bool
    locked_until: datetime | None


def lockout_state(failure: LoginFailure | None, now: datetime, window: timedelta) -> LockoutState:
    """Failures count while locked, or while the window of an unlocked counter is still open."""
    if failure is None:
        return LockoutState(0, False, None)
    locked = is_locked(failure, now)
    first = as_utc(failure.first_failure)
    counting = failure.locked_until is None and first is not None and now - first < window
    count = failure.failures if locked or counting else 0
    return LockoutState(count, locked, as_utc(failure.locked_until) if locked else None)


@dataclass(frozen=True)
class _Candidate:
    """What one login attempt found in the database before the bcrypt check."""

    user: AuthUser | None
    password_hash: str | None
    had_failures: bool


class LoginGuard:
    """Checks passwords and keeps the failure counters and locks."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    def authenticate(self, username: str, password: str) -> AuthUser | None:
        """The user if the password is right and the account active and unlocked, else None.
        Runs bcrypt exactly once whatever the outcome; every failure is recorded."""
        key = failure_key(username)
        now = self._clock()
        found = self._candidate(normalise_username(username), key, now)
        if verify_password(password, found.password_hash, self._settings.bcrypt_rounds) and found.user is not None:
            if found.had_failures:
                with_lock_retry(lambda: self.clear(key))
            return found.user
        user_id = found.user.id if found.user is not None else None
        with_lock_retry(lambda: self._record_failure(key, user_id, now))
        return None

    def _candidate(self, name: str, key: str, now: datetime) -> _Candidate:
        with session_scope(self._sessions) as s:
            user = s.scalar(select(User).where(User.username == name)) if name else None
            failure = s.get(LoginFailure, key)
            locked = failure is not None and is_locked(failure, now)
            usable = user is not None and user.is_active and not locked
            return _Candidate(
                user=auth_user(user) if user is not None else None,
                password_hash=user.password_hash if usable and user is not None else None,
                had_failures=failure is not None,
            )

    def clear(self, key: str) -> None:
        """Forget the failures (and any lock) of a failure key."""
        with session_scope(self._sessions) as s:
            row = s.get(LoginFailure, key)
            if row is not None:
                s.delete(row)

    def _record_failure(self, key: str, user_id: int | None, now: datetime) -> None:
        settings = self._settings
        with session_scope(self._sessions) as s:
            upsert(
                s,
                LoginFailure.__table__,  # type: ignore[arg-type]  # a Table at runtime; typed FromClause
                [{"username": key, "failures": 0, "first_failure": now, "locked_until": None}],
                key=["username"],
                update=[],
            )
            row = s.get(LoginFailure, key, with_for_update=True, populate_existing=True)
            if row is None or is_locked(row, now):
                return  # attempts during a lockout do not extend it
            window = timedelta(minutes=settings.login_window_minutes)
            first = as_utc(row.first_failure)
            if row.failures == 0 or row.locked_until is not None or first is None or now - first >= window:
                row.failures, row.first_failure, row.locked_until = 1, now, None
            else:
                row.failures += 1
            if row.failures >= settings.login_max_failures:
                row.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                if user_id is not None:
                    revoke_sessions(s, user_id, now)
