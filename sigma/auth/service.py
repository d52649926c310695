"""Authentication service: users, bcrypt checks, lockout and server-side sessions.

Usernames are normalised with `.lower().strip()`. Times are timezone-aware UTC from the
injected clock. Lockout: `login_max_failures` failures for one submitted name (existing or
not) within `login_window_minutes` of the first one lock it for `lockout_minutes`; attempts
while locked fail without extending the lock; a success clears the counter. Session tokens
are `secrets.token_urlsafe(32)`; the database stores only their SHA-256, so a copy of the
table cannot be replayed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser, UserRow, utc_now
from sigma.auth.passwords import hash_password, verify_password
from sigma.config import Settings
from sigma.conventions import Role
from sigma.db import session_scope, upsert, with_lock_retry
from sigma.db.models import AuthSession, LoginFailure, User
from sigma.errors import NotFound, PermissionDenied, ValidationError

MAX_USERNAME_CHARS = 64
FAILURE_KEY_CHARS = 256  # width of login_failures.username


def normalise_username(username: str) -> str:
    """The canonical form of a username: lower case, no surrounding blanks."""
    return username.lower().strip()


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands timestamps back naive; they were written as UTC.
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _auth_user(user: User) -> AuthUser:
    return AuthUser(id=user.id, username=user.username, name=user.name, email=user.email or "", role=user.role)


class AuthService:
    """Users, password checks with lockout, and server-side sessions."""

    def __init__(
        self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock

    # --- login and lockout ------------------------------------------------------------------

    def authenticate(self, username: str, password: str) -> AuthUser | None:
        """The user if the password is right and the account active and unlocked, else None.
        Runs bcrypt exactly once whatever the outcome; every failure is recorded."""
        name = normalise_username(username)
        key = name[:FAILURE_KEY_CHARS]
        now = self._clock()
        with session_scope(self._sessions) as s:
            user = s.scalar(select(User).where(User.username == name)) if name else None
            failure = s.get(LoginFailure, key)
            had_failures = failure is not None
            locked = failure is not None and self._is_locked(failure, now)
            candidate = _auth_user(user) if user is not None else None
            usable = user is not None and user.is_active and not locked
            stored = user.password_hash if usable and user is not None else None
        if verify_password(password, stored, self._settings.bcrypt_rounds) and candidate is not None:
            if had_failures:
                with_lock_retry(lambda: self._clear_failures(key))
            return candidate
        with_lock_retry(lambda: self._record_failure(key, candidate.id if candidate is not None else None, now))
        return None

    def _is_locked(self, failure: LoginFailure, now: datetime) -> bool:
        until = _utc(failure.locked_until)
        return until is not None and until > now

    def _clear_failures(self, key: str) -> None:
        with session_scope(self._sessions) as s:
            row = s.get(LoginFailure, key)
            if row is not None:
                s.delete(row)

    def _record_failure(self, key: str, user_id: int | None, now: datetime) -> None:
        settings = self._settings
        with session_scope(self._sessions) as s:
            upsert(
                s,
                LoginFailure.__table__,  # type: ignore[arg-type]
                [{"username": key, "failures": 0, "first_failure": now, "locked_until": None}],
                key=["username"],
                update=[],
            )
            row = s.get(LoginFailure, key, with_for_update=True, populate_existing=True)
            if row is None or self._is_locked(row, now):
                return  # attempts during a lockout do not extend it
            window = timedelta(minutes=settings.login_window_minutes)
            first = _utc(row.first_failure)
            if row.failures == 0 or row.locked_until is not None or first is None or now - first >= window:
                row.failures, row.first_failure, row.locked_until = 1, now, None
            else:
                row.failures += 1
            if row.failures >= settings.login_max_failures:
                row.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                if user_id is not None:
                    self._revoke(s, user_id, now)

    # --- server-side sessions ---------------------------------------------------------------

    def start_session(self, user_id: int) -> str:
        """Open a session for `user_id`; returns the token to hand to the browser."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        expires = now + timedelta(hours=self._settings.session_hours)
        with session_scope(self._sessions) as s:
            s.add(AuthSession(id=_token_id(token), user_id=user_id, created_at=now, expires_at=expires))
        return token

    def resolve_session(self, token: object) -> AuthUser | None:
        """The user of a live session (exists, not revoked, not expired, user active), else None."""
        if not isinstance(token, str) or not token:
            return None
        now = self._clock()
        with session_scope(self._sessions) as s:
            row = s.execute(
                select(AuthSession, User)
                .join(User, User.id == AuthSession.user_id)
                .where(AuthSession.id == _token_id(token))
            ).first()
            if row is None:
                return None
            live, user = row
            expires = _utc(live.expires_at)
            if live.revoked_at is not None or expires is None or expires <= now or not user.is_active:
                return None
            return _auth_user(user)

    def end_session(self, token: object) -> None:
        """Log out: revoke the session of `token` (no-op for an unknown token)."""
        if not isinstance(token, str) or not token:
            return
        with session_scope(self._sessions) as s:
            s.execute(
                update(AuthSession)
                .where(AuthSession.id == _token_id(token), AuthSession.revoked_at.is_(None))
                .values(revoked_at=self._clock())
            )

    def revoke_all(self, user_id: int) -> None:
        """Revoke every live session of a user (password reset, lockout, deactivation)."""
        with session_scope(self._sessions) as s:
            self._revoke(s, user_id, self._clock())

    def _revoke(self, s: Session, user_id: int, now: datetime) -> None:
        s.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    # --- users ------------------------------------------------------------------------------

    def create_user(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create a user; `ValidationError` for a bad name, role or password, or a taken name."""
        login = self._valid_username(username)
        try:
            role_value = Role(role).value
        except ValueError as exc:
            raise ValidationError(f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}.") from exc
        password_hash = hash_password(password, self._settings.bcrypt_rounds)
        try:
            with session_scope(self._sessions) as s:
                if s.scalar(select(User.id).where(User.username == login)) is not None:
                    raise ValidationError(f"The username {login!r} is taken. Choose another one.")
                user = User(
                    username=login,
                    name=name.strip() or login,
                    email=email.strip(),
                    password_hash=password_hash,
                    role=role_value,
                    is_active=True,
                )
                s.add(user)
                s.flush()
                return _auth_user(user)
        except IntegrityError as exc:  # lost a race with a concurrent create
            raise ValidationError(f"The username {login!r} is taken. Choose another one.") from exc

    def ensure_user(self, username: str, name: str, password: str, role: str, email: str = "") -> AuthUser:
        """Create the user if missing (for seeding); an existing user is returned unchanged."""
        with session_scope(self._sessions) as s:
            user = s.scalar(select(User).where(User.username == normalise_username(username)))
            if user is not None:
                return _auth_user(user)
        return self.create_user(username, name, password, role, email)

    def set_password(self, user_id: int, new_password: str) -> None:
        """Set a new password and revoke every session of the user."""
        password_hash = hash_password(new_password, self._settings.bcrypt_rounds)
        self._change_user(user_id, password_hash=password_hash)

    def set_active(self, user_id: int, active: bool) -> None:
        """Activate or deactivate a user; deactivation also revokes the user's sessions."""
        self._change_user(user_id, is_active=active, revoke=not active)

    def _change_user(self, user_id: int, revoke: bool = True, **values: Any) -> None:
        with session_scope(self._sessions) as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"No user with id {user_id}.")
            for column, value in values.items():
                setattr(user, column, value)
            if revoke:
                self._revoke(s, user_id, self._clock())

    def _valid_username(self, username: str) -> str:
        login = normalise_username(username)
        if not login or len(login) > MAX_USERNAME_CHARS or any(c.isspace() for c in login):
            raise ValidationError(
                f"Usernames need 1 to {MAX_USERNAME_CHARS} characters without spaces; got {username!r}."
            )
        return login

    # --- admin ------------------------------------------------------------------------------

    def list_users(self, acting: AuthUser) -> list[UserRow]:
        """Every user with lockout state, by username (admins only)."""
        now = self._clock()
        with session_scope(self._sessions) as s:
            self._require_admin(s, acting, "list users")
            rows = s.execute(
                select(User, LoginFailure)
                .outerjoin(LoginFailure, LoginFailure.username == User.username)
                .order_by(User.username)
            ).all()
            return [self._user_row(user, failure, now) for user, failure in rows]

    def _user_row(self, user: User, failure: LoginFailure | None, now: datetime) -> UserRow:
        # Failures count while locked, or while the window of an unlocked counter is still open.
        locked = failure is not None and self._is_locked(failure, now)
        first = _utc(failure.first_failure) if failure is not None else None
        window = timedelta(minutes=self._settings.login_window_minutes)
        counting = failure is not None and failure.locked_until is None and first is not None and now - first < window
        count = failure.failures if failure is not None and (locked or counting) else 0
        return UserRow(
            id=user.id,
            username=user.username,
            name=user.name,
            email=user.email or "",
            role=user.role,
            is_active=user.is_active,
            failures=count,
            locked=locked,
            locked_until=_utc(failure.locked_until) if locked and failure is not None else None,
        )

    def unlock(self, acting: AuthUser, username: str) -> None:
        """Lift a lockout and clear the failure count of `username` (admins only)."""
        key = normalise_username(username)[:FAILURE_KEY_CHARS]
        with session_scope(self._sessions) as s:
            self._require_admin(s, acting, "unlock accounts")
            row = s.get(LoginFailure, key)
            if row is not None:
                s.delete(row)

    def _require_admin(self, s: Session, acting: AuthUser, what: str) -> None:
        # The role is re-read from the database, so a demoted admin loses rights at once.
        user = s.get(User, acting.id)
        if user is None or not user.is_active or user.role != Role.ADMIN:
            raise PermissionDenied(f"Only administrators can {what}.")

    def current_role(self, user_id: int) -> str | None:
        """The user's role as stored now (None for a missing or inactive user)."""
        with session_scope(self._sessions) as s:
            user = s.get(User, user_id)
            return user.role if user is not None and user.is_active else None

    # --- streamlit-authenticator glue -------------------------------------------------------

    def credentials_dict(self) -> dict[str, Any]:
        """Active users in streamlit-authenticator's credentials shape (no password hints)."""
        with session_scope(self._sessions) as s:
            users = s.scalars(select(User).where(User.is_active.is_(True)).order_by(User.username)).all()
            return {
                "usernames": {
                    u.username: {"name": u.name, "email": u.email or "", "password": u.password_hash, "roles": [u.role]}
                    for u in users
                }
            }
