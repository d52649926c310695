"""The price store: the `prices` and `securities` tables behind one class.

Conventions: one row per (symbol, business date); prices in the security's currency (USD);
`adj_close` is what returns come from; returns are simple (`P_t / P_{t-1} - 1`), first row
dropped, NaN where either price is missing (no forward fill across gaps). Dates are exchange
dates; wide frames have a DatetimeIndex named "date" and one column per requested symbol.

Writes are idempotent: `upsert_bars` compares the incoming bars with what is stored (one read)
and upserts only rows that are new or differ, so writing the same bars twice writes 0 rows.
Refreshes are incremental (`sigma.market.store.refresh`).

Reads use one query each through ADBC (`sigma.market.store.reader`), and wide frames are cached
in process under a "prices version" key (`sigma.market.store.cache`) that changes whenever
prices may have changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from sigma.conventions import Source
from sigma.db import upsert
from sigma.db.arrow import ArrowReader
from sigma.db.engine import LOCK_RETRIES, write_transaction
from sigma.db.models import Price, Security
from sigma.db.upsert import upsert_frame
from sigma.errors import ProviderUnavailable, UnknownSymbol, ValidationError
from sigma.market.standard import PRICE_FIELDS, PROFILE_COLUMNS, PriceProvider
from sigma.market.store import bars as incoming
from sigma.market.store import frames, reader
from sigma.market.store.cache import FrameCache, VersionProbe
from sigma.market.store.catalog import PriceCatalog
from sigma.market.store.refresh import (
    Deadline,
    Progress,
    RefreshReport,
    fetch_groups,
    missing_ranges,
    plan_groups,
    unique,
)
from sigma.typing import FloatArray

__all__ = ["PriceStore"]

PRICES_TABLE, PRICE_KEY = str(Price.__tablename__), ("symbol", "date")


class PriceStore(PriceCatalog):
    """Daily bars and security profiles in the database, read fast and written idempotently."""

    def __init__(
        self, sessions: sessionmaker[Session], lock_retries: int = LOCK_RETRIES, lock_delay: float = 0.2
    ) -> None:
        super().__init__(sessions)
        self._lock_retries, self._lock_delay = lock_retries, lock_delay
        with sessions() as session:
            engine = session.get_bind().engine
        self._arrow = ArrowReader(engine)
        self._version = VersionProbe(engine)
        self._cache = FrameCache()

    # --- writes -------------------------------------------------------------------------------

    def upsert_bars(self, bars: pd.DataFrame, source: Source) -> int:
        """Write new or changed bars; return the number of rows written (0 when nothing changed)."""
        return int(self._write_bars(bars.assign(source=str(Source(source)))).sum())

    def _write_bars(self, bars: pd.DataFrame) -> pd.Series:
        """Write new or changed rows of `bars` (which carries a source column); rows written per symbol."""
        frame = incoming.clean_bars(bars)
        if frame.empty:
            return pd.Series(dtype="int64")
        first, last = min(frame["date"]), max(frame["date"])
        stored = reader.load(self._arrow, unique(frame["symbol"]), PRICE_FIELDS, first, last, True)
        changed = incoming.changed_rows(frame, stored)
        if changed.empty:
            return pd.Series(dtype="int64")
        rows = incoming.price_frame(changed)
        self._write(lambda session: upsert_frame(session, PRICES_TABLE, rows, PRICE_KEY))
        self._version.bump()
        return changed.groupby("symbol").size()

    def upsert_profiles(self, frame: pd.DataFrame, source: Source | str) -> int:
        """Insert or update security profiles (`PROFILE_COLUMNS`); return rows written."""
        if frame is None or frame.empty:
            return 0
        if "symbol" not in frame.columns or "name" not in frame.columns:
            raise ValidationError(f"Profiles frame lacks symbol/name; expected {', '.join(PROFILE_COLUMNS)}.")
        data = frame.reindex(columns=list(PROFILE_COLUMNS)).drop_duplicates("symbol", keep="last")
        data = data.astype(object).where(data.notna(), None)
        data["asset_class"] = data["asset_class"].fillna("unknown")
        data["source"] = str(source)
        rows = [{str(k): v for k, v in row.items()} for row in data.to_dict("records")]
        table = cast(Table, Security.__table__)
        self._write(lambda session: upsert(session, table, rows, key=("symbol",)))
        return len(rows)

    def _write(self, work: Callable[[Session], object]) -> None:
        """Run `work` in one transaction, retried while another process holds the write lock."""
        write_transaction(self._sessions, work, self._lock_retries, self._lock_delay)

    # --- incremental refresh ------------------------------------------------------------------

    def missing_ranges(self, symbols: Sequence[str], start: date, end: date) -> dict[str, tuple[date, date]]:
        """What to fetch per symbol: (last stored + 1 day, or `start`) to `end`; up-to-date symbols omitted."""
        return missing_ranges(symbols, self.last_dates(symbols), start, end)

    def refresh(
        self,
        provider: PriceProvider,
        symbols: Sequence[str],
        start: date,
        end: date,
        progress: Progress | None = None,
        deadline: Deadline | None = None,
        since: date | None = None,
    ) -> RefreshReport:
        """Fetch what is missing in batched provider calls per start date; write it in one transaction.

        With `since`, every symbol is fetched again from that date (a provider's corrections are
        written; unchanged rows are not). Stops at an unavailable provider or past `deadline`
        (between calls), writing what came before.
        """
        if since is None:
            ranges = self.missing_ranges(symbols, start, end)
        else:
            ranges = {s: (max(start, since), end) for s in unique(symbols) if max(start, since) <= end}
        groups = plan_groups(ranges)
        fetched = fetch_groups(provider, groups, end, progress, deadline)
        written = self._write_bars(fetched.bars) if len(fetched.bars) else pd.Series(dtype="int64")
        warnings = dict(fetched.warnings)
        whole = fetched.unavailable is None and fetched.stopped is None
        profiles = self._sync_missing_profiles(provider, unique(symbols), warnings) if whole else 0
        if progress is not None and whole:
            progress(fetched.calls, fetched.calls, "done")
        rows = {s: int(written.get(s, 0)) for s in unique(symbols)}
        return RefreshReport(
            provider.source,
            tuple(rows),
            rows,
            fetched.errors,
            warnings,
            fetched.unavailable,
            fetched.calls,
            profiles,
            fetched.stopped,
        )

    def _sync_missing_profiles(self, provider: PriceProvider, symbols: list[str], warnings: dict[str, str]) -> int:
        have = set(self.profiles(symbols)["symbol"])
        need = [s for s in symbols if s not in have]
        return self.sync_profiles(provider, need, warnings) if need else 0

    def sync_profiles(
        self, provider: PriceProvider, symbols: Sequence[str], warnings: dict[str, str] | None = None
    ) -> int:
        """Fetch and upsert the profiles of `symbols`; a provider failure becomes a warning."""
        try:
            frame = provider.profiles(list(symbols))
        except ProviderUnavailable as exc:
            if warnings is None:
                raise
            warnings["profiles"] = str(exc)
            return 0
        return self.upsert_profiles(frame, provider.source)

    # --- reads --------------------------------------------------------------------------------

    def close_frame(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None, field: str = "adj_close"
    ) -> pd.DataFrame:
        """Wide prices (dates x symbols, requested order), NaN where a symbol has no price that day."""
        wanted = unique(symbols)
        key = (self._version.key(), field, tuple(wanted), start, end)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        cols = reader.load(self._arrow, wanted, (field,), start, end)
        self._raise_unknown(wanted, cols.seen())
        frame = frames.wide(cols, field, wanted)
        self._cache.put(key, frame)
        return frame

    def returns_frame(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None, field: str = "adj_close"
    ) -> pd.DataFrame:
        """Simple daily returns of `close_frame` (first row dropped, NaN where a price is missing)."""
        frame = self.close_frame(symbols, start, end, field)
        prices = frame.to_numpy()
        returns = prices[1:] / prices[:-1] - 1.0
        return pd.DataFrame(returns, index=frame.index[1:], columns=frame.columns)

    def history(self, symbol: str, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """One symbol's bars (date, open, high, low, close, adj_close, volume, source), oldest first."""
        cols = reader.load(self._arrow, [symbol], PRICE_FIELDS, start, end, with_source=True)
        if not len(cols.codes):
            self._raise_unknown([symbol], set())
        return frames.history_frame(cols, PRICE_FIELDS)

    def latest(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Latest and previous price per symbol: symbol, date, close, adj_close, prev_adj_close, source."""
        wanted = unique(symbols)
        with self._sessions() as session:
            frame = reader.latest_rows(session, wanted)
        self._raise_unknown(wanted, set(frame["symbol"]))
        return frame

    def price_on(self, symbols: Sequence[str], dates: Sequence[date], field: str = "adj_close") -> FloatArray:
        """The `field` price of symbols[i] on or before dates[i] (NaN if none before), vectorised."""
        if len(symbols) != len(dates):
            raise ValidationError("price_on needs one date per symbol.")
        if not len(symbols):
            return np.zeros(0)
        wanted = unique(symbols)
        cols = reader.load(self._arrow, wanted, (field,), None, max(dates))
        self._raise_unknown(wanted, cols.seen())
        code_of = {s: i for i, s in enumerate(wanted)}
        codes = np.array([code_of[s] for s in symbols], dtype=np.int64)
        return frames.asof_values(cols, field, codes, frames.day_numbers(dates))

    def quality(self, as_of: date, stale_after_days: int) -> pd.DataFrame:
        """The data-quality report of every stored symbol (one query)."""
        from sigma.market.quality import quality_report

        cols = reader.load(self._arrow, None, ("adj_close",))
        return quality_report(frames.long_frame(cols, "adj_close"), as_of, stale_after_days)

    def _raise_unknown(self, wanted: Sequence[str], seen: set[str]) -> None:
        absent = [s for s in wanted if s not in seen]
        if absent:
            have = set(self.last_dates(absent))
            unknown = [s for s in absent if s not in have]
            if unknown:
                raise UnknownSymbol(unknown)

    def close(self) -> None:
        """Release the store's dedicated connections and cache."""
        self._version.close()
        self._arrow.close()
        self._cache.clear()
