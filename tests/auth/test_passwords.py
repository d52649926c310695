"""bcrypt hashing: round trips, the 72-byte limit, and one bcrypt run per check."""

from __future__ import annotations

import bcrypt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.auth import passwords
from sigma.auth.passwords import MAX_PASSWORD_BYTES, dummy_hash, hash_password, validate_password, verify_password
from sigma.errors import ValidationError

ROUNDS = 4


def test_a_hash_verifies_its_password_and_nothing_else():
    stored = hash_password("correct horse", ROUNDS)
    assert stored.startswith("$2b$04$")  # bcrypt, cost 4
    assert verify_password("correct horse", stored, ROUNDS)
    assert not verify_password("correct horse ", stored, ROUNDS)  # no stripping: a blank matters
    assert not verify_password("Correct horse", stored, ROUNDS)


def test_exactly_72_bytes_is_accepted_and_73_is_a_clear_validation_error():
    ok = "a" * MAX_PASSWORD_BYTES
    assert verify_password(ok, hash_password(ok, ROUNDS), ROUNDS)
    with pytest.raises(ValidationError, match="Passwords are limited to 72 bytes"):
        hash_password("a" * (MAX_PASSWORD_BYTES + 1), ROUNDS)


def test_the_limit_counts_utf8_bytes_not_characters():
    # "é" is 2 bytes in UTF-8: 36 of them = 72 bytes (fine), 37 = 74 bytes (refused).
    validate_password("é" * 36)
    with pytest.raises(ValidationError, match="74 bytes"):
        validate_password("é" * 37)


def test_an_empty_password_cannot_be_set():
    with pytest.raises(ValidationError, match="empty"):
        hash_password("", ROUNDS)


def test_a_login_with_more_than_72_bytes_is_a_plain_failure_even_when_the_prefix_matches():
    prefix = "p" * MAX_PASSWORD_BYTES
    stored = hash_password(prefix, ROUNDS)
    assert verify_password(prefix + "extra", stored, ROUNDS) is False  # bcrypt alone would say True


def test_a_malformed_stored_hash_fails_closed():
    assert verify_password("x", "not-a-bcrypt-hash", ROUNDS) is False


def test_every_check_runs_bcrypt_exactly_once(monkeypatch):
    calls = []
    real = bcrypt.checkpw

    def spy(password: bytes, hashed: bytes) -> bool:
        calls.append(hashed)
        return real(password, hashed)

    stored = hash_password("secret", ROUNDS)
    dummy_hash(ROUNDS)  # computed once, outside the counted calls
    monkeypatch.setattr(passwords.bcrypt, "checkpw", spy)
    verify_password("secret", stored, ROUNDS)
    verify_password("wrong", stored, ROUNDS)
    verify_password("secret", None, ROUNDS)
    verify_password("x" * 100, stored, ROUNDS)
    assert len(calls) == 4
    assert calls[2] == calls[3] == dummy_hash(ROUNDS)  # unknown user and overlong password use the dummy


def test_the_dummy_hash_is_computed_once_at_the_requested_cost():
    assert dummy_hash(ROUNDS) is dummy_hash(ROUNDS)
    assert dummy_hash(ROUNDS).startswith(b"$2b$04$")
    assert dummy_hash(5).startswith(b"$2b$05$")


@settings(max_examples=15, deadline=None)
@given(st.text(min_size=1).filter(lambda s: len(s.encode()) <= MAX_PASSWORD_BYTES))
def test_any_password_up_to_72_bytes_round_trips(password):
    assert verify_password(password, hash_password(password, ROUNDS), ROUNDS)


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1))
def test_verify_never_raises_whatever_is_typed(password):
    assert verify_password(password, hash_password("fixed", ROUNDS), ROUNDS) is (password == "fixed")
