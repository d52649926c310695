"""Fast columnar reads of the `prices` table, the wide-frame builder and the in-process frame cache.

Used by `sigma.market.store.prices.PriceStore` only. One query per load, whatever the number of symbols:

- SQLite: a raw `sqlite3` cursor; requested symbols are joined from a `VALUES` list so each row
  comes back as small integers and floats (no per-row strings), turned into numpy arrays.
- PostgreSQL: `COPY (SELECT ...) TO STDOUT` into one buffer: FORMAT BINARY when every column has a
  fixed width (codes and days as int4, values as float8 with NULL as NaN), parsed by one numpy
  structured dtype; FORMAT CSV parsed by pyarrow when symbol names or sources are returned.

Dates travel as integer days since 1970-01-01 and become `datetime64`. The wide frame is built
with numpy (symbol and date codes index a preallocated float array), not with `pivot`.

Cache key ("prices version"), read *before* every load so a write racing a load only causes
one extra reload: SQLite file databases use `PRAGMA data_version` on a dedicated read-only
connection (changes whenever any other connection, in any process, commits to the file);
PostgreSQL uses `pg_current_snapshot()` (its xmax and in-progress list change whenever any
write transaction starts or commits); both are combined with an in-process counter bumped by
every write through the store. Writes to other tables also change the key: that costs a
reload, never a stale answer. In-memory SQLite falls back to `COUNT(*), MAX(date), SUM(close),
SUM(adj_close)` over prices.
"""

from __future__ import annotations

import io
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from sigma.db.models import Price

EPOCH = np.datetime64("1970-01-01", "D")
NUMERIC = ("open", "high", "low", "close", "adj_close", "volume")
CACHE_ENTRIES = 32
KEY_SPAN = 1 << 32  # SQLite row key: symbol code * KEY_SPAN + day + DAY_BIAS
DAY_BIAS = 1 << 31  # so any day number (negative before 1970) fits in [0, KEY_SPAN)


@dataclass(frozen=True)
class Columns:
    """A long read: symbol codes (into `symbols`), day numbers since 1970, and value columns."""

    symbols: tuple[str, ...]
    codes: np.ndarray  # int64, index into `symbols`
    days: np.ndarray  # int64, days since 1970-01-01
    values: dict[str, np.ndarray]  # float64 per requested field (NaN for NULL)
    sources: np.ndarray | None = None  # object array when requested

    def dates(self) -> np.ndarray:
        """The dates as datetime64[D]."""
        return EPOCH + self.days.astype("timedelta64[D]")


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _check_fields(fields: Sequence[str]) -> None:
    bad = [f for f in fields if f not in NUMERIC]
    if bad:
        raise ValueError(f"Unknown price fields {bad}: choose from {', '.join(NUMERIC)}.")


def load(
    engine: Engine,
    symbols: Sequence[str] | None,
    fields: Sequence[str],
    start: date | None = None,
    end: date | None = None,
    with_source: bool = False,
) -> Columns:
    """Rows of `prices` for `symbols` (all when None) within [start, end], in one query."""
    _check_fields(fields)
    if symbols is not None and not symbols:
        return Columns((), np.zeros(0, np.int64), np.zeros(0, np.int64), {f: np.zeros(0) for f in fields})
    if engine.dialect.name == "postgresql":
        return _load_postgres(engine, symbols, fields, start, end, with_source)
    return _load_sqlite(engine, symbols, fields, start, end, with_source)


