"""From `users` rows to the user types the rest of Sigma sees."""

from __future__ import annotations

from sigma.auth.model import AuthUser
from sigma.conventions import Role
from sigma.db.models import User


def auth_user(user: User) -> AuthUser:
    """The `AuthUser` of a `users` row."""
    return AuthUser(id=user.id, username=user.username, name=user.name, email=user.email or "", role=Role(user.role))
