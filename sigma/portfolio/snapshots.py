"""Daily portfolio and position snapshots computed from the stored prices (pure: no I/O here).

Conventions (see `sigma.portfolio.history` for the valuation grid):

- The grid is every price date from the portfolio's earliest entry date to the latest stored
  price; `unsaved` values the whole grid (vectorised, a chunk of positions at a time) and keeps
  the days that have no stored portfolio snapshot; their position rows are valued on demand
  (`UnsavedPositions`), so memory does not grow with days × positions. The jobs process writes
  those (`sql.snapshots.backfill`, so a second run writes nothing); a page read merges them in
  memory (`with_unsaved`), with the same numbers. Writes that change the book delete the
  snapshots from the changed date on (`sql.snapshots.invalidate_snapshots`).
- Cash on date d = current cash − Σ cash flows dated after d (flows are end-of-day).
- `flows` (what the time-weighted return nets out) = deposits and withdrawals, plus the cost of
  positions entered that day (signed units × entry price), minus the proceeds of positions
  exited that day (signed units × exit price): positions are recorded without moving cash, so
  an entry brings its cost into the book and an exit takes its proceeds out. Dividends are
  income, not flows. A flow on a non-trading day is booked on the next grid day.
- The rate is ^IRX as a continuous rate (`valuation.rate_from_yield`) when stored, else 0;
  dividend yields (fractions) come from the stored profiles.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sigma.portfolio.grid import grid_chunks
from sigma.portfolio.history import NAV_COLUMNS, nav_history, position_rows
from sigma.portfolio.inputs import BookRecord, PriceInputs
from sigma.portfolio.valuation import signed_units

VOL_LEAD_CALENDAR_DAYS = 60  # prices before the first entry, for the 30-day vol of underlyings
SNAPSHOT_COLUMNS = ("date", *NAV_COLUMNS, "flows", "source")
WINDOW_COLUMNS = ("position_id", "date", "unrealized_pnl")


def _cash_series(cash_now: float, flows: pd.DataFrame, start: date) -> pd.Series:
    """Cash balance by date: cash_now − Σ flows dated after each date (a point before `start` too)."""
    by_day = flows.groupby("date")["amount"].sum().sort_index() if len(flows) else pd.Series(dtype=float)
    after = by_day[::-1].cumsum()[::-1].shift(-1, fill_value=0.0)
    first = min([start, *by_day.index]) - timedelta(days=1)
    series = pd.concat([pd.Series({first: cash_now - float(by_day.sum())}), cash_now - after])
    return series.set_axis(pd.to_datetime(series.index))


def _grid_flows(book: pd.DataFrame, flows: pd.DataFrame, days: pd.DatetimeIndex) -> np.ndarray:
    """External flows per grid day: deposits/withdrawals + entry costs − exit proceeds."""
    units, _ = signed_units(book)
    external = flows[flows["kind"] != "dividend"] if len(flows) else flows
    dates = [pd.to_datetime(external["date"]), pd.to_datetime(book["entry_date"]), pd.to_datetime(book["exit_date"])]
    amounts = [
        external["amount"].to_numpy(float),
        units * book["entry_price"].to_numpy(float),
        -units * book["exit_price"].to_numpy(float),
    ]
    when = np.concatenate([d.to_numpy("datetime64[ns]") for d in dates])
    amount = np.concatenate(amounts)
    row = np.searchsorted(days.to_numpy("datetime64[ns]"), when)  # first grid day on or after; NaT sorts last
    keep = (row < len(days)) & ~np.isnan(amount)
    return np.bincount(row[keep], weights=amount[keep], minlength=len(days))


def _nav_days(book: pd.DataFrame, cash_now: float, flows: pd.DataFrame, prices: PriceInputs) -> pd.DataFrame:
    """Daily portfolio snapshots over the whole grid; days without prices dropped."""
    start = min(book["entry_date"])
    cash = _cash_series(cash_now, flows, start)
    nav = nav_history(book, prices.close, cash, rate=prices.rate, dividend_yields=prices.dividend_yields)
    nav["flows"] = _grid_flows(book, flows, pd.DatetimeIndex(pd.to_datetime(nav.index)))
    finite: pd.DataFrame = nav[np.isfinite(nav["nav"].to_numpy(float))]
    return finite


@dataclass(frozen=True)
class UnsavedPositions:
    """The position snapshots of the unsaved days, valued on demand a chunk of positions at a time.

    Nothing the size of days × positions is held: `chunks` yields frames of at most about
    `grid.CHUNK_CELLS` rows (the backfill writes them one by one), `since` the rows a window needs.
    """

    book: pd.DataFrame
    prices: PriceInputs
    days: tuple[date, ...]

    def __len__(self) -> int:
        return len(self.days)

    def chunks(self, since: date | None = None) -> Iterator[pd.DataFrame]:
        """Row frames (POSITION_COLUMNS) of the unsaved days from `since` on, positions with a price."""
        wanted = [d for d in self.days if since is None or d >= since]
        if not wanted:
            return
        p = self.prices
        for g in grid_chunks(self.book, p.close, p.rate, p.dividend_yields, None):
            rows = position_rows(g, wanted)
            yield rows[np.isfinite(rows["price"].to_numpy(float))]

    def since(self, first: date | None) -> pd.DataFrame:
        """All rows of the unsaved days from `first` on, in one frame."""
        frames = list(self.chunks(first))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=list(WINDOW_COLUMNS))


def unsaved(
    record: BookRecord, prices: PriceInputs, stored: Collection[date], source: str
) -> tuple[pd.DataFrame, UnsavedPositions]:
    """(portfolio rows, position rows) of the grid days without a stored snapshot (InsufficientHistory passes)."""
    nav = _nav_days(record.positions, record.cash, record.flows, prices)
    missing = nav.index[~nav.index.isin(list(stored))]
    days = nav.loc[missing].reset_index().assign(source=source)
    return days, UnsavedPositions(record.positions, prices, tuple(missing))


def behind(snapshots: pd.DataFrame, positions: pd.DataFrame, prices: PriceInputs) -> bool:
    """True when there are positions and the snapshots stop before the latest price date."""
    if prices.close.empty:
        return False
    last = prices.close.index.max().date()
    first_entry = min(positions["entry_date"])
    return bool(first_entry <= last and (snapshots.empty or snapshots["date"].iloc[-1] < last))


def with_unsaved(stored: pd.DataFrame, days: pd.DataFrame) -> pd.DataFrame:
    """The stored snapshots and the computed unsaved days, oldest first, as `load_snapshots` reads them."""
    if days.empty:
        return stored
    merged = pd.concat([stored, days[list(SNAPSHOT_COLUMNS)]], ignore_index=True) if len(stored) else days
    merged = merged[list(SNAPSHOT_COLUMNS)].sort_values("date", kind="stable").reset_index(drop=True)
    return merged.astype({c: "float64" for c in (*NAV_COLUMNS, "flows")})


def window_start(snapshots: pd.DataFrame, days: int) -> date | None:
    """The first snapshot date of an attribution window of `days` returns (None without snapshots)."""
    if snapshots.empty:
        return None
    first: date = snapshots["date"].iloc[max(0, len(snapshots) - 1 - days)]
    return first


def window_with_unsaved(
    stored: pd.DataFrame, unsaved_rows: pd.DataFrame | UnsavedPositions, first: date | None
) -> pd.DataFrame:
    """The stored position snapshots of the attribution window and the unsaved ones from `first` on."""
    if first is None or not len(unsaved_rows):
        return stored
    if isinstance(unsaved_rows, UnsavedPositions):
        computed = unsaved_rows.since(first)
    else:
        computed = unsaved_rows[unsaved_rows["date"] >= first]
    if computed.empty:
        return stored
    rows = computed[list(WINDOW_COLUMNS)].astype({"unrealized_pnl": "float64"})
    return pd.concat([stored, rows], ignore_index=True) if len(stored) else rows.reset_index(drop=True)