def _load_sqlite(
    engine: Engine,
    symbols: Sequence[str] | None,
    fields: Sequence[str],
    start: date | None,
    end: date | None,
    with_source: bool,
) -> Columns:
    cols = ", ".join(f"p.{f}" for f in fields) + (", p.source" if with_source else "")
    day = "CAST(julianday(p.date) - 2440587.5 AS INTEGER)"
    where, params = ["1 = 1"], list[Any]()
    if start is not None:
        where.append("p.date >= ?")
        params.append(_iso(start))
    if end is not None:
        where.append("p.date <= ?")
        params.append(_iso(end))
    if symbols is None:
        sql = f"SELECT p.symbol, {day}, {cols} FROM prices p WHERE {' AND '.join(where)} ORDER BY p.symbol, p.date"
    else:  # one integer per row carries both the symbol code and the day: fewer Python objects to build
        values = ", ".join(f"(?, {k})" for k in range(len(symbols)))
        sql = (
            f"WITH req(sym, k) AS (VALUES {values}) SELECT req.k * {KEY_SPAN} + {day} + {DAY_BIAS}, {cols} "
            f"FROM req JOIN prices p ON p.symbol = req.sym WHERE {' AND '.join(where)}"
        )
        params = [*symbols, *params]
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        rows = raw.execute(sql, params).fetchall()
    return _columns_from_rows(rows, symbols, fields, with_source)


def _columns_from_rows(
    rows: list[tuple[Any, ...]], symbols: Sequence[str] | None, fields: Sequence[str], with_source: bool
) -> Columns:
    """Rows -> columns through one structured array (NULL -> NaN), not per-column Python lists."""
    keys: list[tuple[str, Any]] = [("key", object), ("day", np.int64)] if symbols is None else [("key", np.int64)]
    layout = np.dtype([*keys, *((f, np.float64) for f in fields), *([("source", object)] if with_source else [])])
    table = np.array(rows, dtype=layout) if rows else np.zeros(0, layout)
    if symbols is None:
        codes, uniques = pd.factorize(table["key"])
        names, days = tuple(str(u) for u in uniques), table["day"]
    else:
        codes, days = np.divmod(table["key"], KEY_SPAN)
        days, names = days - DAY_BIAS, tuple(symbols)
    values = {f: np.ascontiguousarray(table[f]) for f in fields}
    sources = np.ascontiguousarray(table["source"]) if with_source else None
    return Columns(names, np.asarray(codes, np.int64), np.asarray(days, np.int64), values, sources)


def _load_postgres(
    engine: Engine,
    symbols: Sequence[str] | None,
    fields: Sequence[str],
    start: date | None,
    end: date | None,
    with_source: bool,
) -> Columns:
    cols = ", ".join(f"p.{f}" for f in fields) + (", p.source" if with_source else "")
    day = "(p.date - DATE '1970-01-01')"
    where, params = ["TRUE"], list[Any]()
    if start is not None:
        where.append("p.date >= %s")
        params.append(start)
    if end is not None:
        where.append("p.date <= %s")
        params.append(end)
    if symbols is None:
        sql = f"SELECT p.symbol, {day}, {cols} FROM prices p WHERE {' AND '.join(where)}"
    elif not with_source:  # fixed-width rows: binary COPY parsed by numpy in one step
        values = ", ".join(f"COALESCE(p.{f}::float8, 'NaN')" for f in fields)
        sql = (
            f"SELECT (req.k - 1)::int4, {day}::int4, {values} FROM unnest(%s::text[]) WITH ORDINALITY AS "
            f"req(sym, k) JOIN prices p ON p.symbol = req.sym WHERE {' AND '.join(where)}"
        )
        return _columns_from_binary(_copy(engine, sql, [list(symbols), *params], "BINARY"), symbols, fields)
    else:
        sql = (
            f"SELECT req.k - 1, {day}, {cols} FROM unnest(%s::text[]) WITH ORDINALITY AS req(sym, k) "
            f"JOIN prices p ON p.symbol = req.sym WHERE {' AND '.join(where)}"
        )
        params = [list(symbols), *params]
    return _columns_from_csv(_copy(engine, sql, params, "CSV"), symbols, fields, with_source)


def _copy(engine: Engine, sql: str, params: list[Any], fmt: str) -> bytes:
    """The output of `COPY (sql) TO STDOUT (FORMAT fmt)` as one buffer."""
    buffer = io.BytesIO()
    with engine.connect() as conn:
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT {fmt})", params) as copy:
            for chunk in copy:
                buffer.write(chunk)
        raw.rollback()
    return buffer.getvalue()


BINARY_HEADER, BINARY_TRAILER = 19, 2  # PGCOPY signature, flags and extension length; the -1 field count


