"""The insight service: a user's insight cards for the Portfolio page, dismissals, and the nightly refresh.

Page methods take the acting user first and scope by owner: another user's portfolio or card
raises `PermissionDenied`, the same as one that does not exist. `refresh` is the jobs process's
(unscoped, like `PortfolioService.backfill_any`): it reads the books and the stored risk views of
many portfolios in bulk (each book at its own price date), ships the pure rules
(`sigma.insights.book.evaluate_chunk`) to an executor in chunks, and stores every card in one
transaction of two statements, so its SQL statement count does not grow with the number of
portfolios. A book that cannot be read or whose
rules fail is a failure entry "portfolio <id>" and keeps yesterday's cards; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Protocol, TypeVar

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from sigma.auth.model import AuthUser
from sigma.config import Settings
from sigma.errors import UnknownSymbol
from sigma.insights.book import BookInputs, evaluate_chunk
from sigma.insights.card import Card, StoredCard
from sigma.insights.inputs import book_inputs, panel_start
from sigma.insights.sql import cards as store
from sigma.risk.service import RiskBook

__all__ = ["InsightService", "Refreshed", "StoredCard"]

T = TypeVar("T")
R = TypeVar("R")
UTC_NOW: Callable[[], datetime] = partial(datetime.now, UTC)  # the system clock; tests pass their own
TASKS_PER_WORKER = 4  # chunks per worker: enough to balance uneven books, few enough to ship cheaply


class Owned(Protocol):
    """What the service needs of the portfolio service: the ownership check."""

    def get_portfolio(self, user: AuthUser, pid: int) -> object: ...


class BatchRisk(Protocol):
    """What `refresh` needs of the risk service (its jobs-only bulk reads)."""

    def books(self, pids: Sequence[int], executor: Mapper | None = None) -> Mapping[int, RiskBook | str]: ...

    def stored_views(self, pids: Sequence[int], as_of: date) -> Mapping[int, Mapping[str, object]]: ...


class Prices(Protocol):
    """What `refresh` needs of the market service."""

    def latest(self, symbols: Sequence[str]) -> pd.DataFrame: ...

    def returns_frame(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None, field: str = "adj_close"
    ) -> pd.DataFrame: ...


class Mapper(Protocol):
    """An executor of `sigma.batch.executors`: a pure function over items, results in order."""

    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: cards stored, portfolios in scope, failures by "portfolio <id>"."""

    rows: int
    items: int
    failures: dict[str, str] = field(default_factory=dict)
    message: str = ""


def _no_stop() -> None:
    """The checkpoint of a refresh nobody can stop."""


