"""User administration: create, seed, reset passwords, (de)activate, list and unlock.

Admin-only calls re-read the acting user's role from the database in the transaction that does
the work (`sql.users.require_admin`), so a forged or stale `AuthUser` gains nothing and a
demoted admin loses rights at once. New passwords meet the policy (`sigma.auth.policy`), except
the public demo passwords, seeded through `seed_demo` only outside production. A password reset
or a deactivation revokes the user's sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.lockout import failure_key
from sigma.auth.model import AuthUser, CredentialEntry, UserRow, normalise_username
from sigma.auth.passwords import hash_password
from sigma.auth.policy import check_new_password
from sigma.auth.sql import attempts, transactions
from sigma.auth.sql import users as rows
from sigma.config import Settings
from sigma.conventions import Role
from sigma.errors import ConfigError, PermissionDenied, ValidationError

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


def _taken(login: str) -> ValidationError:
    return ValidationError(f"The username {login!r} is taken. Choose another one.")


class UserDirectory:
    """The `users` table as the admin and the seeding code change it."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    def create(
        self, acting: AuthUser | None, username: str, name: str, password: str, role: str, email: str
    ) -> AuthUser:
        """Create a user (an admin's act when `acting` is given; seeding otherwise); the password
        must meet the policy. `ValidationError` for a bad name, role or password, or a taken name."""
        login, role_value = valid_username(username), valid_role(role)
        check_new_password(password, login)
        return self._insert(acting, login, name, password, role_value, email)

    def seed_demo(self, username: str, name: str, password: str, role: str, email: str) -> AuthUser:
        """Create a demo user if missing, with its public demo password: this BYPASSES the password
        policy on purpose, for the demo book only, and is refused in production."""
        if self._settings.is_production:
            raise ConfigError("Refusing to seed demo users with SIGMA_ENV=production.")
        login = valid_username(username)
        existing = transactions.read(self._sessions, lambda s: rows.find_user(s, login))
        return existing or self._insert(None, login, name, password, valid_role(role), email)

    def ensure(self, username: str, name: str, password: str, role: str, email: str) -> AuthUser:
        """Create the user if missing (for seeding); an existing user is returned unchanged."""
        login = valid_username(username)
        existing = transactions.read(self._sessions, lambda s: rows.find_user(s, login))
        return existing or self.create(None, login, name, password, role, email)

    def _insert(
        self, acting: AuthUser | None, login: str, name: str, password: str, role: Role, email: str
    ) -> AuthUser:
        password_hash = hash_password(password, self._settings.bcrypt_rounds)

        def insert(s: Session) -> AuthUser:
            if acting is not None:
                rows.require_admin(s, acting, "create users")
            if rows.find_user(s, login) is not None:
                raise _taken(login)
            return rows.insert_user(s, login, name.strip() or login, email.strip(), password_hash, role)

        try:
            return transactions.write(self._sessions, insert)
        except IntegrityError as exc:  # lost a race with a concurrent create
            raise _taken(login) from exc

    def set_password(self, acting: AuthUser, user_id: int, new_password: str) -> None:
        """Set a new password (the user's own, or anyone's by an admin) that meets the policy, and
        revoke every session of the user."""

        def change(s: Session) -> None:
            if acting.id != user_id:
                rows.require_admin(s, acting, "change another user's password")
            elif rows.current_role(s, acting.id) is None:
                raise PermissionDenied("This account is inactive: ask an administrator to reactivate it.")
            check_new_password(new_password, rows.username_of(s, user_id))
            password_hash = hash_password(new_password, self._settings.bcrypt_rounds)
            rows.edit_user(s, user_id, lambda u: setattr(u, "password_hash", password_hash), self._clock())

        transactions.write(self._sessions, change)

    def set_active(self, acting: AuthUser, user_id: int, active: bool) -> None:
        """Activate or deactivate a user (admins only); deactivation also revokes the user's sessions."""

        def change(s: Session) -> None:
            rows.require_admin(s, acting, "activate or deactivate users")
            rows.edit_user(s, user_id, lambda u: setattr(u, "is_active", active), None if active else self._clock())

        transactions.write(self._sessions, change)

    def list(self, acting: AuthUser) -> list[UserRow]:
        """Every user with lockout state, by username (admins only)."""
        now, window = self._clock(), timedelta(minutes=self._settings.login_window_minutes)

        def read(s: Session) -> list[UserRow]:
            rows.require_admin(s, acting, "list users")
            return rows.user_rows(s, now, window)

        return transactions.read(self._sessions, read)

    def unlock(self, acting: AuthUser, username: str) -> None:
        """Lift a lockout and clear the failure count of `username` (admins only)."""
        key = failure_key(username)

        def lift(s: Session) -> None:
            rows.require_admin(s, acting, "unlock accounts")
            attempts.clear(s, key)

        transactions.write(self._sessions, lift)

    def current_role(self, user_id: int) -> Role | None:
        """The user's role as stored now (None for a missing or inactive user)."""
        return transactions.read(self._sessions, lambda s: rows.current_role(s, user_id))

    def credentials_dict(self) -> dict[str, dict[str, CredentialEntry]]:
        """Active users in streamlit-authenticator's credentials shape, hashes included.

        Not for the UI: the login widget gets only the session's own user (`sigma.ui.auth`).
        """
        return {"usernames": transactions.read(self._sessions, rows.credentials)}
