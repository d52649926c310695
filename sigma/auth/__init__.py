"""Authentication: users, bcrypt password checks, lockout and server-side sessions (no Streamlit)."""

from sigma.auth.model import AuthUser, UserRow, normalise_username, utc_now
from sigma.auth.passwords import MAX_PASSWORD_BYTES, hash_password, verify_password
from sigma.auth.service import AuthService

__all__ = [
    "MAX_PASSWORD_BYTES",
    "AuthService",
    "AuthUser",
    "UserRow",
    "hash_password",
    "normalise_username",
    "utc_now",
    "verify_password",
]
