"""The authentication service: the one entry pages and jobs call.

A thin facade over the three pieces: `login` (password checks and lockout), `sessions`
(server-side sessions) and `users` (administration). Times come from the injected clock.

Every admin action (create a user, set a role, reset a password, unlock, (de)activate, and the
batch console's queued runs through `audited`) runs in one transaction that re-reads the acting
user's role, does the work and writes its `audit_log` row (`sql.audit.record`), so the log holds
exactly the actions that happened. An admin cannot deactivate or demote themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.lockout import failure_key
from sigma.auth.login import LoginGuard
from sigma.auth.model import AuthUser, CredentialEntry, UserRow, normalise_username, utc_now
from sigma.auth.passwords import hash_password
from sigma.auth.policy import check_new_password
from sigma.auth.sessions import SessionStore
from sigma.auth.sql import attempts, audit, transactions
from sigma.auth.sql import users as rows
from sigma.auth.sql.audit import AuditAction, AuditRecord
from sigma.auth.users import UserDirectory, _taken, valid_role, valid_username
from sigma.config import Settings
from sigma.conventions import Role
from sigma.errors import ValidationError

__all__ = ["AuditAction", "AuditRecord", "AuthService", "normalise_username"]

T = TypeVar("T")
# What a refused analyst reads after "Only administrators can ...".
REFUSAL: dict[AuditAction, str] = {
    AuditAction.CREATE_USER: "create users",
    AuditAction.SET_ROLE: "change roles",
    AuditAction.RESET_PASSWORD: "change another user's password",
    AuditAction.UNLOCK: "unlock accounts",
    AuditAction.DEACTIVATE: "activate or deactivate users",
    AuditAction.ACTIVATE: "activate or deactivate users",
    AuditAction.QUEUE_RUN: "queue runs",
}


class AuthService:
    """Users, password checks with lockout, and server-side sessions."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
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

    def list_users(self, acting: AuthUser) -> list[UserRow]:
        """Every user with lockout state, by username (admins only)."""
        return self._users.list(acting)

    def set_password(self, acting: AuthUser, user_id: int, new_password: str) -> None:
        """Set one's own new password, or (an admin) reset another user's (`reset_password`); either
        way the policy applies and every session of the user is revoked."""
        if acting.id == user_id:
            self._users.set_password(acting, user_id, new_password)
        else:
            self.reset_password(acting, user_id, new_password)

    # --- administration: audited, admins only (the role is re-read in the transaction) --------

    def audited(
        self,
        acting: AuthUser,
        action: AuditAction,
        target: str,
        details: Mapping[str, object],
        work: Callable[[Session], T],
    ) -> T:
        """Run `work` and write its audit row in ONE transaction, if `acting` is an active admin as
        stored now (`PermissionDenied` otherwise); the row is written only when `work` succeeds.

        The batch console queues runs through this, so a queued run and its audit row commit together.
        """

        def run(s: Session) -> T:
            rows.require_admin(s, acting, REFUSAL[action])
            result = work(s)
            audit.record(s, acting, action, target, details, self._clock())
            return result

        return transactions.write(self._sessions, run)

    def create_user(
        self, acting: AuthUser, username: str, name: str, password: str, role: str, email: str = ""
    ) -> AuthUser:
        """Create a user (admins only; the role is re-read); `ValidationError` for a bad name, role,
        a password that fails the policy, or a taken name."""
        login, role_value = valid_username(username), valid_role(role)
        check_new_password(password, login)
        password_hash = hash_password(password, self._settings.bcrypt_rounds)  # before the write lock
        shown, mail = name.strip() or login, email.strip()

        def insert(s: Session) -> AuthUser:
            if rows.find_user(s, login) is not None:
                raise _taken(login)
            return rows.insert_user(s, login, shown, mail, password_hash, role_value)

        details = {"role": role_value.value, "name": shown, "email": mail}
        try:
            return self.audited(acting, AuditAction.CREATE_USER, login, details, insert)
        except IntegrityError as exc:  # lost a race with a concurrent create
            raise _taken(login) from exc

    def set_role(self, acting: AuthUser, user_id: int, role: str) -> None:
        """Give a user another role (admins only); an admin cannot demote themselves."""
        new = valid_role(role)

        def change(s: Session) -> None:
            if acting.id == user_id and new != Role.ADMIN:
                raise ValidationError("You cannot remove your own admin role: ask another administrator to do it.")
            rows.edit_user(s, user_id, lambda u: setattr(u, "role", new.value), None)

        target = self._username(acting, AuditAction.SET_ROLE, user_id)
        self.audited(acting, AuditAction.SET_ROLE, target, {"role": new.value}, change)

    def reset_password(self, acting: AuthUser, user_id: int, new_password: str) -> None:
        """Set another user's password (admins only; the policy applies) and revoke their sessions."""
        target = self._username(acting, AuditAction.RESET_PASSWORD, user_id)
        check_new_password(new_password, target)
        password_hash = hash_password(new_password, self._settings.bcrypt_rounds)

        def change(s: Session) -> None:
            rows.edit_user(s, user_id, lambda u: setattr(u, "password_hash", password_hash), self._clock())

        self.audited(acting, AuditAction.RESET_PASSWORD, target, {}, change)

    def unlock(self, acting: AuthUser, username: str) -> None:
        """Lift a lockout and clear the failure count of `username` (admins only)."""
        key = failure_key(username)
        self.audited(acting, AuditAction.UNLOCK, key, {}, lambda s: attempts.clear(s, key))

    def deactivate(self, acting: AuthUser, user_id: int) -> None:
        """Deactivate a user and revoke their sessions (admins only); an admin cannot deactivate themselves."""
        self._set_active(acting, user_id, False, allow_self=False)

    def set_active(self, acting: AuthUser, user_id: int, active: bool) -> None:
        """Activate or deactivate any user, oneself included (admins only); deactivation also revokes
        the user's sessions. The console deactivates through `deactivate`, which refuses one's own account."""
        self._set_active(acting, user_id, active, allow_self=True)

    def _set_active(self, acting: AuthUser, user_id: int, active: bool, allow_self: bool) -> None:
        action = AuditAction.ACTIVATE if active else AuditAction.DEACTIVATE
        revoke = None if active else self._clock()

        def change(s: Session) -> None:
            if acting.id == user_id and not active and not allow_self:
                raise ValidationError("You cannot deactivate your own account: ask another administrator to do it.")
            rows.edit_user(s, user_id, lambda u: setattr(u, "is_active", active), revoke)

        self.audited(acting, action, self._username(acting, action, user_id), {}, change)

    def audit_log(self, acting: AuthUser, limit: int = 100) -> list[AuditRecord]:
        """The newest `limit` admin actions, newest first (admins only)."""

        def read(s: Session) -> list[AuditRecord]:
            rows.require_admin(s, acting, "read the audit log")
            return audit.recent(s, limit)

        return transactions.read(self._sessions, read)

    def _username(self, acting: AuthUser, action: AuditAction, user_id: int) -> str:
        """The stored name of `user_id` (`NotFound` when none), read only for an admin."""

        def read(s: Session) -> str:
            rows.require_admin(s, acting, REFUSAL[action])
            return rows.username_of(s, user_id)

        return transactions.read(self._sessions, read)

    def current_role(self, user_id: int) -> Role | None:
        """The user's role as stored now (None for a missing or inactive user)."""
        return self._users.current_role(user_id)

    def credentials_dict(self) -> dict[str, dict[str, CredentialEntry]]:
        """Active users in streamlit-authenticator's credentials shape (hashes included; not for the UI)."""
        return self._users.credentials_dict()
