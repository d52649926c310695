"""What the store holds: last dates, coverage, the as-of date, known symbols, security profiles.

Each answer is one query through the ORM; `PriceStore` builds on this class.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased, sessionmaker

from sigma.db.models import Price, Security
from sigma.market.standard import PROFILE_COLUMNS
from sigma.market.store.refresh import unique
from sigma.market.universe import universe_profiles


def _last_dates() -> Select[str, date]:
    """(symbol, last date) of every stored symbol, by index seeks only (see `PriceCatalog.last_dates`)."""
    later = aliased(Price)
    symbols = select(func.min(Price.symbol).label("symbol")).cte("stored_symbols", recursive=True)
    following = select(func.min(later.symbol)).where(later.symbol > symbols.c.symbol).scalar_subquery()
    symbols = symbols.union_all(select(following).where(symbols.c.symbol.is_not(None)))
    last = select(func.max(Price.date)).where(Price.symbol == symbols.c.symbol).scalar_subquery()
    return select(symbols.c.symbol, last.label("last")).where(symbols.c.symbol.is_not(None))


class PriceCatalog:
    """Metadata of the `prices` and `securities` tables."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def last_dates(self, symbols: Sequence[str] | None = None) -> dict[str, date]:
        """The last stored date per symbol (symbols without prices are absent).

        One statement that seeks the (symbol, date) primary key instead of reading every row (a
        GROUP BY reads the whole table on SQLite and PostgreSQL alike): a recursive CTE steps from
        one stored symbol to the next (a "loose index scan"), then a correlated MAX per symbol
        reads one index entry each.
        """
        stmt = _last_dates()
        if symbols is not None:
            stmt = stmt.where(stmt.selected_columns.symbol.in_(unique(symbols)))
        with self._sessions() as session:
            return {s: d for s, d in session.execute(stmt)}

    def coverage(self) -> pd.DataFrame:
        """One row per symbol: first, last, rows, source ("mixed" when several), in one query."""
        stmt = (
            select(
                Price.symbol,
                func.min(Price.date),
                func.max(Price.date),
                func.count(),
                func.min(Price.source),
                func.max(Price.source),
            )
            .group_by(Price.symbol)
            .order_by(Price.symbol)
        )
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        frame = pd.DataFrame(rows, columns=["symbol", "first", "last", "rows", "low", "high"])
        frame["source"] = np.where(frame["low"] == frame["high"], frame["high"], "mixed")
        return frame.drop(columns=["low", "high"]).astype({"rows": "int64"})

    def as_of(self) -> tuple[date | None, str | None]:
        """The latest stored price date and its source (None, None when empty)."""
        stmt = select(Price.date, Price.source).order_by(Price.date.desc(), Price.source).limit(1)
        with self._sessions() as session:
            row = session.execute(stmt).first()
        return (None, None) if row is None else (row[0], row[1])

    def known_symbols(self, symbols: Sequence[str] | None = None) -> set[str]:
        """Symbols (of `symbols`, or all) that have prices or a profile."""
        prices = select(Price.symbol).distinct()
        profiles = select(Security.symbol)
        if symbols is not None:
            prices = prices.where(Price.symbol.in_(unique(symbols)))
            profiles = profiles.where(Security.symbol.in_(unique(symbols)))
        with self._sessions() as session:
            return set(session.scalars(prices.union(profiles)))

    def profiles(self, symbols: Sequence[str] | None = None) -> pd.DataFrame:
        """Stored profiles (`PROFILE_COLUMNS` + source), one row per symbol.

        A profile stored without an ISIN (providers such as Yahoo give none) shows the reference
        universe's code for its symbol, so a profile refresh never loses ISIN resolution.
        """
        columns = [getattr(Security, c) for c in PROFILE_COLUMNS] + [Security.source]
        stmt = select(*columns).order_by(Security.symbol)
        if symbols is not None:
            stmt = stmt.where(Security.symbol.in_(unique(symbols)))
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        frame = pd.DataFrame(rows, columns=[*PROFILE_COLUMNS, "source"])
        reference = universe_profiles().set_index("symbol")["isin"].dropna()
        filled = frame["isin"].where(frame["isin"].notna(), frame["symbol"].map(reference))
        frame["isin"] = filled.astype(object).where(filled.notna(), None)
        return frame
