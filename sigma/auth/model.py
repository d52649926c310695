"""What the rest of Sigma knows of a user: the acting user, the admin's user rows, the clock.

Usernames are normalised with `.lower().strip()`; times are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from sigma.conventions import Role


@dataclass(frozen=True)
class AuthUser:
    """A logged-in (or loggable) user, as pages and services see it."""

    id: int
    username: str
    name: str
    email: str
    role: Role

    @property
    def is_admin(self) -> bool:
        """True for the admin role."""
        return self.role == Role.ADMIN


@dataclass(frozen=True)
class UserRow:
    """One line of the admin's user list, with the lockout state."""

    id: int
    username: str
    name: str
    email: str
    role: Role
    is_active: bool
    failures: int
    locked: bool
    locked_until: datetime | None


class CredentialEntry(TypedDict):
    """One user in streamlit-authenticator's credentials shape."""

    name: str
    email: str
    password: str
    roles: list[str]


def utc_now() -> datetime:
    """The current time, timezone-aware UTC (the default clock)."""
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """`moment` as timezone-aware UTC: SQLite hands timestamps back naive; they were written as UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def normalise_username(username: str) -> str:
    """The canonical form of a username: lower case, no surrounding blanks."""
    return username.lower().strip()
