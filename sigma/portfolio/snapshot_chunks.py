"""The nightly snapshot backfill's computation, per chunk of books: pure, so the batch's executor can run it.

`sql.backfill.backfill_many` loads the books' records and one price load for the union of their
symbols, then computes each book's missing days (`snapshots.unsaved`) either here in the driver,
one book after another, or, given an executor, in chunks of books on it: each `SnapshotChunk`
carries its books' records and the whole union price load (a few MB at most: every chunk gets the
same prices the driver would use, so the rows are the same wherever they are computed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sigma.errors import InsufficientHistory
from sigma.portfolio.inputs import BookRecord, PriceInputs
from sigma.portfolio.snapshots import unsaved


@dataclass(frozen=True)
class BookRecords:
    """The books' positions and flows (each with a portfolio_id column), cash and stored snapshot dates."""

    positions: pd.DataFrame
    flows: pd.DataFrame
    cash: Mapping[int, float]
    have: Mapping[int, set[date]]

    def only(self, pids: Sequence[int]) -> BookRecords:
        """The records of `pids` alone."""
        keep = set(pids)
        return BookRecords(
            self.positions[self.positions["portfolio_id"].isin(keep)],
            self.flows[self.flows["portfolio_id"].isin(keep)],
            {p: c for p, c in self.cash.items() if p in keep},
            {p: d for p, d in self.have.items() if p in keep},
        )


@dataclass(frozen=True)
class Computed:
    """Days computed per book, the books that failed with their error, and the rows to write."""

    days: dict[int, int] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    rows: pd.DataFrame | None = None  # every book's new snapshot rows, with portfolio_id; None when there are none


@dataclass(frozen=True)
class SnapshotChunk:
    """One task: a chunk of books, their records, the union price load, the prices' source."""

    pids: tuple[int, ...]
    records: BookRecords
    prices: PriceInputs
    source: str

    def part(self, pids: Sequence[int]) -> SnapshotChunk:
        """The chunk of `pids` alone (their records; the same prices)."""
        return SnapshotChunk(tuple(pids), self.records.only(pids), self.prices, self.source)


def compute(chunk: SnapshotChunk) -> Computed:
    """Each book's snapshot days not stored yet (a book with no priced day yet writes nothing and is not a
    failure; one that cannot be computed is an error, and the others are still computed)."""
    records = chunk.records
    by_pid = dict(tuple(records.positions.groupby("portfolio_id", sort=False)))
    flows_by_pid = dict(tuple(records.flows.groupby("portfolio_id", sort=False)))
    empty_flows = records.flows.drop(columns="portfolio_id").iloc[:0]
    days: dict[int, int] = {p: 0 for p in chunk.pids}
    errors: dict[int, str] = {}
    frames = []
    for pid in chunk.pids:
        if pid not in by_pid:
            continue
        flows = flows_by_pid[pid].drop(columns="portfolio_id") if pid in flows_by_pid else empty_flows
        record = BookRecord(by_pid[pid].reset_index(drop=True), records.cash.get(pid, 0.0), flows)
        try:
            new = unsaved(record, chunk.prices, records.have.get(pid, set()), chunk.source)
        except InsufficientHistory:
            continue  # no priced day yet: nothing to write, not a failure
        except Exception as exc:  # one bad book is recorded; the others are written
            errors[pid] = f"{type(exc).__name__}: {exc}"
            continue
        if not new.empty:
            frames.append(new.assign(portfolio_id=pid))
            days[pid] = len(new)
    return Computed(days, errors, pd.concat(frames, ignore_index=True) if frames else None)
