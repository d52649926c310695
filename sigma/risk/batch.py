"""The risk service's methods for the jobs process: books in bulk, the nightly inputs, results in bulk.

Mixed into `RiskService` (its "batch" section): these methods are unscoped, for the jobs process
only, never for a page. Their statement counts do not grow with the number of books: the books
come from `PortfolioService.nightly_opener` (bulk loads, unopened: an opener values each book where
it is called, so the batch opens them on its executor, a chunk per task), the shared inputs are loaded once per as-of
date, one close frame holds the union of the books' symbols, the results go in with one
executemany (`sql.results.store_many`) and come back with one query (`stored_views`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Protocol, TypeVar, cast

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from sigma.config import Settings
from sigma.conventions import TEN_YEAR_YIELD, VIX
from sigma.market.service import MarketService
from sigma.risk.book import OpenBooks
from sigma.risk.nightly import (
    DEFAULT_BENCHMARK_SPEC,
    HISTORY_TRADING_DAYS,
    VIEW_CLASSES,
    BookInput,
    BookOpener,
    RiskInputs,
    book_input,
    open_risk_books,
    start_of,
    view_key,
)
from sigma.risk.sql import reference as ref
from sigma.risk.sql import results, transactions
from sigma.risk.view import stress as sst
from sigma.risk.view.base import RiskView
from sigma.risk.view.benchmark import BenchmarkSpec
from sigma.risk.view.book import RiskBook

T = TypeVar("T")
R = TypeVar("R")
OPEN_CHUNKS_PER_WORKER = 4  # chunks of books opened per worker (balance against what each chunk ships)


class Dated(Protocol):
    """A book as the close frame needs it (a `RiskBook`, or a `BookRef` before it is opened)."""

    @property
    def as_of(self) -> date: ...

    @property
    def symbols(self) -> tuple[str, ...]: ...


class BulkBooks(Protocol):
    """What the batch needs of the portfolio service (`PortfolioService` provides it)."""

    def nightly_opener(self, pids: Sequence[int] | None = None, health: bool = False) -> BookOpener: ...


class Mapper(Protocol):
    """The batch's executor, as far as opening books needs it (`sigma.batch.executors.Executor`)."""

    workers: int

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]: ...


class _Service(Protocol):
    """The parts of `RiskService` these methods use."""

    sessions: sessionmaker[Session]
    market: MarketService
    portfolios: OpenBooks
    settings: Settings
    _now: Callable[[], datetime]

    def benchmark_returns(self, spec: BenchmarkSpec = ..., start: date | None = ...) -> pd.Series: ...

    def _style(self, as_of: date) -> pd.DataFrame: ...


def _cut(pids: Sequence[int], count: int) -> list[list[int]]:
    """`pids` in at most `count` consecutive runs of nearly equal size."""
    size = max(1, math.ceil(len(pids) / max(1, count)))
    return [list(pids[i : i + size]) for i in range(0, len(pids), size)]


