"""The auth tests' world: a settable clock, an AuthService on each backend, an admin and an analyst."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sigma.auth.model import AuthUser
from sigma.auth.service import AuthService

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ALICE_PW = "quartz-lantern-meadow-41"  # passes the password policy
ADMIN_PW = "copper-violin-harbor-73"
NEW_PW = "juniper-tractor-sonnet-58"


class Clock:
    """A settable UTC clock."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(db, settings, clock) -> AuthService:
    # conftest settings: bcrypt cost 4; 5 failures in 15 min lock for 15 min; sessions last 12 h.
    return AuthService(db.sessions, settings, clock)


@pytest.fixture
def admin(auth) -> AuthUser:
    return auth.ensure_user("root", "Ada Admin", ADMIN_PW, "admin")


@pytest.fixture
def alice(auth, admin) -> AuthUser:
    return auth.create_user(admin, "Alice", "Alice Analyst", ALICE_PW, "analyst", email="alice@example.com")
