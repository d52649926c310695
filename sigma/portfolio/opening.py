"""Opening many books where the batch's executor runs them: the pure half of `sql.bulk` (no I/O here).

The driver loads every book's records and ONE price load for the union of their symbols
(`sql.bulk.load_openers`: a number of statements that does not grow with the books). An `Opener`
holds the records of a chunk of books and that load cut to the chunk's symbols; it is picklable,
so the batch ships it to a worker with the chunk, and called with a portfolio id there it:

1. cuts the book's prices from the union (`book_prices`: exactly what `load_prices` would load for it);
2. assembles its view data as `sql.view.assemble` does (the snapshot days not stored yet computed
   in memory, asset classes joined), without the attribution window, which neither the open book
   nor the health score reads;
3. values the book ONCE at the latest price date (`latest_valuation`) and builds from that one
   valuation the open book (`open_valued`, as `view.book.open_book` builds it) and, when the
   opener has thresholds, the Portfolio page's health score (the KPIs' one).

So the open books and health scores are equal to those `PortfolioService.open_book` and
`view()` compute one portfolio at a time, and the driver does no per-book work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from sigma.config import HealthThresholds
from sigma.conventions import DEFAULT_BENCHMARK, THREE_MONTH_YIELD, VIX
from sigma.errors import InsufficientHistory, SigmaError
from sigma.market.service import MarketStatus
from sigma.portfolio.exposure import with_classes
from sigma.portfolio.health import HealthScore
from sigma.portfolio.inputs import POSITION_FIELDS, BookRecord, PriceInputs, ViewData
from sigma.portfolio.model import PortfolioInfo
from sigma.portfolio.snapshots import behind, unsaved, with_unsaved
from sigma.portfolio.valuation import Valuation
from sigma.portfolio.view.book import EMPTY_BOOK, latest_valuation, open_valued
from sigma.portfolio.view.kpis import kpis
from sigma.risk.book import OpenBook

POSITION_RECORD = tuple(c for c in POSITION_FIELDS if c != "portfolio_id")  # one book's record: no book column
ScoredBook = tuple[OpenBook, HealthScore | str | None]  # an open book and its health score, or why it has none
NO_POSITIONS = "The book has no positions yet."


@dataclass(frozen=True)
class BookRows:
    """One book's loaded records, and the symbols and first date its prices are cut for."""

    info: PortfolioInfo
    positions: pd.DataFrame  # positions with targets and tags, as `sql.view.positions_where` reads them
    snapshots: pd.DataFrame
    flows: pd.DataFrame
    symbols: tuple[str, ...]  # `sql.view.price_symbols`: what values its positions, and its benchmark
    start: date  # `sql.view.price_start`


def why(exc: Exception) -> str:
    """A book's failure: the message of an error a user may see, else the exception's type and message."""
    return str(exc) if isinstance(exc, SigmaError) else f"{type(exc).__name__}: {exc}"


def book_prices(union: PriceInputs, symbols: Sequence[str], start: date) -> PriceInputs:
    """The prices `load_prices(market, symbols, start)` would load, cut from a load of a superset."""
    wanted = list(dict.fromkeys([*symbols, THREE_MONTH_YIELD, VIX, DEFAULT_BENCHMARK]))
    last = {s: union.last_dates[s] for s in wanted if s in union.last_dates}
    stored = [s for s in wanted if s in last]
    close = union.close.loc[union.close.index >= pd.Timestamp(start), stored].dropna(how="all")
    profiles = reinferred(union.profiles[union.profiles["symbol"].isin(list(symbols))].reset_index(drop=True))
    dividends = union.dividend_yields[union.dividend_yields.index.isin(list(symbols))]
    rate = union.rate
    if isinstance(rate, pd.Series):
        rate = rate[rate.index >= pd.Timestamp(start)] if THREE_MONTH_YIELD in close.columns else 0.0
    return PriceInputs(close, last, rate, dividends, profiles, union.surface)


