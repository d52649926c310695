"""AuthService on SQLite and PostgreSQL: logins, lockout, sessions, users and admin rights."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import bcrypt
import pytest
from sqlalchemy import select

from sigma.auth import passwords
from sigma.auth.model import AuthUser
from sigma.auth.service import AuthService
from sigma.db.models import AuthSession
from sigma.errors import NotFound, PermissionDenied, ValidationError
from tests.auth.conftest import ALICE_PW, NEW_PW, T0


def fail(auth: AuthService, name: str, times: int) -> None:
    for _ in range(times):
        assert auth.authenticate(name, "wrong") is None


def test_the_right_password_logs_in_with_a_normalised_username(auth, alice):
    assert alice == AuthUser(alice.id, "alice", "Alice Analyst", "alice@example.com", "analyst")
    assert auth.authenticate("  ALICE ", ALICE_PW) == alice


def test_wrong_password_unknown_user_and_inactive_user_all_return_none(auth, alice, admin):
    assert auth.authenticate("alice", ALICE_PW.capitalize()) is None
    assert auth.authenticate("nobody", ALICE_PW) is None
    assert auth.authenticate("", ALICE_PW) is None
    auth.set_active(admin, alice.id, False)
    assert auth.authenticate("alice", ALICE_PW) is None
    auth.set_active(admin, alice.id, True)
    assert auth.authenticate("alice", ALICE_PW) == alice


def test_five_failures_lock_the_account_and_even_the_right_password_then_fails(auth, alice, clock):
    fail(auth, "alice", 4)
    clock.advance(minutes=1)
    assert auth.authenticate("alice", ALICE_PW) == alice  # 4 failures: not yet locked; success resets
    fail(auth, "alice", 4)
    assert auth.authenticate("ALICE", "wrong") is None  # 5th failure within 15 min: locked
    assert auth.authenticate("alice", ALICE_PW) is None
    clock.advance(minutes=14, seconds=59)
    assert auth.authenticate("alice", ALICE_PW) is None  # still locked
    clock.advance(seconds=1)
    assert auth.authenticate("alice", ALICE_PW) == alice  # lockout_minutes = 15 have passed


def test_attempts_during_a_lockout_do_not_extend_it(auth, alice, clock):
    fail(auth, "alice", 5)
    for _ in range(10):
        clock.advance(minutes=1)
        fail(auth, "alice", 1)
    clock.advance(minutes=5)  # 15 min after the lock
    assert auth.authenticate("alice", ALICE_PW) == alice


def test_failures_outside_the_window_do_not_count(auth, alice, clock):
    fail(auth, "alice", 4)
    clock.advance(minutes=15)  # the window of the first failure has closed
    fail(auth, "alice", 4)  # a new window: 4 failures
    assert auth.authenticate("alice", ALICE_PW) == alice
    fail(auth, "alice", 5)
    assert auth.authenticate("alice", ALICE_PW) is None


def test_a_nonexistent_name_locks_exactly_like_a_real_one(auth, alice, admin, clock):
    fail(auth, "ghost", 5)
    fail(auth, "alice", 5)
    rows = {r.username: r for r in auth.list_users(admin)}
    assert rows["alice"].locked and rows["alice"].failures == 5
    assert rows["alice"].locked_until == T0 + timedelta(minutes=15)
    # the ghost's lock is in the same table; unlocking shows it was there
    from sigma.db.models import LoginFailure

    with auth._sessions() as s:
        ghost, real = s.get(LoginFailure, "ghost"), s.get(LoginFailure, "alice")
        assert (ghost.failures, ghost.locked_until) == (real.failures, real.locked_until)


def test_unknown_user_and_wrong_password_both_run_bcrypt_once(auth, alice, monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(passwords.bcrypt, "checkpw", lambda p, h: calls.append(h) or real(p, h))
    passwords.dummy_hash(4)
    for name, pw in [("alice", "wrong"), ("ghost", "wrong"), ("alice", "x" * 100), ("alice", ALICE_PW)]:
        before = len(calls)
        auth.authenticate(name, pw)
        assert len(calls) == before + 1, (name, pw)
    fail(auth, "alice", 5)  # now locked: the check still costs one bcrypt run
    before = len(calls)
    assert auth.authenticate("alice", ALICE_PW) is None
    assert len(calls) == before + 1


def test_a_password_over_72_bytes_is_a_clear_error_on_set_and_a_plain_failure_on_login(auth, alice, admin):
    with pytest.raises(ValidationError, match="72 bytes"):
        auth.set_password(admin, alice.id, "x" * 73)
    with pytest.raises(ValidationError, match="72 bytes"):
        auth.create_user(admin, "bob", "Bob", "y" * 80, "analyst")
    assert auth.authenticate("alice", ALICE_PW + "x" * 60) is None


def test_a_session_resolves_until_logout_and_a_replayed_token_is_refused(auth, alice):
    token = auth.start_session(alice.id)
    assert len(token) >= 43  # token_urlsafe(32): 32 random bytes
    assert auth.resolve_session(token) == alice
    auth.end_session(token)
    assert auth.resolve_session(token) is None
    assert auth.resolve_session("made-up") is None
    assert auth.resolve_session(None) is None


def test_the_database_stores_only_a_digest_of_the_token(auth, alice):
    token = auth.start_session(alice.id)
    with auth._sessions() as s:
        ids = s.scalars(select(AuthSession.id)).all()
    assert token not in ids and len(ids[0]) == 64


def test_a_session_expires_after_session_hours(auth, alice, clock):
    token = auth.start_session(alice.id)
    clock.advance(hours=11, minutes=59)
    assert auth.resolve_session(token) == alice
    clock.advance(minutes=1)  # 12 h
    assert auth.resolve_session(token) is None


def test_set_password_lockout_and_deactivation_revoke_every_session(auth, alice, admin):
    first, second, other = auth.start_session(alice.id), auth.start_session(alice.id), auth.start_session(admin.id)
    auth.set_password(admin, alice.id, NEW_PW)
    assert auth.resolve_session(first) is None and auth.resolve_session(second) is None
    assert auth.resolve_session(other) == admin
    assert auth.authenticate("alice", NEW_PW) == alice
    third = auth.start_session(alice.id)
    fail(auth, "alice", 5)
    assert auth.resolve_session(third) is None
    auth.set_active(admin, admin.id, False)
    assert auth.resolve_session(other) is None


def test_an_inactive_users_session_does_not_resolve(auth, alice, admin):
    token = auth.start_session(alice.id)
    auth.set_active(admin, alice.id, False)
    auth.set_active(admin, alice.id, True)
    assert auth.resolve_session(token) is None  # deactivation revoked it for good


def test_list_users_and_unlock_need_an_admin(auth, alice, admin):
    with pytest.raises(PermissionDenied):
        auth.list_users(alice)
    with pytest.raises(PermissionDenied):
        auth.unlock(alice, "alice")
    assert [r.username for r in auth.list_users(admin)] == ["alice", "root"]


def test_a_demoted_admin_object_no_longer_grants_admin_rights(auth, admin):
    auth.set_active(admin, admin.id, False)
    with pytest.raises(PermissionDenied):
        auth.list_users(admin)


def test_unlock_lifts_a_lockout_at_once(auth, alice, admin):
    fail(auth, "alice", 2)
    assert {r.username: r.failures for r in auth.list_users(admin)}["alice"] == 2
    fail(auth, "alice", 3)
    assert auth.authenticate("alice", ALICE_PW) is None
    auth.unlock(admin, " Alice")
    row = {r.username: r for r in auth.list_users(admin)}["alice"]
    assert (row.locked, row.failures, row.locked_until) == (False, 0, None)
    assert auth.authenticate("alice", ALICE_PW) == alice


def test_create_user_validates_and_ensure_user_is_idempotent(auth, alice, admin):
    with pytest.raises(ValidationError, match="taken"):
        auth.create_user(admin, " ALICE", "Other", NEW_PW, "analyst")
    with pytest.raises(ValidationError, match="role"):
        auth.create_user(admin, "carol", "Carol", NEW_PW, "superuser")
    with pytest.raises(ValidationError, match="Usernames"):
        auth.create_user(admin, "a b", "A B", NEW_PW, "analyst")
    assert auth.ensure_user("alice", "Someone", NEW_PW, "admin") == alice
    assert auth.authenticate("alice", ALICE_PW) == alice  # the existing password was kept
    dave = auth.ensure_user("dave", "Dave", NEW_PW, "admin")
    assert auth.ensure_user("dave", "Dave", NEW_PW, "admin") == dave and dave.is_admin


def test_changing_a_missing_user_is_not_found(auth, admin):
    with pytest.raises(NotFound):
        auth.set_password(admin, 999, NEW_PW)
    with pytest.raises(NotFound):
        auth.set_active(admin, 999, False)


def test_credentials_dict_has_active_users_in_the_library_shape(auth, alice, admin):
    auth.set_active(admin, admin.id, False)
    creds = auth.credentials_dict()
    assert list(creds["usernames"]) == ["alice"]
    entry = creds["usernames"]["alice"]
    assert set(entry) == {"name", "email", "password", "roles"}
    assert entry["roles"] == ["analyst"] and bcrypt.checkpw(ALICE_PW.encode(), entry["password"].encode())


def test_lockout_settings_are_honoured(db, settings, clock):
    auth = AuthService(db.sessions, replace(settings, login_max_failures=2, lockout_minutes=1), clock)
    bob = auth.ensure_user("bob", "Bob", NEW_PW, "analyst")
    fail(auth, "bob", 2)
    assert auth.authenticate("bob", NEW_PW) is None
    clock.advance(minutes=1)
    assert auth.authenticate("bob", NEW_PW) == bob
