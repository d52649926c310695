"""User administration: create, seed, reset passwords, (de)activate, list and unlock.

Admin-only calls re-read the acting user's role from the database, so a demoted admin loses
rights at once. A password reset or a deactivation revokes the user's sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.login import LockoutState, failure_key, lockout_state
from sigma.auth.model import AuthUser, UserRow, normalise_username
from sigma.auth.passwords import hash_password
from sigma.auth.rows import auth_user
from sigma.auth.sessions import revoke_sessions
from sigma.config import Settings
from sigma.conventions import Role
from sigma.db import session_scope
from sigma.db.models import LoginFailure, User
from sigma.errors import NotFound, PermissionDenied, ValidationError

MAX_USERNAME_CHARS = 64


def valid_username(username: str) -> str:
    """The normalised username; `ValidationError` when empty, too long or with blanks."""
    login = normalise_username(username)
    if not login or len(login) > MAX_USERNAME_CHARS or any(c.isspace() for c in login):
        raise ValidationError(f"Usernames need 1 to {MAX_USERNAME_CHARS} characters without spaces; got {username!r}.")
    return login


def valid_role(role: str) -> Role:
    """`role` as a `Role`; `ValidationError` naming the known roles otherwise."""
    try:
        return Role(role)
    except ValueError as exc:
        raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}.") from exc


class CredentialEntry(TypedDict):
    """One user in streamlit-authenticator's credentials shape."""

    name: str
    email: str
    password: str
    roles: list[str]


def _taken(login: str) -> ValidationError:
    return ValidationError(f"The username {login!r} is taken. Choose another one.")


class UserDirectory:
    """The `users` table as the admin and the seeding code change it."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    def create(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create a user; `ValidationError` for a bad name, role or password, or a taken name."""
        login = valid_username(username)
        role_value = valid_role(role)
        password_hash = hash_password(password, self._settings.bcrypt_rounds)
        user = User(
            username=login,
            name=name.strip() or login,
            email=email.strip(),
            password_hash=password_hash,
            role=role_value.value,
            is_active=True,
        )
        try:
            with session_scope(self._sessions) as s:
                if s.scalar(select(User.id).where(User.username == login)) is not None:
                    raise _taken(login)
                s.add(user)
                s.flush()
                return auth_user(user)
        except IntegrityError as exc:  # lost a race with a concurrent create
            raise _taken(login) from exc

    def ensure(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create the user if missing (for seeding); an existing user is returned unchanged."""
        with session_scope(self._sessions) as s:
            user = s.scalar(select(User).where(User.username == normalise_username(username)))
            if user is not None:
                return auth_user(user)
        return self.create(username, name, password, role, email)

    def set_password(self, user_id: int, new_password: str) -> None:
        """Set a new password and revoke every session of the user."""
        password_hash = hash_password(new_password, self._settings.bcrypt_rounds)

        def change(user: User) -> None:
            user.password_hash = password_hash

        self._edit(user_id, change, revoke=True)

    def set_active(self, user_id: int, active: bool) -> None:
        """Activate or deactivate a user; deactivation also revokes the user's sessions."""

        def change(user: User) -> None:
            user.is_active = active

        self._edit(user_id, change, revoke=not active)

    def _edit(self, user_id: int, change: Callable[[User], None], revoke: bool) -> None:
        with session_scope(self._sessions) as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"No user with id {user_id}.")
            change(user)
            if revoke:
                revoke_sessions(s, user_id, self._clock())

    def list(self, acting: AuthUser) -> list[UserRow]:
        """Every user with lockout state, by username (admins only)."""
        now = self._clock()
        window = timedelta(minutes=self._settings.login_window_minutes)
        with session_scope(self._sessions) as s:
            _require_admin(s, acting, "list users")
            rows = s.execute(
                select(User, LoginFailure)
                .outerjoin(LoginFailure, LoginFailure.username == User.username)
                .order_by(User.username)
            ).all()
            return [_user_row(user, lockout_state(failure, now, window)) for user, failure in rows]

    def unlock(self, acting: AuthUser, username: str) -> None:
        """Lift a lockout and clear the failure count of `username` (admins only)."""
        key = failure_key(username)
        with session_scope(self._sessions) as s:
            _require_admin(s, acting, "unlock accounts")
            row = s.get(LoginFailure, key)
            if row is not None:
                s.delete(row)

    def current_role(self, user_id: int) -> Role | None:
        """The user's role as stored now (None for a missing or inactive user)."""
        with session_scope(self._sessions) as s:
            user = s.get(User, user_id)
            return Role(user.role) if user is not None and user.is_active else None

    def credentials_dict(self) -> dict[str, dict[str, CredentialEntry]]:
        """Active users in streamlit-authenticator's credentials shape, hashes included.

        Not for the UI: the login widget gets only the session's own user (`sigma.ui.auth`).
        """
        with session_scope(self._sessions) as s:
            users = s.scalars(select(User).where(User.is_active.is_(True)).order_by(User.username)).all()
            return {
                "usernames": {
                    u.username: CredentialEntry(
                        name=u.name, email=u.email or "", password=u.password_hash, roles=[u.role]
                    )
                    for u in users
                }
            }


def _require_admin(s: Session, acting: AuthUser, what: str) -> None:
    user = s.get(User, acting.id)
    if user is None or not user.is_active or user.role != Role.ADMIN:
        raise PermissionDenied(f"Only administrators can {what}.")


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
