"""The in-process cache of wide frames and the "prices version" that keys it.

The version is read *before* every load, so a write racing a load only causes one extra
reload: SQLite file databases use `PRAGMA data_version` on a dedicated connection (it changes
whenever any other connection, in any process, commits to the file); PostgreSQL uses
`pg_current_snapshot()` (its xmax and in-progress list change whenever any write transaction
starts or commits); both are combined with an in-process counter bumped by every write through
the store. Writes to other tables also change the key: that costs a reload, never a stale
answer. In-memory SQLite falls back to `COUNT(*), MAX(date), SUM(close), SUM(adj_close)` over
prices.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Hashable

import pandas as pd
from sqlalchemy import Engine, text

CACHE_ENTRIES = 32
PG_SNAPSHOT = text("SELECT pg_current_snapshot()::text")
PRICES_DIGEST = text("SELECT COUNT(*), MAX(date), SUM(close), SUM(adj_close) FROM prices")


class VersionProbe:
    """A cheap key that changes whenever prices may have changed (see the module docstring)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()
        self._writes = 0
        self._sqlite: sqlite3.Connection | None = None
        database = engine.url.database
        on_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        self._sqlite_path = database if on_file else None

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
            return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])
        with self._engine.connect() as conn:
            if self._engine.dialect.name == "postgresql":
                return str(conn.execute(PG_SNAPSHOT).scalar())
            return tuple(conn.execute(PRICES_DIGEST).one())

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