def _columns_from_binary(data: bytes, symbols: Sequence[str], fields: Sequence[str]) -> Columns:
    """Parse binary COPY rows of (int4 code, int4 day, float8 per field): every row has the same width.

    Each row is an int16 field count, then per field an int32 length and the big-endian value.
    """
    layout = np.dtype(
        [("n", ">i2"), ("kn", ">i4"), ("k", ">i4"), ("dn", ">i4"), ("d", ">i4")]
        + [item for f in fields for item in ((f"{f}_n", ">i4"), (f, ">f8"))]
    )
    body = data[BINARY_HEADER : len(data) - BINARY_TRAILER] if data else b""
    rows = np.frombuffer(body, dtype=layout)
    values = {f: rows[f].astype(np.float64) for f in fields}
    return Columns(tuple(symbols), rows["k"].astype(np.int64), rows["d"].astype(np.int64), values)


def _columns_from_csv(data: bytes, symbols: Sequence[str] | None, fields: Sequence[str], with_source: bool) -> Columns:
    import pyarrow as pa

    names = ["key", "day", *fields, *(["source"] if with_source else [])]
    types = {
        "key": pa.string() if symbols is None else pa.int64(),
        "day": pa.int64(),
        **{f: pa.float64() for f in fields},
        "source": pa.string(),
    }
    if not data:
        return _columns_from_rows([], symbols, fields, with_source)
    table = pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(column_names=names),
        convert_options=pacsv.ConvertOptions(column_types={n: types[n] for n in names}),
    )
    key = table.column("key").to_numpy(zero_copy_only=False)
    if symbols is None:
        codes, uniques = pd.factorize(key)
        symbol_names = tuple(str(u) for u in uniques)
    else:
        codes, symbol_names = key, tuple(symbols)
    values = {f: table.column(f).to_numpy(zero_copy_only=False).astype(np.float64) for f in fields}
    sources = table.column("source").to_numpy(zero_copy_only=False) if with_source else None
    days = table.column("day").to_numpy(zero_copy_only=False)
    return Columns(symbol_names, np.asarray(codes, np.int64), np.asarray(days, np.int64), values, sources)


def wide(cols: Columns, field: str, symbols: Sequence[str]) -> pd.DataFrame:
    """Dates x `symbols` float frame (NaN where no price), DatetimeIndex named "date"."""
    position = {s: i for i, s in enumerate(symbols)}
    column_of = np.array([position.get(s, -1) for s in cols.symbols], dtype=np.int64)
    days, day_codes = _day_codes(cols.days)
    out = np.full((len(days), len(symbols)), np.nan)
    col = column_of[cols.codes] if len(cols.codes) else np.zeros(0, np.int64)
    keep = col >= 0
    out[day_codes[keep], col[keep]] = cols.values[field][keep]
    index = pd.DatetimeIndex(EPOCH + days.astype("timedelta64[D]"), name="date").as_unit("ns")
    return pd.DataFrame(out, index=index, columns=pd.Index(list(symbols), name="symbol"), copy=False)


