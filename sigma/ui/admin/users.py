"""User management on the Admin page: the user list, the actions on one user, and the audit log.

Each action is one `AuthService` call that re-reads the acting admin's role and writes its audit
row in the same transaction; a refusal (weak password, taken name, one's own account) is shown
next to its form and nothing changes. Passwords never reach session state beyond their widget.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sigma.auth.model import AuthUser
from sigma.auth.service import AuditRecord
from sigma.conventions import Role
from sigma.ui.admin.console import attempt
from sigma.ui.format import MISSING
from sigma.wiring import Services

ROLES = [r.value for r in Role]
LABELS = {"id": "Id", "username": "Username", "name": "Name", "email": "Email", "role": "Role"}
LABELS |= {"is_active": "Active", "failures": "Failed logins", "locked": "Locked", "locked_until": "Locked until"}


def user_table(users: pd.DataFrame) -> None:
    """Every user with role, active flag and lockout state."""
    st.dataframe(
        users,
        hide_index=True,
        width="stretch",
        placeholder=MISSING,
        column_config={k: st.column_config.Column(v) for k, v in LABELS.items()},
    )


def create_form(svc: Services, acting: AuthUser) -> None:
    """Create a user: the password policy applies (12+ characters, not common, not the username)."""
    with st.form("adm_create_user", clear_on_submit=True):
        cols = st.columns(5)
        username = cols[0].text_input("Username", key="adm_new_username")
        name = cols[1].text_input("Name", key="adm_new_name")
        email = cols[2].text_input("Email", key="adm_new_email")
        role = cols[3].selectbox("Role", ROLES, index=ROLES.index(Role.ANALYST.value), key="adm_new_role")
        password = cols[4].text_input("Password", type="password", key="adm_new_password")
        submitted = st.form_submit_button("Create user", icon=":material/person_add:")
    if submitted:
        login = username.strip().lower()
        attempt(
            lambda: svc.auth.create_user(acting, username, name, password, str(role), email),
            f"Created {login} ({role}).",
        )


def manage(svc: Services, acting: AuthUser, users: pd.DataFrame) -> None:
    """Pick a user, then set their role, reset their password, unlock or (de)activate them."""
    if users.empty:
        return
    names = dict(zip(users["id"], users["username"], strict=True))
    uid = int(st.selectbox("User", list(names), format_func=names.__getitem__, key="adm_user"))
    row = users.loc[users["id"] == uid].iloc[0]
    target = str(names[uid])
    left, middle, right = st.columns(3)
    with left.form("adm_role"):
        current = ROLES.index(str(row["role"])) if str(row["role"]) in ROLES else 0
        role = st.selectbox("Role", ROLES, index=current, key="adm_role_pick")
        if st.form_submit_button("Set role"):
            attempt(lambda: svc.auth.set_role(acting, uid, str(role)), f"{target} is now {role}.")
    with middle.form("adm_reset", clear_on_submit=True):
        password = st.text_input("New password", type="password", key="adm_reset_password")
        if st.form_submit_button("Reset password"):
            attempt(
                lambda: svc.auth.reset_password(acting, uid, password),
                f"New password set for {target}; their sessions were ended.",
            )
    with right:
        if st.button("Unlock", key="adm_unlock", disabled=not bool(row["locked"]) and not int(row["failures"])):
            attempt(lambda: svc.auth.unlock(acting, target), f"Unlocked {target}.")
        if bool(row["is_active"]):
            own = uid == acting.id
            tip = (
                "You cannot deactivate your own account." if own else "Ends their sessions; they can no longer log in."
            )
            if st.button("Deactivate", key="adm_deactivate", disabled=own, help=tip):
                attempt(lambda: svc.auth.deactivate(acting, uid), f"Deactivated {target}; their sessions were ended.")
        elif st.button("Reactivate", key="adm_reactivate"):
            attempt(lambda: svc.auth.set_active(acting, uid, True), f"Reactivated {target}.")


def audit_log(entries: list[AuditRecord]) -> None:
    """The newest admin actions: when, who, what, to whom, details."""
    if not entries:
        st.caption("No admin action recorded yet.")
        return
    frame = pd.DataFrame(
        [
            {
                "When (UTC)": f"{e.at:%Y-%m-%d %H:%M:%S}",
                "Who": e.actor,
                "Action": e.action,
                "Target": e.target,
                "Details": ", ".join(f"{k}: {v}" for k, v in e.details.items()),
            }
            for e in entries
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch")
