"""The authentication service: the one entry pages and jobs call.

A thin facade over the three pieces: `login` (password checks and lockout), `sessions`
(server-side sessions) and `users` (administration). Times come from the injected clock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.login import LoginGuard
from sigma.auth.model import AuthUser, CredentialEntry, UserRow, normalise_username, utc_now
from sigma.auth.sessions import SessionStore
from sigma.auth.users import UserDirectory
from sigma.config import Settings
from sigma.conventions import Role

__all__ = ["AuthService", "normalise_username"]


class AuthService:
    """Users, password checks with lockout, and server-side sessions."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._login = LoginGuard(sessions, settings, clock)
        self._live = SessionStore(sessions, timedelta(hours=settings.session_hours), clock)
        self._users = UserDirectory(sessions, settings, clock)

    # --- login and lockout ------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> AuthUser | None:
        """The user if the password is right and the account active and unlocked, else None;
        `PermissionDenied` with its own message for a demo account in production."""
        return self._login.authenticate(username, password)

    # --- server-side sessions ---------------------------------------------------------------

    def start_session(self, user_id: int) -> str:
        """Open a session for `user_id`; returns the token to hand to the browser."""
        return self._live.start(user_id)

    def resolve_session(self, token: object) -> AuthUser | None:
        """The user of a live session (exists, not revoked, not expired, user active), else None."""
        return self._live.resolve(token)

    def end_session(self, token: object) -> None:
        """Log out: revoke the session of `token` (no-op for an unknown token)."""
        self._live.end(token)

    def revoke_all(self, user_id: int) -> None:
        """Revoke every live session of a user (password reset, lockout, deactivation)."""
        self._live.revoke_all(user_id)

    # --- users ------------------------------------------------------------------------------

    def create_user(
        self, acting: AuthUser, username: str, name: str, password: str, role: str, email: str = ""
    ) -> AuthUser:
        """Create a user (admins only; the role is re-read); `ValidationError` for a bad name, role,
        a password that fails the policy, or a taken name."""
        return self._users.create(acting, username, name, password, role, email)

    def register_user(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create a user without an acting admin: `python -m jobs create-user`, run by whoever holds
        the server (how a production install gets its first admin). Policy applies; a taken name
        is a `ValidationError`."""
        return self._users.create(None, username, name, password, role, email)

    def ensure_user(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create the user if missing (seeding and set-up, no acting user; the password policy
        applies); an existing user is returned unchanged."""
        return self._users.ensure(username, name, password, role, email)

    def seed_demo_user(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create a demo user if missing with its public demo password, BYPASSING the password
        policy (demo book only); `ConfigError` in production."""
        return self._users.seed_demo(username, name, password, role, email)

    def set_password(self, acting: AuthUser, user_id: int, new_password: str) -> None:
        """Set a new password (one's own, or anyone's by an admin) and revoke every session of the user."""
        self._users.set_password(acting, user_id, new_password)

    def set_active(self, acting: AuthUser, user_id: int, active: bool) -> None:
        """Activate or deactivate a user (admins only); deactivation also revokes the user's sessions."""
        self._users.set_active(acting, user_id, active)

    def list_users(self, acting: AuthUser) -> list[UserRow]:
        """Every user with lockout state, by username (admins only)."""
        return self._users.list(acting)

    def unlock(self, acting: AuthUser, username: str) -> None:
        """Lift a lockout and clear the failure count of `username` (admins only)."""
        self._users.unlock(acting, username)

    def current_role(self, user_id: int) -> Role | None:
        """The user's role as stored now (None for a missing or inactive user)."""
        return self._users.current_role(user_id)

    def credentials_dict(self) -> dict[str, dict[str, CredentialEntry]]:
        """Active users in streamlit-authenticator's credentials shape (hashes included; not for the UI)."""
        return self._users.credentials_dict()
