"""The price store: the `prices` and `securities` tables behind one class.

Conventions: one row per (symbol, business date); prices in the security's currency (USD);
`adj_close` is what returns come from; returns are simple (`P_t / P_{t-1} - 1`), first row
dropped, NaN where either price is missing (no forward fill across gaps). Dates are exchange
dates; wide frames have a DatetimeIndex named "date" and one column per requested symbol.

Writes are idempotent: `upsert_bars` compares the incoming bars with what is stored (one read)
and upserts only rows that are new or differ, so writing the same bars twice writes 0 rows.

Incremental fetch (`missing_ranges`, `refresh`): for each symbol, fetch from the day after its
last stored date (or from `start` if nothing is stored, or if that is later) to `end`; symbols
stored up to `end` are skipped. Symbols sharing a start date form one batched provider call, so
a daily update is one call. Earlier history than the first stored date is not back-filled.
If the provider raises `ProviderUnavailable`, nothing is written and existing prices stay.

Reads use one query each (see `sigma.market.store.columnar`), and wide frames are cached in process
under a "prices version" key (documented there) that changes whenever prices may have changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.conventions import Source
from sigma.db import session_scope, upsert, with_lock_retry
from sigma.db.engine import LOCK_RETRIES
from sigma.db.models import Price, Security
from sigma.errors import ProviderUnavailable, UnknownSymbol, ValidationError
from sigma.market.providers.base import BAR_COLUMNS, PROFILE_COLUMNS, PriceProvider
from sigma.market.store import columnar

__all__ = ["PriceStore", "RefreshReport"]

Progress = Callable[[int, int, str], None]
REQUIRED = ("symbol", "date", "close", "adj_close")
VALUE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")


def _unique(symbols: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(symbols))


@dataclass(frozen=True)
class RefreshReport:
    """What an incremental refresh did: rows written per symbol, provider errors as values."""

    source: Source
    symbols: tuple[str, ...]
    rows: Mapping[str, int] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)
    warnings: Mapping[str, str] = field(default_factory=dict)
    unavailable: str | None = None  # the provider's message when it could not be reached at all
    calls: int = 0
    profiles_written: int = 0

    @property
    def rows_written(self) -> int:
        """Total rows written."""
        return sum(self.rows.values())

    @property
    def failed(self) -> bool:
        """True when the provider was unavailable (nothing written)."""
        return self.unavailable is not None

    def summary(self) -> str:
        """One line for the jobs log and the Admin page."""
        if self.unavailable is not None:
            return f"Provider unavailable, nothing written; existing prices kept ({self.unavailable})"
        fetched = sum(1 for n in self.rows.values() if n)
        text = f"{self.rows_written} rows written for {fetched} of {len(self.symbols)} symbols ({self.source})"
        return text + (f"; {len(self.errors)} failed: {', '.join(sorted(self.errors))}" if self.errors else "")


def plan_groups(ranges: Mapping[str, tuple[date, date]]) -> list[tuple[date, list[str]]]:
    """Symbols grouped by their first missing date, oldest first (one provider call per group)."""
    groups: dict[date, list[str]] = {}
    for symbol, (first, _end) in ranges.items():
        groups.setdefault(first, []).append(symbol)
    return sorted(groups.items())


def clean_bars(bars: pd.DataFrame) -> pd.DataFrame:
    """Validate a bars frame and return it typed: dates as `date`, rows without a close dropped."""
    missing = [c for c in REQUIRED if c not in bars.columns]
    if missing:
        raise ValidationError(f"Bars frame lacks columns {missing}; expected {', '.join(BAR_COLUMNS)}.")
    frame = bars.reindex(columns=[*BAR_COLUMNS, "source"]).copy()
    frame["symbol"] = frame["symbol"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    for column in VALUE_COLUMNS:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    frame = frame.dropna(subset=["close", "adj_close"])
    return frame.drop_duplicates(["symbol", "date"], keep="last").reset_index(drop=True)


class PriceStore:
    """Daily bars and security profiles in the database, read fast and written idempotently."""

    def __init__(
        self, sessions: sessionmaker[Session], lock_retries: int = LOCK_RETRIES, lock_delay: float = 0.2
    ) -> None:
        self._sessions = sessions
        self._lock_retries, self._lock_delay = lock_retries, lock_delay
        with sessions() as session:
            bind = session.get_bind()
        self._engine = bind.engine
        self._version = columnar.VersionProbe(self._engine)
        self._cache = columnar.FrameCache()

    # --- writes -------------------------------------------------------------------------------

    def upsert_bars(self, bars: pd.DataFrame, source: Source) -> int:
        """Write new or changed bars; return the number of rows written (0 when nothing changed)."""
        return int(self._write_bars(bars.assign(source=str(Source(source)))).sum())

    def _write_bars(self, bars: pd.DataFrame) -> pd.Series:
        """Write new or changed rows of `bars` (which carries a source column); rows written per symbol."""
        frame = clean_bars(bars)
        changed = self._changed_rows(frame)
        if changed.empty:
            return pd.Series(dtype="int64")
        rows = _bar_records(changed)

        def work() -> None:
            with session_scope(self._sessions) as session:
                _upsert_prices(session, rows)

        with_lock_retry(work, self._lock_retries, self._lock_delay)
        self._version.bump()
        return changed.groupby("symbol").size()

    def _changed_rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Rows of `frame` that are not stored yet or differ from the stored row (NaN == NaN)."""
        if frame.empty:
            return frame
        symbols = _unique(frame["symbol"])
        stored = columnar.load(self._engine, symbols, VALUE_COLUMNS, min(frame["date"]), max(frame["date"]), True)
        incoming = pd.MultiIndex.from_arrays([frame["symbol"], np.asarray(frame["date"], dtype="datetime64[D]")])
        existing = pd.MultiIndex.from_arrays([np.asarray(stored.symbols, dtype=object)[stored.codes], stored.dates()])
        where = existing.get_indexer(incoming)
        found = where >= 0
        same = found.copy()
        for column in VALUE_COLUMNS:  # six columns, each compared for every row at once
            new = frame[column].to_numpy(np.float64)[found]
            old = stored.values[column][where[found]]
            same[found] &= (new == old) | (np.isnan(new) & np.isnan(old))
        if stored.sources is not None:
            same[found] &= stored.sources[where[found]] == frame["source"].to_numpy(object)[found]
        return frame.loc[~same]

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
        rows: list[dict[str, Any]] = data.to_dict("records")  # type: ignore[assignment]

        def work() -> None:
            with session_scope(self._sessions) as session:
                upsert(session, Security.__table__, rows, key=("symbol",))  # type: ignore[arg-type]

        with_lock_retry(work, self._lock_retries, self._lock_delay)
        return len(rows)

    # --- incremental refresh ------------------------------------------------------------------

    def missing_ranges(self, symbols: Sequence[str], start: date, end: date) -> dict[str, tuple[date, date]]:
        """What to fetch per symbol: (last stored + 1 day, or `start`) to `end`; up-to-date symbols omitted."""
        last = self.last_dates(symbols)
        ranges: dict[str, tuple[date, date]] = {}
        for symbol in _unique(symbols):  # a dict per symbol is the result; no I/O in the loop
            first = start if symbol not in last else max(start, last[symbol] + timedelta(days=1))
            if first <= end:
                ranges[symbol] = (first, end)
        return ranges

    def refresh(
        self, provider: PriceProvider, symbols: Sequence[str], start: date, end: date, progress: Progress | None = None
    ) -> RefreshReport:
        """Fetch what is missing, one batched provider call per start date; write it in one transaction."""
        ranges = self.missing_ranges(symbols, start, end)
        groups = plan_groups(ranges)
        frames: list[pd.DataFrame] = []
        errors: dict[str, str] = {}
        warnings: dict[str, str] = {}
        for done, (first, group) in enumerate(groups, start=1):  # one provider call per distinct start date
            if progress is not None:
                progress(done - 1, len(groups), f"fetching {len(group)} symbols from {first:%Y-%m-%d}")
            try:
                result = provider.fetch_bars(group, first, end)
            except ProviderUnavailable as exc:
                return RefreshReport(provider.source, tuple(_unique(symbols)), unavailable=str(exc), calls=done)
            frames.append(result.bars.assign(source=str(result.source)))
            errors.update(result.errors)
            warnings.update(result.warnings)
        bars = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*BAR_COLUMNS, "source"])
        written = self._write_bars(bars) if len(bars) else pd.Series(dtype="int64")
        profiles = self._sync_missing_profiles(provider, _unique(symbols), warnings)
        if progress is not None:
            progress(len(groups), len(groups), "done")
        rows = {s: int(written.get(s, 0)) for s in _unique(symbols)}
        return RefreshReport(provider.source, tuple(rows), rows, errors, warnings, None, len(groups), profiles)

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

    # --- metadata -----------------------------------------------------------------------------

    def last_dates(self, symbols: Sequence[str] | None = None) -> dict[str, date]:
        """The last stored date per symbol (symbols without prices are absent)."""
        stmt = select(Price.symbol, func.max(Price.date)).group_by(Price.symbol)
        if symbols is not None:
            stmt = stmt.where(Price.symbol.in_(_unique(symbols)))
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
            prices = prices.where(Price.symbol.in_(_unique(symbols)))
            profiles = profiles.where(Security.symbol.in_(_unique(symbols)))
        with self._sessions() as session:
            return set(session.scalars(prices.union(profiles)))

    def profiles(self, symbols: Sequence[str] | None = None) -> pd.DataFrame:
        """Stored profiles (`PROFILE_COLUMNS` + source), one row per symbol."""
        columns = [getattr(Security, c) for c in PROFILE_COLUMNS] + [Security.source]
        stmt = select(*columns).order_by(Security.symbol)
        if symbols is not None:
            stmt = stmt.where(Security.symbol.in_(_unique(symbols)))
        with self._sessions() as session:
            rows = session.execute(stmt).all()
        return pd.DataFrame(rows, columns=[*PROFILE_COLUMNS, "source"])

    # --- reads --------------------------------------------------------------------------------

    def close_frame(
        self, symbols: Sequence[str], start: date | None = None, end: date | None = None, field: str = "adj_close"
    ) -> pd.DataFrame:
        """Wide prices (dates x symbols, requested order), NaN where a symbol has no price that day."""
        wanted = _unique(symbols)
        version = self._version.key()
        key = (version, field, tuple(wanted), start, end)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        cols = columnar.load(self._engine, wanted, (field,), start, end)
        self._raise_unknown(wanted, set(np.asarray(cols.symbols, dtype=object)[np.unique(cols.codes)]))
        frame = columnar.wide(cols, field, wanted)
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

    def _raise_unknown(self, wanted: Sequence[str], seen: set[str]) -> None:
        absent = [s for s in wanted if s not in seen]
        if absent:
            have = set(self.last_dates(absent))
            unknown = [s for s in absent if s not in have]
            if unknown:
                raise UnknownSymbol(unknown)

    def history(self, symbol: str, start: date | None = None, end: date | None = None) -> pd.DataFrame:
        """One symbol's bars (date, open, high, low, close, adj_close, volume, source), oldest first."""
        cols = columnar.load(self._engine, [symbol], VALUE_COLUMNS, start, end, with_source=True)
        if not len(cols.codes):
            self._raise_unknown([symbol], set())
        order = np.argsort(cols.days, kind="stable")
        frame = pd.DataFrame({c: cols.values[c][order] for c in VALUE_COLUMNS})
        frame.insert(0, "date", pd.DatetimeIndex(cols.dates()[order]).date)
        frame["source"] = cols.sources[order] if cols.sources is not None else None
        return frame

    def latest(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Latest and previous price per symbol: symbol, date, close, adj_close, prev_adj_close, source."""
        wanted = _unique(symbols)
        with self._sessions() as session:
            frame = columnar.latest_rows(session, wanted)
        self._raise_unknown(wanted, set(frame["symbol"]))
        return frame

    def price_on(self, symbols: Sequence[str], dates: Sequence[date], field: str = "adj_close") -> np.ndarray:
        """The `field` price of symbols[i] on or before dates[i] (NaN if none before), vectorised."""
        if len(symbols) != len(dates):
            raise ValidationError("price_on needs one date per symbol.")
        if not len(symbols):
            return np.zeros(0)
        wanted = _unique(symbols)
        cols = columnar.load(self._engine, wanted, (field,), None, max(dates))
        self._raise_unknown(wanted, set(np.asarray(cols.symbols, dtype=object)[np.unique(cols.codes)]))
        code_of = {s: i for i, s in enumerate(wanted)}
        codes = np.array([code_of[s] for s in symbols], dtype=np.int64)
        days = (np.array(dates, dtype="datetime64[D]") - columnar.EPOCH).astype(np.int64)
        return columnar.asof_values(cols, field, codes, days)

    def quality(self, as_of: date, stale_after_days: int) -> pd.DataFrame:
        """The data-quality report of every stored symbol (one query)."""
        from sigma.market.quality import quality_report

        cols = columnar.load(self._engine, None, ("adj_close",))
        frame = pd.DataFrame(
            {
                "symbol": np.asarray(cols.symbols, dtype=object)[cols.codes],
                "date": cols.dates(),
                "adj_close": cols.values["adj_close"],
            }
        )
        return quality_report(frame, as_of, stale_after_days)

    def close(self) -> None:
        """Release the store's dedicated connection and cache."""
        self._version.close()
        self._cache.clear()


def _bar_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows for the upsert: None for missing values, volume as int."""
    columns: dict[str, list[Any]] = {"symbol": frame["symbol"].tolist(), "date": frame["date"].tolist()}
    for name in VALUE_COLUMNS:
        values = frame[name].to_numpy(np.float64)
        kind = np.int64 if name == "volume" else np.float64
        cells = np.where(np.isnan(values), 0, values).astype(kind).astype(object)
        cells[np.isnan(values)] = None
        columns[name] = cells.tolist()
    columns["source"] = frame["source"].astype(str).tolist()
    return [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _upsert_prices(session: Session, rows: list[dict[str, Any]]) -> None:
    """ON CONFLICT (symbol, date) DO UPDATE of the value columns and the source."""
    upsert(session, cast(Table, Price.__table__), rows, ("symbol", "date"), update=(*VALUE_COLUMNS, "source"))
