"""The UI's risk caches: a book change recomputes the acting user's views only."""

from __future__ import annotations

from sigma.ui.cache import Generations


def test_a_bump_moves_on_only_that_users_generation() -> None:
    generations = Generations()
    assert generations.of(1) == generations.of(2) == 0
    generations.bump(1)
    assert generations.of(1) == 1 and generations.of(2) == 0


class _Counting:
    """A stand-in for the wired services: counts the Portfolio views and the risk books it builds."""

    def __init__(self) -> None:
        self.views: list[tuple[int, str | None, int]] = []
        self.books: list[int] = []
        self.as_of = "2026-11-20"
        self.portfolios = self
        self.market = self
        self.risk = self

    def view(self, user: object, pid: int, tag: str | None = None, attribution_days: int = 21) -> str:
        self.views.append((pid, tag, attribution_days))
        return f"view {len(self.views)}"

    def status(self) -> object:
        return type("Status", (), {"as_of": self.as_of})()

    def book(self, user: object, pid: int) -> str:
        self.books.append(pid)
        return f"book {len(self.books)}"


def test_repeat_renders_hit_the_cache_until_the_book_or_the_price_date_changes(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import streamlit as st

    from sigma.auth.model import AuthUser
    from sigma.ui import cache, shell

    fake = _Counting()
    monkeypatch.setattr(shell, "services", lambda: fake)
    st.cache_data.clear()
    cache.forget_shared()  # the views are shared objects (st.cache_resource)
    alice = AuthUser(7, "alice", "Alice", "", "analyst")  # type: ignore[arg-type]
    first = cache.portfolio_view(alice, 1, None, 21)
    assert cache.portfolio_view(alice, 1, None, 21) == first and len(fake.views) == 1  # the repeat render hits
    cache.portfolio_view(alice, 1, "Tech", 21)
    assert len(fake.views) == 2  # other parameters are another entry
    assert cache._book(7, cache._generation(alice), alice, 1) == cache._book(7, cache._generation(alice), alice, 1)
    assert fake.books == [1]  # one book per version, shared by every risk section
    cache.forget_user(alice.id)  # a form changed the book
    cache.portfolio_view(alice, 1, None, 21)
    assert len(fake.views) == 3
    fake.as_of = "2026-11-23"
    cache._price_date.clear()  # as the 30 s TTL would
    cache.portfolio_view(alice, 1, None, 21)
    assert len(fake.views) == 4  # a new price date is a new version
    st.cache_data.clear()


class _View:
    """A stand-in for a served view (any object that can be weakly referenced)."""


def test_a_figure_is_built_once_per_view_key_and_label_until_the_key_moves_on(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sigma.auth.model import AuthUser
    from sigma.ui import cache, shell

    fake = _Counting()
    monkeypatch.setattr(shell, "services", lambda: fake)
    monkeypatch.setattr(fake, "view", lambda *args, **kwargs: _View())
    cache.forget_shared()
    built: list[tuple[str, int]] = []

    def build(label: str, n: int) -> list[str]:
        built.append((label, n))
        return [f"{label} {n}"]

    bob = AuthUser(8, "bob", "Bob", "", "analyst")  # type: ignore[arg-type]
    first = cache.chart(cache.portfolio_view(bob, 1, None, 21), "equity", build, "equity", 1)
    again = cache.chart(cache.portfolio_view(bob, 1, None, 21), "equity", build, "equity", 1)  # a new copy
    assert again is first and built == [("equity", 1)]  # the warm render reuses the figure object
    cache.chart(cache.portfolio_view(bob, 1, None, 21), "health", build, "health", 2)
    cache.chart(cache.portfolio_view(bob, 2, None, 21), "equity", build, "equity", 3)  # another book
    assert built == [("equity", 1), ("health", 2), ("equity", 3)]
    cache.forget_user(bob.id)  # a form changed the book: its figures are drawn again
    assert cache.chart(cache.portfolio_view(bob, 1, None, 21), "equity", build, "equity", 4) == ["equity 4"]
    unserved = _View()  # not served by the cache: drawn every time
    cache.chart(unserved, "x", build, "x", 5)
    cache.chart(unserved, "x", build, "x", 5)
    assert built[-2:] == [("x", 5), ("x", 5)] and cache.chart("a string", "x", build, "s", 6) == ["s 6"]
    cache.forget_shared()
