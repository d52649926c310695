"""Password hashing with bcrypt.

bcrypt only reads the first 72 bytes of a password, and bcrypt 5 raises on longer input, so a
new password over `MAX_PASSWORD_BYTES` (UTF-8) is refused with a clear message, and a login
with one is an ordinary failure. Passwords are used exactly as typed (no stripping).
Every check costs one bcrypt run, also for unknown users (against a dummy hash), so a failed
login takes the same time whatever the reason.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

import bcrypt

from sigma.errors import ValidationError

MAX_PASSWORD_BYTES = 72


def validate_password(password: str) -> bytes:
    """The UTF-8 bytes of a new password; `ValidationError` if it is empty or too long."""
    raw = password.encode("utf-8")
    if not raw:
        raise ValidationError("Password must not be empty.")
    if len(raw) > MAX_PASSWORD_BYTES:
        raise ValidationError(
            f"Passwords are limited to {MAX_PASSWORD_BYTES} bytes (this one has {len(raw)} bytes in UTF-8). "
            "Choose a shorter passphrase."
        )
    return raw


def hash_password(password: str, rounds: int) -> str:
    """A bcrypt hash of `password` at cost `rounds`; `ValidationError` if the password is unusable."""
    return bcrypt.hashpw(validate_password(password), bcrypt.gensalt(rounds)).decode("ascii")


@lru_cache(maxsize=8)
def dummy_hash(rounds: int) -> bytes:
    """A hash of a random secret at cost `rounds`, computed once, for constant-time failures."""
    return bcrypt.hashpw(secrets.token_urlsafe(32).encode("ascii"), bcrypt.gensalt(rounds))


def verify_password(password: str, password_hash: str | bytes | None, rounds: int) -> bool:
    """True if `password` matches `password_hash`. Always runs bcrypt exactly once: against the
    dummy hash when there is no usable hash or the password is over 72 bytes (then False)."""
    raw = password.encode("utf-8")
    stored = password_hash.encode("ascii") if isinstance(password_hash, str) else password_hash
    usable = stored is not None and len(raw) <= MAX_PASSWORD_BYTES
    try:
        matched = bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES], stored if usable and stored else dummy_hash(rounds))
    except ValueError:  # a malformed stored hash: fail closed, after the same bcrypt work
        bcrypt.checkpw(raw[:MAX_PASSWORD_BYTES], dummy_hash(rounds))
        return False
    return usable and matched
