"""Forty simultaneous guesses, the right password among them: the lockout holds on both backends.

Every guess runs in its own thread with its own database sessions. The wrapped bcrypt check holds
each guess until all forty have reserved (or been refused) their attempt, so every guess is in
flight at once, which is when the old read-check-record order let all forty reach the real hash.
The right password is sent once five wrong guesses are already being checked: it must be refused.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import bcrypt
import pytest

from sigma.auth import passwords
from sigma.auth.model import AuthUser
from sigma.auth.service import AuthService
from tests.auth.conftest import ALICE_PW

GUESSES = 40
LIMIT = 5  # SIGMA_LOGIN_MAX_FAILURES in the test settings (the default)


class CountingCheck:
    """bcrypt.checkpw that counts the checks against one hash and holds every caller at a barrier."""

    def __init__(self, real_hash: bytes) -> None:
        self.real_hash = real_hash
        self.against_real = 0
        self.limit_reached = threading.Event()
        self.all_in = threading.Barrier(GUESSES, timeout=60)
        self._lock = threading.Lock()
        self._checkpw: Callable[[bytes, bytes], bool] = bcrypt.checkpw

    def __call__(self, password: bytes, hashed: bytes) -> bool:
        with self._lock:
            if hashed == self.real_hash:
                self.against_real += 1
                if self.against_real >= LIMIT:
                    self.limit_reached.set()
        matched = self._checkpw(password, hashed)
        self.all_in.wait()  # every guess is past its reservation before any outcome is recorded
        return matched


def _guess(auth: AuthService, password: str, out: list[AuthUser | BaseException | None]) -> None:
    try:
        out.append(auth.authenticate("alice", password))
    except BaseException as exc:  # surfaced by the assertion on the outcomes
        out.append(exc)


def test_forty_parallel_guesses_check_the_real_hash_at_most_five_times_and_lock(auth, alice, admin, monkeypatch):
    real_hash = auth.credentials_dict()["usernames"]["alice"]["password"].encode("ascii")
    check = CountingCheck(real_hash)
    passwords.dummy_hash(4)  # computed before the race, outside the wrapper
    monkeypatch.setattr(passwords.bcrypt, "checkpw", check)
    outcomes: list[AuthUser | BaseException | None] = []
    wrong = [threading.Thread(target=_guess, args=(auth, f"wrong-guess-{i:02d}", outcomes)) for i in range(GUESSES - 1)]
    for thread in wrong:
        thread.start()
    assert check.limit_reached.wait(timeout=60), "five wrong guesses never reached the real hash"
    right = threading.Thread(target=_guess, args=(auth, ALICE_PW, outcomes))
    right.start()
    for thread in [*wrong, right]:
        thread.join(timeout=120)
    assert [t.is_alive() for t in [*wrong, right]] == [False] * GUESSES
    monkeypatch.undo()

    assert check.against_real == LIMIT
    assert outcomes == [None] * GUESSES  # the right password too: its attempt was over the limit
    row = {r.username: r for r in auth.list_users(admin)}["alice"]
    assert (row.locked, row.failures) == (True, LIMIT)
    assert auth.authenticate("alice", ALICE_PW) is None  # and the lock holds afterwards


@pytest.mark.parametrize("first_right", [True, False])
def test_a_refused_attempt_is_not_counted_so_a_lock_is_never_extended(auth, alice, admin, clock, first_right):
    for _ in range(LIMIT):
        assert auth.authenticate("alice", "wrong-guess") is None
    locked_until = {r.username: r for r in auth.list_users(admin)}["alice"].locked_until
    clock.advance(minutes=14)
    assert auth.authenticate("alice", ALICE_PW if first_right else "wrong-guess") is None
    assert {r.username: r for r in auth.list_users(admin)}["alice"].locked_until == locked_until
    clock.advance(minutes=1)
    assert auth.authenticate("alice", ALICE_PW) == alice
