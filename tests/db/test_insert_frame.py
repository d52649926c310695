"""`insert_frame`: the plain bulk INSERT (COPY on PostgreSQL) of rows whose keys are new."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sigma.db import session_scope
from sigma.db.models import Price
from sigma.db.upsert import insert_frame


def _bars(n: int) -> pd.DataFrame:
    """`n` bars of one symbol, as the store's frames hold them: dates as `date`, NaN for a missing open."""
    days = [date(2026, 1, 1) + pd.Timedelta(days=i) for i in range(n)]
    return pd.DataFrame(
        {
            "symbol": ["SPY"] * n,
            "date": [d.date() if isinstance(d, pd.Timestamp) else d for d in days],
            "open": [float("nan") if i % 3 == 0 else 100.0 + i / 7 for i in range(n)],
            "high": [101.0 + i for i in range(n)],
            "low": [99.0 + i for i in range(n)],
            "close": [100.1 + i / 3 for i in range(n)],
            "adj_close": [0.1 + 0.2 + i for i in range(n)],
            "volume": list(range(n)),
            "source": ["simulated"] * n,
        }
    )


def test_insert_frame_stores_every_value_exactly_with_nan_as_null(db) -> None:
    frame = _bars(1_500)  # over COPY_ROWS: the bulk path on both databases
    with session_scope(db.sessions) as s:
        assert insert_frame(s, "prices", frame) == 1_500
    with db.sessions() as s:
        stored = s.execute(
            select(Price.date, Price.open, Price.close, Price.adj_close, Price.volume).order_by(Price.date)
        ).all()
    assert [r.date for r in stored] == list(frame["date"])
    assert [r.open for r in stored[:4]] == [None, 100.0 + 1 / 7, 100.0 + 2 / 7, None]
    assert [r.close for r in stored] == list(frame["close"])  # bit-for-bit, no text round-off
    assert [r.adj_close for r in stored[-2:]] == [0.1 + 0.2 + 1_498, 0.1 + 0.2 + 1_499]
    assert [r.volume for r in stored[-2:]] == [1_498, 1_499]


def test_insert_frame_of_an_existing_key_fails_and_writes_nothing(db) -> None:
    with session_scope(db.sessions) as s:
        insert_frame(s, "prices", _bars(2))
    with pytest.raises(IntegrityError), session_scope(db.sessions) as s:
        insert_frame(s, "prices", _bars(3))
    with db.sessions() as s:
        assert s.scalars(select(Price.close).order_by(Price.date)).all() == [100.1, 100.1 + 1 / 3]


def test_insert_frame_of_no_rows_writes_nothing(db) -> None:
    with session_scope(db.sessions) as s:
        assert insert_frame(s, "prices", _bars(0)) == 0
        assert s.scalars(select(Price.symbol)).all() == []
