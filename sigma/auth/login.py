"""Login: password checks behind the lockout (rules in `sigma.auth.lockout`).

Each attempt first reserves itself in a committed transaction (`sql.attempts.reserve`); only a
granted attempt is checked against the real hash, so parallel guesses cannot outrun the limit.
Every check runs bcrypt exactly once whatever the outcome (against a dummy hash when refused or
unknown), and every failure shows the same generic message. A success clears the counter; the
failure that uses up the attempts locks the name and revokes the user's sessions. In production
a login with a demo password is refused with its own message (`sigma.auth.demo`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.demo import DEMO_REFUSED, is_demo_login
from sigma.auth.lockout import LockoutRules, failure_key
from sigma.auth.model import AuthUser, normalise_username
from sigma.auth.passwords import verify_password
from sigma.auth.sql import attempts, transactions
from sigma.config import Settings
from sigma.errors import PermissionDenied


class LoginGuard:
    """Checks passwords and keeps the failure counters and locks."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime]) -> None:
        self._sessions = sessions
        self._settings = settings
        self._rules = LockoutRules.from_settings(settings)
        self._clock = clock

    def authenticate(self, username: str, password: str) -> AuthUser | None:
        """The user if the password is right and the account active and unlocked, else None.
        `PermissionDenied` for a demo account in production (right password only)."""
        key, name, now = failure_key(username), normalise_username(username), self._clock()

        def reserve(s: Session) -> tuple[bool, attempts.Candidate]:
            return attempts.reserve(s, key, now, self._rules), attempts.candidate(s, name)

        granted, found = transactions.write(self._sessions, reserve)  # committed before bcrypt runs
        password_hash = found.password_hash if granted else None
        if verify_password(password, password_hash, self._settings.bcrypt_rounds) and found.user is not None:
            transactions.write(self._sessions, lambda s: attempts.clear(s, key))
            if self._settings.is_production and is_demo_login(password):
                raise PermissionDenied(DEMO_REFUSED)
            return found.user
        if granted:  # a refused attempt was never counted: a lock is not extended
            user_id = found.user.id if found.user is not None else None
            transactions.write(self._sessions, lambda s: attempts.record_failure(s, key, user_id, now, self._rules))
        return None