def chunks(items: Sequence[T], workers: int) -> list[list[T]]:
    """`items` in about `workers × TASKS_PER_WORKER` consecutive chunks (at least one item each)."""
    size = max(1, -(-len(items) // max(1, workers * TASKS_PER_WORKER)))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class InsightService:
    """Insight cards: read and dismiss (scoped to the acting user), refresh (the nightly batch)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        portfolios: Owned,
        risk: BatchRisk,
        market: Prices,
        settings: Settings,
        now: Callable[[], datetime] = UTC_NOW,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.sessions, self.portfolios, self.risk, self.market = sessions, portfolios, risk, market
        self.settings, self._now, self._today = settings, now, today

    # --- pages ---------------------------------------------------------------------------------

    def cards(self, user: AuthUser, pid: int, include_dismissed: bool = False) -> list[StoredCard]:
        """The active cards of the user's portfolio, critical first (dismissed ones only when asked)."""
        self.portfolios.get_portfolio(user, pid)  # PermissionDenied unless the user owns pid
        return store.read(self.sessions, lambda s: store.list_cards(s, pid, include_dismissed))

    def dismiss(self, user: AuthUser, insight_id: int) -> None:
        """Dismiss one of the user's cards: it stays stored (and active while it fires) but leaves the page."""
        now = self._now()
        store.write(self.sessions, lambda s: store.dismiss(s, user.id, insight_id, now))

    # --- batch (jobs process only) -------------------------------------------------------------

    def refresh(
        self,
        pids: Sequence[int],
        executor: Mapper,
        checkpoint: Callable[[], None] = _no_stop,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> Refreshed:
        """Recompute and store the cards of `pids`, each book at its own price date (see the module docstring)."""
        books = self.risk.books(list(pids), executor)  # opened on the executor, in chunks
        wanted = set(pids)
        ok = {p: b for p, b in books.items() if isinstance(b, RiskBook) and p in wanted}
        failures = {f"portfolio {p}": str(books.get(p, "no book was loaded")) for p in pids if p not in ok}
        inputs = self._inputs(ok, failures)
        results = self._evaluate(inputs, executor, checkpoint, progress)
        cards: dict[int, list[Card]] = {}
        for pid, outcome in results:
            if isinstance(outcome, str):
                failures[f"portfolio {pid}"] = outcome
            else:
                cards[pid] = outcome
        checkpoint()
        now, as_of = self._now(), {p: ok[p].as_of for p in cards}
        rows = store.write(self.sessions, lambda s: store.sync(s, cards, as_of, now))
        message = f"{rows} insight card(s) for {len(cards)} of {len(pids)} portfolio(s)"
        return Refreshed(rows, len(pids), failures, message + (f"; {len(failures)} failed" if failures else ""))

    def _views(self, books: Mapping[int, RiskBook]) -> dict[int, Mapping[str, object]]:
        """The stored views of every book at its own as-of date: one query per distinct date (a handful)."""
        views: dict[int, Mapping[str, object]] = {}
        for day in sorted({b.as_of for b in books.values()}):
            views.update(self.risk.stored_views([p for p, b in books.items() if b.as_of == day], day))
        return views

    def _inputs(self, books: Mapping[int, RiskBook], failures: dict[str, str]) -> list[BookInputs]:
        """Every book's rule inputs from bulk reads: stored views, latest price dates, one returns panel
        (a book whose inputs cannot be assembled goes into `failures`)."""
        if not books:
            return []
        views = self._views(books)
        symbols = sorted({s for b in books.values() for s in b.symbols})
        latest = self._known(symbols, self.market.latest)
        last_dates = {str(s): pd.Timestamp(d).date() for s, d in zip(latest["symbol"], latest["date"], strict=True)}
        first, last = min(b.as_of for b in books.values()), max(b.as_of for b in books.values())
        panel = self._known(symbols, lambda known: self.market.returns_frame(known, panel_start(first), last))
        reference = self.settings.market_end or self._today()
        stale = self.settings.stale_after_days
        out = []
        for pid, book in books.items():  # attribute reads and slices: the rules run on the executor
            try:
                out.append(book_inputs(book, views.get(pid, {}), panel, last_dates, reference, stale))
            except Exception as exc:  # one odd book is a failure entry, not a lost night
                failures[f"portfolio {pid}"] = f"{type(exc).__name__}: {exc}"
        return out

    @staticmethod
    def _known(symbols: list[str], load: Callable[[list[str]], pd.DataFrame]) -> pd.DataFrame:
        """`load(symbols)`, retried once without the symbols the store does not know (their books fail later)."""
        try:
            return load(symbols)
        except UnknownSymbol as exc:
            return load([s for s in symbols if s not in set(exc.symbols)])

    @staticmethod
    def _evaluate(
        inputs: list[BookInputs],
        executor: Mapper,
        checkpoint: Callable[[], None],
        progress: Callable[[int, int, str], None] | None,
    ) -> list[tuple[int, list[Card] | str]]:
        """The rules over the books, chunk by chunk on the executor, a checkpoint between rounds."""
        tasks, results = chunks(inputs, executor.workers), []
        step = max(1, executor.workers)
        for start in range(0, len(tasks), step):
            checkpoint()
            for chunk_result in executor.map(evaluate_chunk, tasks[start : start + step]):
                results.extend(chunk_result)
            if progress is not None:
                progress(len(results), len(inputs), "insights")
        return results
