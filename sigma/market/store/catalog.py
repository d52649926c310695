"""What the store holds: last dates, coverage, the as-of date, known symbols, security profiles.

Each answer is one query through the ORM; `PriceStore` builds on this class.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.db.models import Price, Security
from sigma.market.standard import PROFILE_COLUMNS
from sigma.market.store.refresh import unique
from sigma.market.universe import universe_profiles


class PriceCatalog:
    """Metadata of the `prices` and `securities` tables."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def last_dates(self, symbols: Sequence[str] | None = None) -> dict[str, date]:
        """The last stored date per symbol (symbols without prices are absent)."""
        stmt = select(Price.symbol, func.max(Price.date)).group_by(Price.symbol)
        if symbols is not None:
            stmt = stmt.where(Price.symbol.in_(unique(symbols)))
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
