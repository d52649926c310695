"""The password policy (NIST SP 800-63B): length, common passwords, the username, zxcvbn's score."""

from __future__ import annotations

import pytest

from sigma.auth.policy import MIN_PASSWORD_CHARS, check_new_password
from sigma.errors import ValidationError


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "must not be empty"),
        ("tiny-pass", "at least 12 characters (this one has 9)"),
        ("password1234", "list of common passwords"),
        ("QWERTYUIOP123", "list of common passwords"),  # compared case-insensitively
        ("xx-Alice-garden-blue", "must not contain the username 'alice'"),
        ("aaaaaaaaaaaaaaaa", 'too easy to guess: Repeats like "aaa" are easy to guess'),
        ("abcdefghijklmn", "too easy to guess"),  # a sequence scores 0
        ("é" * 37, "limited to 72 bytes (this one has 74 bytes"),
    ],
)
def test_a_weak_password_is_refused_with_what_to_do(password: str, message: str) -> None:
    with pytest.raises(ValidationError, match="passphrase") as refused:
        check_new_password(password, "alice")
    assert message in str(refused.value)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # a passphrase with blanks, no composition rules
        "juniper-tractor-sonnet-58",
        "Kx9!pLm2#vQz",  # exactly 12 characters from a password manager
        "längere Passphrase mit Umlauten",  # any Unicode
        "w" * 3 + "ord-salad-" + "z" * 51,  # 64 characters is allowed (NIST: at least 64)
    ],
)
def test_a_strong_password_of_any_shape_is_accepted(password: str) -> None:
    assert check_new_password(password, "alice") == password.encode("utf-8")


def test_the_minimum_length_counts_characters_not_bytes() -> None:
    assert MIN_PASSWORD_CHARS == 12
    with pytest.raises(ValidationError, match="at least 12 characters"):
        check_new_password("ünïcødé-pw", "bob")  # 10 characters, 14 bytes
