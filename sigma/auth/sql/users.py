"""The `users` rows as administration changes them, and the admin check that re-reads the role.

Admin-only work calls `require_admin` inside its own transaction: the acting user's role and
active flag are read from the database, never taken from the `AuthUser` passed in, so a forged
or stale `AuthUser(role=admin)` gains nothing and a demoted admin loses rights at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sigma.auth.lockout import LockoutState, lockout_state
from sigma.auth.model import AuthUser, CredentialEntry, UserRow
from sigma.auth.sql.rows import auth_user
from sigma.auth.sql.sessions import revoke_sessions
from sigma.conventions import Role
from sigma.db.models import LoginFailure, User
from sigma.errors import NotFound, PermissionDenied


def require_admin(s: Session, acting: AuthUser, what: str) -> None:
    """`PermissionDenied` unless the acting user is, as stored now, an active admin."""
    if current_role(s, acting.id) != Role.ADMIN:
        raise PermissionDenied(f"Only administrators can {what}.")


def current_role(s: Session, user_id: int) -> Role | None:
    """The user's role as stored now (None for a missing or inactive user)."""
    user = s.get(User, user_id)
    return Role(user.role) if user is not None and user.is_active else None


def find_user(s: Session, login: str) -> AuthUser | None:
    """The user with the normalised name `login`, else None."""
    user = s.scalar(select(User).where(User.username == login))
    return auth_user(user) if user is not None else None


def username_of(s: Session, user_id: int) -> str:
    """The stored username of `user_id`; `NotFound` when there is none."""
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    return user.username


def insert_user(s: Session, login: str, name: str, email: str, password_hash: str, role: Role) -> AuthUser:
    """Add an active user (the caller checked the name is free; a race fails with IntegrityError)."""
    user = User(username=login, name=name, email=email, password_hash=password_hash, role=role.value, is_active=True)
    s.add(user)
    s.flush()
    return auth_user(user)


def edit_user(s: Session, user_id: int, change: Callable[[User], None], revoke_at: datetime | None) -> None:
    """Apply `change` to a user row; revoke the user's sessions when `revoke_at` is given."""
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.")
    change(user)
    if revoke_at is not None:
        revoke_sessions(s, user_id, revoke_at)


def user_rows(s: Session, now: datetime, window: timedelta) -> list[UserRow]:
    """Every user with its lockout state, by username."""
    found = s.execute(
        select(User, LoginFailure)
        .outerjoin(LoginFailure, LoginFailure.username == User.username)
        .order_by(User.username)
    ).all()
    return [_user_row(user, lockout_state(failure, now, window)) for user, failure in found]


def _user_row(user: User, lockout: LockoutState) -> UserRow:
    return UserRow(
        id=user.id,
        username=user.username,
        name=user.name,
        email=user.email or "",
        role=Role(user.role),
        is_active=user.is_active,
        failures=lockout.failures,
        locked=lockout.locked,
        locked_until=lockout.locked_until,
    )


def credentials(s: Session) -> dict[str, CredentialEntry]:
    """Active users in streamlit-authenticator's credentials shape, by username (hashes included)."""
    users = s.scalars(select(User).where(User.is_active.is_(True)).order_by(User.username)).all()
    return {
        u.username: CredentialEntry(name=u.name, email=u.email or "", password=u.password_hash, roles=[u.role])
        for u in users
    }
