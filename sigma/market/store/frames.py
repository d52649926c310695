"""Long price columns and what is built from them: wide frames, as-of lookups, day codes.

Conventions: a `Columns` read holds one entry per stored (symbol, date) row; symbols travel as
integer codes into `Columns.symbols`, dates as integer days since 1970-01-01 (`EPOCH`), values
as float64 with NaN for NULL. Wide frames have a DatetimeIndex named "date" and one column per
requested symbol; they are built with numpy (codes index a preallocated array), not `pivot`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sigma.typing import AnyArray, FloatArray, IntArray

EPOCH = np.datetime64("1970-01-01", "D")
SYMBOL_SPAN = np.int64(1 << 32)  # composite key: symbol code in the high bits, day number in the low ones


@dataclass(frozen=True)
class Columns:
    """A long read: symbol codes (into `symbols`), day numbers since 1970, and value columns."""

    symbols: tuple[str, ...]
    codes: IntArray  # index into `symbols`
    days: IntArray  # days since 1970-01-01
    values: Mapping[str, FloatArray]  # per requested field (NaN for NULL)
    sources: AnyArray | None = None  # object array of source labels, when requested

    def dates(self) -> AnyArray:
        """The dates as datetime64[D]."""
        return EPOCH + self.days.astype("timedelta64[D]")

    def row_symbols(self) -> AnyArray:
        """The symbol of every row (object array)."""
        return np.asarray(self.symbols, dtype=object)[self.codes]

    def seen(self) -> set[str]:
        """Symbols with at least one row."""
        return set(np.asarray(self.symbols, dtype=object)[np.unique(self.codes)])


def empty_columns(fields: Sequence[str]) -> Columns:
    """A read with no rows."""
    return Columns((), np.zeros(0, np.int64), np.zeros(0, np.int64), {f: np.zeros(0) for f in fields})


def day_numbers(dates: Sequence[object]) -> IntArray:
    """Dates (date, datetime64 or ISO text) as days since 1970-01-01."""
    return (np.array(dates, dtype="datetime64[D]") - EPOCH).astype(np.int64)


def wide(cols: Columns, field: str, symbols: Sequence[str]) -> pd.DataFrame:
    """Dates x `symbols` float frame (NaN where no price), DatetimeIndex named "date"."""
    position = {s: i for i, s in enumerate(symbols)}
    column_of = np.array([position.get(s, -1) for s in cols.symbols], dtype=np.int64)
    days, day_codes = day_codes_of(cols.days)
    out = np.full((len(days), len(symbols)), np.nan)
    col = column_of[cols.codes] if len(cols.codes) else np.zeros(0, np.int64)
    keep = col >= 0
    out[day_codes[keep], col[keep]] = cols.values[field][keep]
    index = pd.DatetimeIndex(EPOCH + days.astype("timedelta64[D]"), name="date").as_unit("ns")
    return pd.DataFrame(out, index=index, columns=pd.Index(list(symbols), name="symbol"), copy=False)


def day_codes_of(days: IntArray) -> tuple[IntArray, IntArray]:
    """Sorted distinct days and each row's index into them, like `np.unique(..., return_inverse=True)`.

    Counting over the (small) span of day numbers instead of sorting every row; falls back to
    `np.unique` when the span is large compared with the number of rows.
    """
    if not len(days) or int(days.max()) - int(days.min()) > 4 * len(days) + 100_000:
        uniques, inverse = np.unique(days, return_inverse=True)
        return uniques.astype(np.int64), inverse.reshape(-1).astype(np.int64)
    first = int(days.min())
    offset = days - first
    present = np.zeros(int(offset.max()) + 1, dtype=bool)
    present[offset] = True
    rank = np.cumsum(present) - 1
    return (np.flatnonzero(present) + first).astype(np.int64), rank[offset].astype(np.int64)


def asof_values(cols: Columns, field: str, codes: IntArray, days: IntArray) -> FloatArray:
    """The `field` value of symbol code codes[i] on the last stored day <= days[i] (NaN if none)."""
    if not len(cols.codes):
        return np.full(len(codes), np.nan)
    stored = cols.codes * SYMBOL_SPAN + cols.days
    order = np.argsort(stored, kind="stable")
    at = np.searchsorted(stored[order], codes * SYMBOL_SPAN + days, side="right") - 1
    safe = np.clip(at, 0, None)
    valid = (at >= 0) & (cols.codes[order][safe] == codes)
    return np.where(valid, cols.values[field][order][safe], np.nan)


def history_frame(cols: Columns, fields: Sequence[str]) -> pd.DataFrame:
    """One symbol's rows oldest first: date (as `date`), `fields`, source."""
    order = np.argsort(cols.days, kind="stable")
    frame = pd.DataFrame({c: cols.values[c][order] for c in fields})
    frame.insert(0, "date", pd.DatetimeIndex(cols.dates()[order]).date)
    frame["source"] = cols.sources[order] if cols.sources is not None else None
    return frame


def long_frame(cols: Columns, field: str) -> pd.DataFrame:
    """symbol, date (datetime64), `field`: one row per stored row."""
    return pd.DataFrame({"symbol": cols.row_symbols(), "date": cols.dates(), field: cols.values[field]})
