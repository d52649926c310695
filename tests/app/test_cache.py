"""The UI's risk caches: a book change recomputes the acting user's views only."""

from __future__ import annotations

from sigma.ui.cache import Generations


def test_a_bump_moves_on_only_that_users_generation() -> None:
    generations = Generations()
    assert generations.of(1) == generations.of(2) == 0
    generations.bump(1)
    assert generations.of(1) == 1 and generations.of(2) == 0