class StoredViews(Mapping[str, RiskView]):
    """A book's stored views by `view_key`, each decoded from its payload when first read, then kept.

    Decoding is the cost of reading views back (a 50-position stress view is thousands of values),
    and a reader seldom wants them all: the insights read four kinds of a book's two dozen views.
    """

    def __init__(self, payloads: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
        self._payloads = payloads
        self._views: dict[str, RiskView] = {}

    def __getitem__(self, key: str) -> RiskView:
        if key not in self._views:
            kind, payload = self._payloads[key]
            self._views[key] = VIEW_CLASSES[kind].from_payload(payload)
        return self._views[key]

    def __contains__(self, key: object) -> bool:
        return key in self._payloads  # without decoding it

    def __iter__(self) -> Iterator[str]:
        return iter(self._payloads)

    def __len__(self) -> int:
        return len(self._payloads)


class RiskBatch:
    """`RiskService`'s batch section (jobs process only)."""

    def books(
        self: _Service, pids: Sequence[int] | None = None, executor: Mapper | None = None
    ) -> dict[int, RiskBook | str]:
        """Many books (None: every active one) on the asset axis, loaded in bulk and opened here or, with an
        `executor`, in chunks on it (OPEN_CHUNKS_PER_WORKER per worker); the str is why one cannot be."""
        opener = cast(BulkBooks, self.portfolios).nightly_opener(pids)
        ids = opener.ids()
        if executor is None or executor.workers <= 1 or len(ids) <= 1:
            return dict(open_risk_books(opener))
        chunks = [opener.subset(run) for run in _cut(ids, executor.workers * OPEN_CHUNKS_PER_WORKER)]
        return {pid: book for done in executor.map(open_risk_books, chunks) for pid, book in done}

    def nightly_opener(self: _Service, pids: Sequence[int] | None = None) -> BookOpener:
        """The books (None: every active one) loaded in bulk with what scores their health, unopened: the
        nightly risk phase ships a chunk of it with each task, which opens its books where it runs."""
        return cast(BulkBooks, self.portfolios).nightly_opener(pids, health=True)

    def nightly_books(self: _Service, pids: Sequence[int] | None = None) -> dict[int, BookInput | str]:
        """Every book of `nightly_opener` opened here, one after another, with its health view."""
        opener = cast(BulkBooks, self.portfolios).nightly_opener(pids, health=True)
        return {pid: book_input(opener(pid)) for pid in opener.ids()}

    def nightly_inputs(self: _Service, as_of: date) -> RiskInputs:
        """What every book of `as_of` shares, with the Risk page's defaults (loaded once per run)."""
        definitions = transactions.read(self.sessions, ref.factor_definitions)
        stress_close = self.market.close_frame(sst.stress_symbols(definitions), end=as_of)
        table, ref_as_of = transactions.read(self.sessions, ref.look_through)
        weights, bench_as_of = transactions.read(
            self.sessions, lambda s: ref.benchmark_weights(s, DEFAULT_BENCHMARK_SPEC)
        )
        infos = transactions.read(self.sessions, ref.scenario_infos)
        s = self.settings
        return RiskInputs(
            as_of=as_of,
            benchmark=self.benchmark_returns(DEFAULT_BENCHMARK_SPEC),
            tnx_changes=self.market.close_frame([TEN_YEAR_YIELD])[TEN_YEAR_YIELD].diff(),
            style=self._style(as_of),
            stress_factors=sst.stress_factor_returns(stress_close, definitions),
            vix=float(stress_close[VIX].dropna().iloc[-1]),
            look_through=table,
            sector_weights=weights,
            reference_as_of=max(ref_as_of, bench_as_of),
            scenarios=tuple(info.scenario() for info in infos),
            risk_free=s.risk_free,
            ridge_alpha=s.ridge_alpha,
            mc_paths=s.mc_paths,
            mc_seed=s.mc_seed,
        )

    def nightly_close(self: _Service, books: Iterable[Dated]) -> pd.DataFrame:
        """One close frame for the union of the books' priced symbols, covering each book's history (one load)."""
        chosen = list(books)
        if not chosen:
            return pd.DataFrame(index=pd.DatetimeIndex([]))
        priced = self.market.priced_symbols()
        symbols = [s for s in dict.fromkeys(s for b in chosen for s in b.symbols) if s in priced]
        start = start_of(min(b.as_of for b in chosen), HISTORY_TRADING_DAYS)
        return self.market.close_frame(symbols, start=start, end=max(b.as_of for b in chosen))

    def store_many(self: _Service, rows: Sequence[Mapping[str, Any]]) -> int:
        """Upsert result rows (portfolio_id, kind, as_of, params_key, source, payload) in one executemany;
        a row whose payload did not change keeps its computed_at. Returns the rows sent."""
        computed_at = self._now()
        return transactions.write(self.sessions, lambda s: results.store_many(s, rows, computed_at))

    def stored_views(self: _Service, pids: Sequence[int] | None, as_of: date) -> dict[int, StoredViews]:
        """Every stored view of `as_of` by portfolio and `view_key` ("var", "stress:<scenario>"), one query;
        each view is decoded when first read (see `StoredViews`)."""
        found = transactions.read(self.sessions, lambda s: results.views_of(s, pids, as_of))
        raw: dict[int, dict[str, tuple[str, dict[str, Any]]]] = {}
        for pid, kind, params_key, payload in found:
            if kind in VIEW_CLASSES:  # a kind this version does not know is left out
                raw.setdefault(pid, {})[view_key(kind, params_key)] = (kind, payload)
        return {pid: StoredViews(payloads) for pid, payloads in raw.items()}
