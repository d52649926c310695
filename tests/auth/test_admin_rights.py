"""Every admin-only action re-reads the role from the database: an `AuthUser(role=admin)` forged
for an analyst's id is refused with PermissionDenied, and nothing changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from sigma.auth.service import AuthService
from sigma.batch.admin import AdminService
from sigma.conventions import Role
from sigma.errors import PermissionDenied
from sigma.risk.service import RiskService
from tests.auth.conftest import NEW_PW

AUTH_ADMIN_CALLS = {
    "create_user": lambda auth, acting, victim: auth.create_user(acting, "mallory", "M", NEW_PW, "admin"),
    "set_password": lambda auth, acting, victim: auth.set_password(acting, victim.id, NEW_PW),
    "set_active": lambda auth, acting, victim: auth.set_active(acting, victim.id, False),
    "list_users": lambda auth, acting, victim: auth.list_users(acting),
    "unlock": lambda auth, acting, victim: auth.unlock(acting, victim.username),
}


def _state(auth: AuthService, admin) -> list[tuple[str, str, bool, int, bool]]:
    return [(u.username, u.role, u.is_active, u.failures, u.locked) for u in auth.list_users(admin)]


@pytest.mark.parametrize("method", sorted(AUTH_ADMIN_CALLS))
def test_a_forged_admin_role_on_an_analysts_id_is_refused_by_every_user_admin_method(auth, alice, admin, method):
    auth.authenticate("root", "wrong-guess")  # a failure counter the forged unlock must not clear
    forged = replace(alice, role=Role.ADMIN)
    assert forged.is_admin
    before = _state(auth, admin)
    with pytest.raises(PermissionDenied, match="Only administrators can"):
        AUTH_ADMIN_CALLS[method](auth, forged, admin)
    assert _state(auth, admin) == before
    assert auth.authenticate("root", NEW_PW) is None  # the admin's password was not changed


def test_users_change_their_own_password_but_not_anothers(auth, alice, admin):
    auth.set_password(alice, alice.id, NEW_PW)
    assert auth.authenticate("alice", NEW_PW) == alice
    with pytest.raises(PermissionDenied, match="change another user's password"):
        auth.set_password(alice, admin.id, NEW_PW)


class _NoRole:
    """An AuthService stand-in that knows no admins: AdminService must ask it, not the object."""

    def __init__(self, auth: AuthService) -> None:
        self.current_role = auth.current_role


@pytest.mark.parametrize("method", ["view", "runs", "request_job"])
def test_the_admin_service_re_reads_the_role_for_every_method(auth, alice, method):
    service = AdminService(_NoRole(auth), None, None, None, None, 60)  # type: ignore[arg-type]
    forged = replace(alice, role=Role.ADMIN)
    call = {"view": lambda: service.view(forged), "runs": lambda: service.runs(forged)}
    call["request_job"] = lambda: service.request_job(forged, "market_data")
    with pytest.raises(PermissionDenied, match="Only administrators"):
        call[method]()


def test_saving_a_stress_scenario_re_reads_the_role(db, settings, auth, alice, admin):
    risk = RiskService(db.sessions, None, None, settings)  # type: ignore[arg-type]  # save_scenario needs neither
    with pytest.raises(PermissionDenied, match="Only an admin can add or edit stress scenarios"):
        risk.save_scenario(replace(alice, role=Role.ADMIN), "Forged", {"market": -0.5})
    assert "Forged" not in [s.name for s in risk.scenarios()]
    risk.save_scenario(admin, "Mine", {"market": -0.05}, "small dip")
    assert "Mine" in [s.name for s in risk.scenarios()]
    auth.set_active(admin, admin.id, False)  # a deactivated admin object no longer saves
    with pytest.raises(PermissionDenied):
        risk.save_scenario(admin, "Mine", {"market": -0.07})
