"""Bulk idempotent upserts with the dialect's ON CONFLICT: the one upsert of the package.

Two entries over one statement shape:

- `upsert`: rows as dicts, one compiled statement executed with many parameter sets (SQLAlchemy's
  "insertmanyvalues" batches them under the driver's limits): about 25× faster than compiling a
  single huge VALUES clause, measured here on 394k price rows.
- `upsert_frame`: the fast path for large frames: rows go to the DBAPI cursor's executemany as
  tuples of native values, skipping SQLAlchemy's per-row parameter processing (about 3× faster on
  416k position-snapshot rows on SQLite; `bench/portfolio.py`).
- `insert_frame`: a plain INSERT of rows the caller knows are new (it deleted their keys first in
  the same transaction): no conflict handling, and on PostgreSQL COPY straight into the table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

COPY_ROWS = 1_000  # PostgreSQL: from this many rows, COPY beats executemany
BULK_CACHE_MIB = 192  # SQLite page cache during a bulk write (released afterwards)


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
    update: Sequence[str] | None = None,
) -> int:
    """Insert `rows` into `table`; on a key conflict update `update` columns (all non-key
    columns by default; an empty list means do nothing). Returns the number of rows sent."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    columns = list(rows[0].keys())
    update_cols = [c for c in columns if c not in key] if update is None else list(update)
    stmt = insert(table)
    if update_cols:
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in update_cols})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    session.execute(stmt, list(rows))
    return len(rows)


def upsert_frame(session: Session, table: str, frame: pd.DataFrame, key: tuple[str, ...]) -> int:
    """Idempotent ON CONFLICT upsert of `frame`'s rows, in bulk through the driver (same transaction).

    `sigma.db.upsert` sends parameter dicts through SQLAlchemy's executemany, whose per-row
    parameter processing dominates for the hundreds of thousands of position snapshots of a
    large book (about 3× slower than this, measured on 416k rows on SQLite).
    SQLite: one DBAPI executemany of tuples of native values (NaN as NULL; dates as ISO text).
    PostgreSQL, from `COPY_ROWS` rows: COPY into a temporary table, then one INSERT … SELECT …
    ON CONFLICT (the per-statement round trips of executemany dominate there); fewer rows use
    executemany. `table` and the column names come from the calling code, never from input.
    """
    if frame.empty:
        return 0
    sqlite_db = session.get_bind().dialect.name == "sqlite"
    columns = [str(c) for c in frame.columns]
    names = ", ".join(columns)
    update = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    conflict = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {update}"
    if not sqlite_db and len(frame) >= COPY_ROWS:
        _copy_upsert(session, table, frame, ", ".join(key), conflict)
        return len(frame)
    cells = [_native(frame[c], sqlite_db) for c in columns]  # one conversion per column
    rows = list(zip(*cells, strict=True))
    mark = "?" if sqlite_db else "%s"
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join([mark] * len(columns))}) {conflict}"
    session.connection().exec_driver_sql(sql, rows)
    return len(frame)


def insert_frame(session: Session, table: str, frame: pd.DataFrame) -> int:
    """Plain INSERT of `frame`'s rows in bulk through the driver (same transaction); returns the count.

    For rows whose keys the caller has just deleted in this transaction: a stored key raises
    IntegrityError. SQLite: one executemany of tuples of native values; PostgreSQL: one COPY into
    the table (no scratch table, no ON CONFLICT). `table` and the columns come from the code.
    """
    if frame.empty:
        return 0
    sqlite_db = session.get_bind().dialect.name == "sqlite"
    names = ", ".join(str(c) for c in frame.columns)
    rows = zip(*[_native(frame[c], sqlite_db) for c in frame.columns], strict=True)
    if sqlite_db:
        marks = ", ".join(["?"] * len(frame.columns))
        session.connection().exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))
        return len(frame)
    statement = f"COPY {table} ({names}) FROM STDIN"
    driver: Any = session.connection().connection.driver_connection  # psycopg.Connection
    dbapi: Any = session.get_bind().dialect.loaded_dbapi
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:  # the driver's COPY protocol: one stream, no statement per row
                copy.write_row(row)
    except dbapi.Error as exc:  # raised as SQLAlchemy raises every other statement's (IntegrityError, …)
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    return len(frame)


def _copy_upsert(session: Session, table: str, frame: pd.DataFrame, key: str, conflict: str) -> None:
    """PostgreSQL: COPY the rows into a per-transaction scratch table, then upsert them in one
    statement; a key repeated in the frame: the last row wins (as with executemany)."""
    scratch, names = f"_upsert_{table}", ", ".join(str(c) for c in frame.columns)
    cells = [_native(frame[c], False) for c in frame.columns]  # one conversion per column
    driver: Any = session.connection().connection.driver_connection  # psycopg.Connection
    with driver.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {scratch} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        cursor.execute(f"TRUNCATE {scratch}")
        with cursor.copy(f"COPY {scratch} ({names}) FROM STDIN") as copy:
            for row in zip(*cells, strict=True):  # the driver's COPY protocol: one stream, no statement per row
                copy.write_row(row)
        last = f"DISTINCT ON ({key}) {names} FROM {scratch} ORDER BY {key}, ctid DESC"
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {last} {conflict}")


@contextmanager
def bulk_cache(session: Session, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    """SQLite: a page cache of `mib` MiB while a bulk write runs, then the connection's own again.

    Millions of rows into a table with two indexes thrash the default 2 MiB cache; with the rows
    in key order and this cache the position-snapshot backfill writes about 2.5× faster.
    Elsewhere a no-op.
    """
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(mib) * 1024}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def _native(column: pd.Series, sqlite_db: bool) -> list[object]:
    """A column as native Python values: None for NaN, ISO strings for dates on SQLite."""
    if column.dtype.kind == "f":
        values = column.to_numpy(float)
        out: list[object] = values.tolist()
        if np.isnan(values).any():
            out = [None if v != v else v for v in out]  # only columns holding NaN pay this pass
        return out
    if column.dtype.kind in "iu":
        return list(column.to_numpy().tolist())
    if sqlite_db and len(column) and isinstance(column.iloc[0], date):
        codes, days = pd.factorize(column)  # a few hundred distinct days among millions of rows
        iso = np.array([d.isoformat() for d in days], dtype=object)
        return list(iso[codes].tolist())
    return list(column.tolist())
