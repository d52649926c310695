"""Reads of the `prices` table: long columns through ADBC (Arrow out), latest rows through the ORM.

`load` is one query whatever the number of symbols. The driver hands back Arrow columns: symbols
become codes into the requested list (`pyarrow.compute.index_in`, or a dictionary encoding when
every symbol is read), dates become day numbers (PostgreSQL sends `date32`; SQLite's ISO text is
cast by Arrow), value columns become float64 with NULL as NaN. No per-row Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sigma.db.arrow import ArrowReader
from sigma.db.models import Price
from sigma.market.standard import PRICE_FIELDS
from sigma.market.store.frames import Columns, empty_columns

LATEST_WINDOW_DAYS = 14
LATEST_COLUMNS = ["symbol", "date", "close", "adj_close", "prev_adj_close", "source"]


def load(
    reader: ArrowReader,
    symbols: Sequence[str] | None,
    fields: Sequence[str],
    start: date | None = None,
    end: date | None = None,
    with_source: bool = False,
) -> Columns:
    """Rows of `prices` for `symbols` (all when None) within [start, end], in one query."""
    bad = [f for f in fields if f not in PRICE_FIELDS]
    if bad:
        raise ValueError(f"Unknown price fields {bad}: choose from {', '.join(PRICE_FIELDS)}.")
    if symbols is not None and not symbols:
        return empty_columns(fields)
    sql, params = _select(reader.dialect, symbols, [*fields, *(["source"] if with_source else [])], start, end)
    return _columns(reader.table(sql, params), symbols, fields, with_source)


def _select(
    dialect: str, symbols: Sequence[str] | None, columns: Sequence[str], start: date | None, end: date | None
) -> tuple[str, list[object]]:
    """The SELECT of symbol, date and `columns`, with its parameters in the backend's placeholder style."""
    params: list[object] = []
    where: list[str] = []

    def mark() -> str:
        return f"${len(params)}" if dialect == "postgresql" else "?"

    if symbols is not None and dialect == "postgresql":
        params.append(list(symbols))
        where.append(f"symbol = ANY({mark()}::text[])")
    elif symbols is not None:
        params.extend(symbols)
        where.append(f"symbol IN ({', '.join('?' * len(symbols))})")
    for bound, op in ((start, ">="), (end, "<=")):
        if bound is not None:
            params.append(bound.isoformat())
            where.append(f"date {op} {mark()}" + ("::date" if dialect == "postgresql" else ""))
    condition = " AND ".join(where) or "1 = 1"
    return f"SELECT symbol, date, {', '.join(columns)} FROM prices WHERE {condition}", params


def _columns(table: pa.Table, symbols: Sequence[str] | None, fields: Sequence[str], with_source: bool) -> Columns:
    """An Arrow result of (symbol, date, fields..., [source]) as `Columns`."""
    if not table.num_rows:  # an empty SQLite result has no column types to convert
        empty = empty_columns(fields)
        sources = np.zeros(0, dtype=object) if with_source else None
        return Columns(tuple(symbols or ()), empty.codes, empty.days, empty.values, sources)
    if symbols is None:
        encoded = table.column("symbol").combine_chunks().dictionary_encode()
        names = tuple(str(s) for s in encoded.dictionary.to_pylist())
        codes = encoded.indices
    else:
        names = tuple(symbols)
        codes = pc.index_in(table.column("symbol"), value_set=pa.array(list(symbols), pa.string()))
    dates = table.column("date")
    if not pa.types.is_date32(dates.type):
        dates = pc.cast(pc.cast(dates, pa.string()), pa.date32())  # SQLite's ISO text
    days = pc.cast(pc.cast(dates, pa.int32()), pa.int64()).to_numpy()
    values = {f: _floats(table.column(f)) for f in fields}
    sources = table.column("source").to_numpy(zero_copy_only=False) if with_source else None
    return Columns(names, pc.cast(codes, pa.int64()).to_numpy(), np.asarray(days, np.int64), values, sources)


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    """A numeric Arrow column as float64 with NULL as NaN."""
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def latest_rows(session: Session, symbols: Sequence[str]) -> pd.DataFrame:
    """Latest and previous row per symbol in at most three queries (a recent window, then the rest)."""
    newest = session.scalar(select(func.max(Price.date)))
    if newest is None or not symbols:
        return pd.DataFrame(columns=LATEST_COLUMNS)
    recent = _last_two(session, symbols, newest - timedelta(days=LATEST_WINDOW_DAYS))
    counts = recent.groupby("symbol").size()
    rest = [s for s in symbols if counts.get(s, 0) < 2]
    if rest:  # symbols that stopped trading, or have one row in the window: search all their history
        recent = pd.concat([recent[~recent["symbol"].isin(rest)], _last_two(session, rest, None)])
    last = recent[recent["rn"] == 1].set_index("symbol")
    prev = recent[recent["rn"] == 2].set_index("symbol")["adj_close"]
    out = last.assign(prev_adj_close=prev.reindex(last.index).astype("float64"))
    order = [s for s in symbols if s in out.index]
    return out.loc[order, LATEST_COLUMNS[1:]].reset_index()


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
