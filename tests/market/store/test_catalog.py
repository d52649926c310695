"""The store's catalogue on SQLite and PostgreSQL: last stored dates per symbol by index seeks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

from sigma.conventions import Source
from sigma.market.store.catalog import _last_dates
from sigma.market.store.prices import PriceStore

# names that sort next to each other (a prefix, a space, a dot, a caret, lower case) and gaps
LAST = {
    "A": date(2026, 3, 2),
    "AA": date(2026, 1, 5),
    "A B": date(2026, 2, 27),
    "BRK.B": date(2026, 3, 31),
    "^TNX": date(2026, 1, 1),
    "zz": date(2026, 3, 16),
}


@pytest.fixture
def store(db):
    s = PriceStore(db.sessions)
    yield s
    s.close()


def _bars(last: dict[str, date], seed: int = 0) -> pd.DataFrame:
    """A ragged history: each symbol from a random first day to its last day, with random holes."""
    rng = np.random.default_rng(seed)
    frames = []
    for symbol, end in last.items():
        days = pd.date_range(end - timedelta(days=int(rng.integers(0, 60))), end).date
        keep = rng.random(len(days)) < 0.7
        keep[-1] = True
        frames.append(pd.DataFrame({"symbol": symbol, "date": days[keep], "close": 10.0, "adj_close": 10.0}))
    return pd.concat(frames, ignore_index=True)


def test_last_dates_are_the_last_stored_day_of_each_symbol(db, store):
    assert store.last_dates() == {} and store.last_dates(["A"]) == {}
    bars = _bars(LAST)
    store.upsert_bars(bars, Source.CSV)
    assert store.last_dates() == LAST
    assert store.last_dates(["zz", "Q", "A", "zz"]) == {"zz": LAST["zz"], "A": LAST["A"]}
    assert store.last_dates([]) == {}
    slow = bars.groupby("symbol")["date"].max().to_dict()  # the GROUP BY it replaces
    assert store.last_dates() == slow


def test_last_dates_agree_with_a_group_by_on_a_larger_table(db, store):
    rng = np.random.default_rng(7)
    symbols = [f"S{i:03d}" for i in rng.permutation(120)]
    last = {s: date(2026, 1, 1) + timedelta(days=int(rng.integers(0, 300))) for s in symbols}
    store.upsert_bars(_bars(last, seed=3), Source.SIMULATED)
    with db.engine.connect() as conn:
        slow = dict(conn.execute(text("SELECT symbol, MAX(date) FROM prices GROUP BY symbol")).all())
    assert {s: str(d) for s, d in store.last_dates().items()} == {s: str(d) for s, d in slow.items()}
    assert store.last_dates(symbols[:5]) == {s: last[s] for s in symbols[:5]}


def test_last_dates_never_scan_the_price_table_on_sqlite(db):
    if db.backend != "sqlite":
        pytest.skip("SQLite query plan")
    sql = str(_last_dates().compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    touching = [step for step in plan if "prices" in step]
    assert touching and not [step for step in touching if step.startswith("SCAN")], plan