def reinferred(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns typed as a load of just these rows types them (one whose rows here are all NULL is
    `object` of None, not `str` of NaN), so a book's frames equal its own load's."""
    empty = [c for c, t in frame.dtypes.items() if isinstance(t, pd.StringDtype) and frame[c].isna().all()]
    if not empty:
        return frame
    out = frame.copy()
    for column in empty:
        out[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return out


def view_data(rows: BookRows, prices: PriceInputs, status: MarketStatus) -> ViewData:
    """`sql.view.assemble` without the attribution window: unsaved snapshot days in memory, classes joined."""
    snapshots, notes = rows.snapshots, tuple[str, ...]()
    if behind(snapshots, rows.positions, prices):
        try:
            record = BookRecord(rows.positions[list(POSITION_RECORD)], rows.info.cash, rows.flows)
            days = unsaved(record, prices, set(snapshots["date"]), str(status.source or "simulated"))
            snapshots = with_unsaved(snapshots, days)
        except InsufficientHistory as exc:
            notes = (f"Snapshots could not be computed: {exc}",)
    book = with_classes(rows.positions, prices.profiles)
    return ViewData(rows.info, book, prices, snapshots, pd.DataFrame(), status, notes, rows.flows)


def health_valued(data: ViewData, val: Valuation | None, thresholds: HealthThresholds) -> HealthScore | str:
    """The Portfolio page's health score (its KPIs' one) from a valuation already made, or why there is none."""
    if val is None or data.prices is None:
        return NO_POSITIONS
    headline = kpis(val, data.positions, data.prices, data.snapshots, data.info.benchmark, thresholds)
    return headline.health if headline.health is not None else str(headline.health_reason)


def open_scored(data: ViewData, thresholds: HealthThresholds | None) -> ScoredBook | str:
    """The open book of loaded data and its health score (with `thresholds`), from ONE valuation;
    a book that cannot be opened (no open positions, a symbol without prices) is the reason."""
    try:
        val = latest_valuation(data)
        book = open_valued(data, val)
        return book, None if thresholds is None else health_valued(data, val, thresholds)
    except (SigmaError, KeyError, ValueError) as exc:
        return why(exc)


def last_valid(close: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each column's last date with a price (columns without any are left out)."""
    seen = close.notna().to_numpy()
    rows = len(close) - 1 - seen[::-1].argmax(axis=0)
    priced = [bool(x) for x in np.asarray(seen.any(axis=0))]
    return {str(c): close.index[r] for c, r, ok in zip(close.columns, rows.tolist(), priced, strict=True) if ok}


@dataclass(frozen=True)
class Opener:
    """Loaded books, the union price load cut to their symbols and the market status; called with a
    portfolio id, that book opened and scored (see the module docstring). Pure and picklable."""

    books: Mapping[int, BookRows]
    prices: PriceInputs | None  # None when no book has positions
    status: MarketStatus
    thresholds: HealthThresholds | None = None
    failed: Mapping[int, str] = field(default_factory=dict)  # books whose records could not be loaded
    last: Mapping[str, pd.Timestamp] = field(default_factory=dict)  # `last_valid` of the union close

    def ids(self) -> list[int]:
        """Every portfolio id this opener answers for, in load order."""
        return [*self.books, *(p for p in self.failed if p not in self.books)]

    def __call__(self, pid: int) -> ScoredBook | str:
        """Portfolio `pid` opened (and scored), or why it cannot be."""
        if pid in self.failed:
            return self.failed[pid]
        rows = self.books[pid]
        if self.prices is None or rows.positions.empty:
            return EMPTY_BOOK.format(pid=pid)
        try:
            data = view_data(rows, book_prices(self.prices, rows.symbols, rows.start), self.status)
        except (SigmaError, KeyError, ValueError) as exc:  # e.g. a position whose symbol has no stored price
            return why(exc)
        return open_scored(data, self.thresholds)

    def as_of(self, pid: int) -> date | None:
        """The date book `pid` is valued at (the last date of its prices), known without opening it."""
        rows = self.books.get(pid)
        if rows is None or self.prices is None or rows.positions.empty:
            return None
        wanted = [*rows.symbols, THREE_MONTH_YIELD, VIX, DEFAULT_BENCHMARK]
        days = [self.last[s] for s in wanted if s in self.last and s in self.prices.last_dates]
        latest = max(days, default=None)
        return None if latest is None or latest < pd.Timestamp(rows.start) else latest.date()

    def symbols(self, pid: int) -> tuple[str, ...]:
        """The priced symbols of book `pid`'s positions, open or closed (a superset of its open book's asset
        axis): its price symbols without the benchmark `sql.view.price_symbols` appends last."""
        rows = self.books.get(pid)
        return () if rows is None else rows.symbols[:-1]

    def subset(self, pids: Sequence[int]) -> Opener:
        """The opener of `pids` alone: their records, and the prices cut to their symbols (what a chunk ships)."""
        books = {p: self.books[p] for p in pids if p in self.books}
        failed = {p: self.failed[p] for p in pids if p in self.failed}
        prices = self.prices
        if prices is not None:
            symbols = list(dict.fromkeys(s for rows in books.values() for s in rows.symbols))
            extra = [s for s in (THREE_MONTH_YIELD, VIX, DEFAULT_BENCHMARK) if s not in symbols]
            columns = [s for s in [*symbols, *extra] if s in prices.close.columns]
            profiles = prices.profiles[prices.profiles["symbol"].isin(symbols)].reset_index(drop=True)
            dividends = prices.dividend_yields[prices.dividend_yields.index.isin(symbols)]
            prices = PriceInputs(
                prices.close[columns], prices.last_dates, prices.rate, dividends, profiles, prices.surface
            )
        return Opener(books, prices, self.status, self.thresholds, failed, self.last)
