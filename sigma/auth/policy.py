"""The password policy for new passwords, after NIST SP 800-63B (section 5.1.1.2).

- at least `MIN_PASSWORD_CHARS` (12) characters; anything up to bcrypt's 72 bytes is allowed
  (64 ASCII characters and more), checked before anything else so a huge input costs nothing;
- not one of the 30,000 common passwords of zxcvbn's list (drawn from breach corpora), compared
  case-insensitively;
- not containing the username (case-insensitive);
- a zxcvbn score of at least `MIN_ZXCVBN_SCORE` (3, "safely unguessable": about 10^8 guesses or
  more). 3 rather than 4 because the hashes are bcrypt at cost 12 and online guessing is capped
  by the lockout; 3 still refuses keyboard walks, repeats, dates, l33t-spelt dictionary words and
  padded common passwords (`password1234` scores 1), which is what the NIST list check is for.
- no composition rules (no "one digit, one symbol"), as NIST asks.

Every refusal says what to do: a longer passphrase of unrelated words is the advice.
"""

from __future__ import annotations

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from sigma.auth.model import normalise_username
from sigma.auth.passwords import validate_password
from sigma.errors import ValidationError

MIN_PASSWORD_CHARS = 12
MIN_ZXCVBN_SCORE = 3
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
ADVICE = "Use a passphrase of three or four unrelated words, or a password manager's suggestion."


def check_new_password(password: str, username: str) -> bytes:
    """The UTF-8 bytes of an acceptable new password for `username`; `ValidationError` otherwise."""
    if not password:
        raise ValidationError(f"Password must not be empty. {ADVICE}")
    raw = validate_password(password)  # over bcrypt's 72 bytes
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(
            f"Passwords need at least {MIN_PASSWORD_CHARS} characters (this one has {len(password)}). {ADVICE}"
        )
    if password.lower() in COMMON_PASSWORDS:
        raise ValidationError(f"This password is on the list of common passwords that attackers try first. {ADVICE}")
    login = normalise_username(username)
    if login and login in password.lower():
        raise ValidationError(f"The password must not contain the username {login!r}. {ADVICE}")
    verdict = zxcvbn(password, user_inputs=[login] if login else [])
    if verdict["score"] < MIN_ZXCVBN_SCORE:
        warning = verdict["feedback"]["warning"] or "It follows a pattern that is easy to guess."
        raise ValidationError(f"This password is too easy to guess: {warning.rstrip('.')}. {ADVICE}")
    return raw
