"""Demo accounts: seeded outside production only (bypassing the password policy on purpose), and
refused at login when SIGMA_ENV=production even if a development database reaches production."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sigma.auth.demo import ADMIN_PASSWORD, DEMO_PASSWORD, DEMO_REFUSED
from sigma.auth.service import AuthService
from sigma.config import Environment
from sigma.errors import ConfigError, PermissionDenied, ValidationError
from tests.auth.conftest import NEW_PW


@pytest.fixture
def production(db, settings, clock) -> AuthService:
    return AuthService(db.sessions, replace(settings, env=Environment.PRODUCTION), clock)


def test_demo_users_are_seeded_with_their_weak_passwords_outside_production_only(auth, production):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        auth.ensure_user("alice", "Alice", DEMO_PASSWORD, "analyst")  # the policy holds elsewhere
    alice = auth.seed_demo_user("alice", "Alice Martin", DEMO_PASSWORD, "analyst", "alice@example.com")
    assert auth.seed_demo_user("alice", "Other", "x", "admin") == alice  # idempotent, unchanged
    assert auth.authenticate("alice", DEMO_PASSWORD) == alice
    with pytest.raises(ConfigError, match="SIGMA_ENV=production"):
        production.seed_demo_user("bob", "Bob", DEMO_PASSWORD, "analyst")


def test_a_demo_login_is_refused_in_production_with_its_own_message(auth, production):
    auth.seed_demo_user("alice", "Alice Martin", DEMO_PASSWORD, "analyst")
    auth.seed_demo_user("admin", "Sigma Admin", ADMIN_PASSWORD, "admin")
    for name, password in [("alice", DEMO_PASSWORD), ("admin", ADMIN_PASSWORD)]:
        with pytest.raises(PermissionDenied) as refused:
            production.authenticate(name, password)
        assert str(refused.value) == DEMO_REFUSED
        assert "SIGMA_ENV=production" in DEMO_REFUSED and "administrator" in DEMO_REFUSED
    assert production.authenticate("alice", "wrong-guess") is None  # a wrong password stays generic


def test_an_account_named_like_a_demo_one_with_its_own_password_logs_in_in_production(auth, production):
    admin = auth.ensure_user("admin", "Real Admin", NEW_PW, "admin")
    assert production.authenticate("admin", NEW_PW) == admin
    production.set_password(admin, admin.id, "plover-ferment-quietly-88")
    assert production.authenticate("admin", "plover-ferment-quietly-88") == admin
