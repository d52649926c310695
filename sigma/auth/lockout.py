"""Lockout rules: how failed logins for one submitted name count, and when they lock it.

`limit` failures for one submitted name (existing or not) within `window` of the first one lock
it for `duration`; attempts while locked fail without extending the lock; a success clears the
counter. An attempt is reserved (counted) before its password is checked, so however many
attempts run at once, at most `limit` of them are ever checked against the real hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sigma.auth.model import as_utc, normalise_username
from sigma.config import Settings

FAILURE_KEY_CHARS = 256  # width of login_failures.username


class FailureRecord(Protocol):
    """What the lockout rules read of one `login_failures` row."""

    failures: int
    first_failure: datetime
    locked_until: datetime | None


@dataclass(frozen=True)
class LockoutRules:
    """The lockout knobs (SIGMA_LOGIN_MAX_FAILURES, SIGMA_LOGIN_WINDOW_MINUTES, SIGMA_LOCKOUT_MINUTES)."""

    limit: int
    window: timedelta
    duration: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> LockoutRules:
        """The rules the settings configure."""
        return cls(
            limit=settings.login_max_failures,
            window=timedelta(minutes=settings.login_window_minutes),
            duration=timedelta(minutes=settings.lockout_minutes),
        )


def failure_key(username: str) -> str:
    """The `login_failures` key of a submitted name."""
    return normalise_username(username)[:FAILURE_KEY_CHARS]


def is_locked(failure: FailureRecord, now: datetime) -> bool:
    """True while the lock of a failure row runs."""
    until = as_utc(failure.locked_until)
    return until is not None and until > now


@dataclass(frozen=True)
class LockoutState:
    """The lockout state of one name as the admin sees it."""

    failures: int
    locked: bool
    locked_until: datetime | None


def lockout_state(failure: FailureRecord | None, now: datetime, window: timedelta) -> LockoutState:
    """Failures count while locked, or while the window of an unlocked counter is still open."""
    if failure is None:
        return LockoutState(0, False, None)
    locked = is_locked(failure, now)
    first = as_utc(failure.first_failure)
    counting = failure.locked_until is None and first is not None and now - first < window
    count = failure.failures if locked or counting else 0
    return LockoutState(count, locked, as_utc(failure.locked_until) if locked else None)
