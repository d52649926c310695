"""The `auth_sessions` rows: open, look up and revoke server-side sessions by token id."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser, as_utc
from sigma.auth.sql.rows import auth_user
from sigma.db.models import AuthSession, User


def revoke_sessions(s: Session, user_id: int, now: datetime) -> None:
    """Revoke every live session of `user_id` inside the caller's transaction."""
    s.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def open_session(s: Session, session_id: str, user_id: int, now: datetime, expires: datetime) -> None:
    """Store a new session under `session_id` (a token's SHA-256)."""
    s.add(AuthSession(id=session_id, user_id=user_id, created_at=now, expires_at=expires))


def live_user(s: Session, session_id: str, now: datetime) -> AuthUser | None:
    """The user of a live session (exists, not revoked, not expired, user active), else None."""
    row = s.execute(
        select(AuthSession, User).join(User, User.id == AuthSession.user_id).where(AuthSession.id == session_id)
    ).first()
    if row is None:
        return None
    live, user = row
    expires = as_utc(live.expires_at)
    if live.revoked_at is not None or expires is None or expires <= now or not user.is_active:
        return None
    return auth_user(user)


def revoke_session(s: Session, session_id: str, now: datetime) -> None:
    """Revoke one session (no-op for an unknown id)."""
    s.execute(
        update(AuthSession).where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None)).values(revoked_at=now)
    )
