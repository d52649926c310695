"""Server-side login sessions.

Session tokens are `secrets.token_urlsafe(32)`; the database stores only their SHA-256, so a
copy of the table cannot be replayed. A session is live while it exists, is not revoked, has
not expired and its user is active.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.auth.sql import sessions as rows
from sigma.auth.sql import transactions


def token_id(token: str) -> str:
    """The stored id of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SessionStore:
    """Open, resolve and revoke server-side sessions."""

    def __init__(self, sessions: sessionmaker[Session], lifetime: timedelta, clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._lifetime = lifetime
        self._clock = clock

    def start(self, user_id: int) -> str:
        """Open a session for `user_id`; returns the token to hand to the browser."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        transactions.write(
            self._sessions, lambda s: rows.open_session(s, token_id(token), user_id, now, now + self._lifetime)
        )
        return token

    def resolve(self, token: object) -> AuthUser | None:
        """The user of a live session, else None (also for anything but a non-empty str)."""
        if not isinstance(token, str) or not token:
            return None
        now = self._clock()
        return transactions.read(self._sessions, lambda s: rows.live_user(s, token_id(token), now))

    def end(self, token: object) -> None:
        """Revoke the session of `token` (no-op for an unknown token)."""
        if not isinstance(token, str) or not token:
            return
        now = self._clock()
        transactions.write(self._sessions, lambda s: rows.revoke_session(s, token_id(token), now))

    def revoke_all(self, user_id: int) -> None:
        """Revoke every live session of a user."""
        now = self._clock()
        transactions.write(self._sessions, lambda s: rows.revoke_sessions(s, user_id, now))
