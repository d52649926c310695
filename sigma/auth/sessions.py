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

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser, as_utc
from sigma.auth.rows import auth_user
from sigma.db import session_scope
from sigma.db.models import AuthSession, User


def token_id(token: str) -> str:
    """The stored id of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def revoke_sessions(s: Session, user_id: int, now: datetime) -> None:
    """Revoke every live session of `user_id` inside the caller's transaction."""
    s.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


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
        with session_scope(self._sessions) as s:
            s.add(AuthSession(id=token_id(token), user_id=user_id, created_at=now, expires_at=now + self._lifetime))
        return token

    def resolve(self, token: object) -> AuthUser | None:
        """The user of a live session, else None (also for anything but a non-empty str)."""
        if not isinstance(token, str) or not token:
            return None
        now = self._clock()
        with session_scope(self._sessions) as s:
            row = s.execute(
                select(AuthSession, User)
                .join(User, User.id == AuthSession.user_id)
                .where(AuthSession.id == token_id(token))
            ).first()
            if row is None:
                return None
            live, user = row
            expires = as_utc(live.expires_at)
            if live.revoked_at is not None or expires is None or expires <= now or not user.is_active:
                return None
            return auth_user(user)

    def end(self, token: object) -> None:
        """Revoke the session of `token` (no-op for an unknown token)."""
        if not isinstance(token, str) or not token:
            return
        with session_scope(self._sessions) as s:
            s.execute(
                update(AuthSession)
                .where(AuthSession.id == token_id(token), AuthSession.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )

    def revoke_all(self, user_id: int) -> None:
        """Revoke every live session of a user."""
        with session_scope(self._sessions) as s:
            revoke_sessions(s, user_id, self._clock())
