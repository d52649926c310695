"""User management by an admin, on SQLite and PostgreSQL: create, set a role, reset a password,
unlock, deactivate; every action writes exactly one audit row in its own transaction, a refused or
failed one writes none, and an admin cannot demote or deactivate themselves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sigma.auth.service import AuditAction, AuditRecord
from sigma.conventions import Role
from sigma.errors import NotFound, PermissionDenied, ValidationError
from tests.auth.conftest import ALICE_PW, NEW_PW, T0


def _log(auth, admin) -> list[tuple[str, str, str, dict[str, object]]]:
    """The audit log, oldest first, without the times."""
    return [(e.actor, e.action, e.target, dict(e.details)) for e in reversed(auth.audit_log(admin))]


def test_creating_a_user_writes_one_audit_row_naming_the_admin_the_user_and_the_role(auth, admin, alice):
    assert auth.audit_log(admin) == [
        AuditRecord(
            T0,
            "root",
            "create_user",
            "alice",
            {"role": "analyst", "name": "Alice Analyst", "email": "alice@example.com"},
        )
    ]
    assert auth.authenticate("alice", ALICE_PW) == alice


def test_a_refused_create_changes_nothing_and_writes_no_audit_row(auth, admin, alice):
    before = _log(auth, admin)
    with pytest.raises(ValidationError, match="at least 12 characters"):
        auth.create_user(admin, "bob", "Bob", "short-pw", "analyst")
    with pytest.raises(ValidationError, match="'alice' is taken"):
        auth.create_user(admin, " ALICE ", "Other Alice", NEW_PW, "analyst")
    with pytest.raises(ValidationError, match="Unknown role 'boss'"):
        auth.create_user(admin, "bob", "Bob", NEW_PW, "boss")
    assert _log(auth, admin) == before
    assert [u.username for u in auth.list_users(admin)] == ["alice", "root"]


def test_a_new_role_takes_effect_at_once_and_is_audited(auth, admin, alice):
    with pytest.raises(PermissionDenied):
        auth.list_users(alice)
    auth.set_role(admin, alice.id, "admin")
    assert auth.current_role(alice.id) == Role.ADMIN
    assert [u.username for u in auth.list_users(alice)] == ["alice", "root"]  # her stale AuthUser works now
    auth.set_role(alice, alice.id, "admin")  # an admin may keep her own admin role
    auth.set_role(admin, alice.id, "analyst")
    assert auth.current_role(alice.id) == Role.ANALYST
    assert _log(auth, admin)[1:] == [
        ("root", "set_role", "alice", {"role": "admin"}),
        ("alice", "set_role", "alice", {"role": "admin"}),
        ("root", "set_role", "alice", {"role": "analyst"}),
    ]


def test_an_admin_can_neither_demote_nor_deactivate_themselves(auth, admin, alice):
    before = _log(auth, admin)
    with pytest.raises(ValidationError, match="cannot remove your own admin role"):
        auth.set_role(admin, admin.id, "analyst")
    with pytest.raises(ValidationError, match="cannot deactivate your own account"):
        auth.deactivate(admin, admin.id)
    assert auth.current_role(admin.id) == Role.ADMIN
    assert _log(auth, admin) == before


def test_a_password_reset_applies_the_policy_ends_the_sessions_and_logs_no_secret(auth, admin, alice):
    token = auth.start_session(alice.id)
    with pytest.raises(ValidationError, match="must not contain the username 'alice'"):
        auth.reset_password(admin, alice.id, "alice-harbour-sonnet-58")
    assert auth.resolve_session(token) == alice  # the refused reset changed nothing
    auth.reset_password(admin, alice.id, NEW_PW)
    assert auth.resolve_session(token) is None
    assert auth.authenticate("alice", ALICE_PW) is None
    assert auth.authenticate("alice", NEW_PW) == alice
    assert _log(auth, admin)[-1] == ("root", "reset_password", "alice", {})
    assert NEW_PW not in repr(auth.audit_log(admin))


def test_an_admin_resetting_another_users_password_through_set_password_is_audited_too(auth, admin, alice):
    auth.set_password(admin, alice.id, NEW_PW)
    auth.set_password(alice, alice.id, ALICE_PW)  # one's own password is not an admin action
    assert [a for _, a, _, _ in _log(auth, admin)] == ["create_user", "reset_password"]


def test_unlock_lifts_a_lockout_and_is_audited(auth, admin, alice):
    for _ in range(5):  # conftest settings: 5 failures lock the name for 15 minutes
        assert auth.authenticate("alice", "wrong-guess") is None
    assert auth.authenticate("alice", ALICE_PW) is None  # locked
    auth.unlock(admin, " Alice ")
    assert auth.authenticate("alice", ALICE_PW) == alice
    assert _log(auth, admin)[-1] == ("root", "unlock", "alice", {})


def test_deactivation_ends_sessions_and_logins_and_reactivation_restores_them(auth, admin, alice):
    token = auth.start_session(alice.id)
    auth.deactivate(admin, alice.id)
    assert auth.resolve_session(token) is None
    assert auth.authenticate("alice", ALICE_PW) is None
    auth.set_active(admin, alice.id, True)
    assert auth.authenticate("alice", ALICE_PW) == alice
    assert [(a, t) for _, a, t, _ in _log(auth, admin)][1:] == [("deactivate", "alice"), ("activate", "alice")]


def test_an_analyst_is_refused_every_admin_action_even_with_a_forged_role_and_nothing_is_logged(auth, admin, alice):
    before = _log(auth, admin)
    forged = replace(alice, role=Role.ADMIN)
    calls = {
        "set_role": lambda: auth.set_role(forged, alice.id, "admin"),
        "reset_password": lambda: auth.reset_password(forged, admin.id, NEW_PW),
        "deactivate": lambda: auth.deactivate(forged, admin.id),
        "audit_log": lambda: auth.audit_log(forged),
        "audited": lambda: auth.audited(forged, AuditAction.QUEUE_RUN, "batch", {}, lambda s: 1),
    }
    for name, call in calls.items():
        with pytest.raises(PermissionDenied, match="Only administrators can"):
            call()
        assert _log(auth, admin) == before, name
    assert auth.current_role(alice.id) == Role.ANALYST
    assert auth.authenticate("root", NEW_PW) is None


def test_the_audit_row_names_the_stored_admin_not_the_name_on_the_object(auth, admin, alice):
    auth.set_role(replace(admin, username="mallory", name="Mallory"), alice.id, "admin")
    assert _log(auth, admin)[-1][0] == "root"


def test_the_audit_log_is_newest_first_with_its_times_and_limited(auth, admin, alice, clock):
    clock.advance(minutes=5)
    auth.set_role(admin, alice.id, "admin")
    clock.advance(minutes=5)
    auth.unlock(admin, "alice")
    newest = auth.audit_log(admin, limit=2)
    assert [(e.at, e.action) for e in newest] == [
        (T0.replace(minute=10), "unlock"),
        (T0.replace(minute=5), "set_role"),
    ]


def test_an_audited_action_and_its_row_commit_or_roll_back_together(auth, admin, alice):
    def fails(_session: object) -> int:
        raise ValidationError("the work failed")

    with pytest.raises(ValidationError, match="the work failed"):
        auth.audited(admin, AuditAction.QUEUE_RUN, "batch", {"phases": ["risk"]}, fails)
    assert [a for _, a, _, _ in _log(auth, admin)] == ["create_user"]
    assert auth.audited(admin, AuditAction.QUEUE_RUN, "batch", {"phases": ["risk"]}, lambda s: 42) == 42
    assert _log(auth, admin)[-1] == ("root", "queue_run", "batch", {"phases": ["risk"]})


def test_an_action_on_a_missing_user_is_not_found_and_not_logged(auth, admin, alice):
    with pytest.raises(NotFound, match="No user with id 999"):
        auth.set_role(admin, 999, "admin")
    with pytest.raises(NotFound):
        auth.deactivate(admin, 999)
    assert [a for _, a, _, _ in _log(auth, admin)] == ["create_user"]