def _day_codes(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct days and each row's index into them, like `np.unique(..., return_inverse=True)`.

    Counting over the (small) span of day numbers instead of sorting every row; falls back to
    `np.unique` when the span is large compared with the number of rows.
    """
    if not len(days) or int(days.max()) - int(days.min()) > 4 * len(days) + 100_000:
        uniques, inverse = np.unique(days, return_inverse=True)
        return uniques, inverse.reshape(-1)
    first = int(days.min())
    offset = days - first
    present = np.zeros(int(offset.max()) + 1, dtype=bool)
    present[offset] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present) + first, rank[offset]


class VersionProbe:
    """A cheap key that changes whenever prices may have changed (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._writes = 0
        self._sqlite: sqlite3.Connection | None = None
        database = engine.url.database
        self._sqlite_path = (
            database if engine.dialect.name == "sqlite" and database not in (None, "", ":memory:") else None
        )

    def bump(self) -> None:
        """Record a write made through this process."""
        with self._lock:
            self._writes += 1

    def key(self) -> Hashable:
        """The current prices version."""
        with self._lock:
            return (self._writes, self._database_key())

    def _database_key(self) -> Hashable:
        if self._sqlite_path is not None:
            if self._sqlite is None:
                self._sqlite = sqlite3.connect(self._sqlite_path, check_same_thread=False)
            return self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        with self._engine.connect() as conn:
            if self._engine.dialect.name == "postgresql":
                raw: Any = conn.connection.driver_connection
                row = raw.execute("SELECT pg_current_snapshot()::text").fetchone()
                raw.rollback()
                return row[0]
            raw = conn.connection.driver_connection
            return tuple(raw.execute("SELECT COUNT(*), MAX(date), SUM(close), SUM(adj_close) FROM prices").fetchone())

    def close(self) -> None:
        """Close the dedicated SQLite connection."""
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None


class FrameCache:
    """A small thread-safe LRU of frames keyed by (version, request); entries are returned copied."""

    def __init__(self, entries: int = CACHE_ENTRIES) -> None:
        self._entries = entries
        self._items: OrderedDict[Hashable, pd.DataFrame] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> pd.DataFrame | None:
        """A copy of the cached frame, or None."""
        with self._lock:
            frame = self._items.get(key)
            if frame is None:
                return None
            self._items.move_to_end(key)
        return frame.copy()

    def put(self, key: Hashable, frame: pd.DataFrame) -> None:
        """Store a copy of `frame`."""
        with self._lock:
            self._items[key] = frame.copy()
            self._items.move_to_end(key)
            while len(self._items) > self._entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._items.clear()


def asof_values(cols: Columns, field: str, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The `field` value of symbol code codes[i] on the last stored day <= days[i] (NaN if none)."""
    if not len(cols.codes):
        return np.full(len(codes), np.nan)
    span = np.int64(1 << 32)  # composite key: symbol code in the high bits, day number in the low ones
    stored = cols.codes * span + cols.days
    order = np.argsort(stored, kind="stable")
    at = np.searchsorted(stored[order], codes * span + days, side="right") - 1
    safe = np.clip(at, 0, None)
    valid = (at >= 0) & (cols.codes[order][safe] == codes)
    return np.where(valid, cols.values[field][order][safe], np.nan)


LATEST_WINDOW_DAYS = 14


def latest_rows(session: Session, symbols: Sequence[str]) -> pd.DataFrame:
    """Latest and previous row per symbol in at most three queries (a recent window, then the rest)."""
    newest = session.scalar(select(func.max(Price.date)))
    if newest is None or not symbols:
        return pd.DataFrame(columns=["symbol", "date", "close", "adj_close", "prev_adj_close", "source"])
    recent = _last_two(session, symbols, newest - timedelta(days=LATEST_WINDOW_DAYS))
    counts = recent.groupby("symbol").size()
    rest = [s for s in symbols if counts.get(s, 0) < 2]
    if rest:  # symbols that stopped trading, or have one row in the window: search all their history
        recent = pd.concat([recent[~recent["symbol"].isin(rest)], _last_two(session, rest, None)])
    last = recent[recent["rn"] == 1].set_index("symbol")
    prev = recent[recent["rn"] == 2].set_index("symbol")["adj_close"]
    out = last.assign(prev_adj_close=prev.reindex(last.index).astype("float64"))
    order = [s for s in symbols if s in out.index]
    return out.loc[order, ["date", "close", "adj_close", "prev_adj_close", "source"]].reset_index()


def _last_two(session: Session, symbols: Sequence[str], floor: date | None) -> pd.DataFrame:
    rn = func.row_number().over(partition_by=Price.symbol, order_by=Price.date.desc()).label("rn")
    inner = select(Price.symbol, Price.date, Price.close, Price.adj_close, Price.source, rn).where(
        Price.symbol.in_(list(symbols))
    )
    if floor is not None:
        inner = inner.where(Price.date >= floor)
    sub = inner.subquery()
    rows = session.execute(select(sub).where(sub.c.rn <= 2)).all()
    return pd.DataFrame(rows, columns=["symbol", "date", "close", "adj_close", "source", "rn"])
