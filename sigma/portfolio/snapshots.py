"""Daily portfolio snapshots, and positions valued on chosen days, from the stored prices (pure: no I/O here).

Conventions (see `sigma.portfolio.history` for the valuation grid):

- The grid is every price date from the portfolio's earliest entry date to the latest stored
  price; `unsaved` values the whole grid (vectorised, a chunk of positions at a time) and keeps
  the days that have no stored portfolio snapshot. The jobs process writes those
  (`sql.snapshots.backfill`, so a second run writes nothing); a page read merges them in memory
  (`with_unsaved`), with the same numbers. Writes that change the book delete the snapshots from
  the changed date on (`sql.snapshots.invalidate_snapshots`).
- Position history is derived, not stored: a position's value on any day follows from its
  record and that day's prices, so the attribution window values the positions on its first and
  last day only (`window_rows`, via `positions_on`). Storing every position on every day cost
  days × positions rows (4 million for a 20,000-position book) for two of them ever being read.
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

from collections.abc import Collection
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sigma.portfolio.grid import grid_chunks
from sigma.portfolio.history import NAV_COLUMNS, nav_history, position_rows
from sigma.portfolio.inputs import BookRecord, PriceInputs
from sigma.portfolio.valuation import signed_units

VOL_LEAD_CALENDAR_DAYS = 380  # prices before the first entry, for the option surface's 252-day betas
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
    nav = nav_history(
        book, prices.close, cash, rate=prices.rate, dividend_yields=prices.dividend_yields, surface=prices.surface
    )
    nav["flows"] = _grid_flows(book, flows, pd.DatetimeIndex(pd.to_datetime(nav.index)))
    finite: pd.DataFrame = nav[np.isfinite(nav["nav"].to_numpy(float))]
    return finite


def positions_on(book: pd.DataFrame, prices: PriceInputs, days: Collection[date]) -> pd.DataFrame:
    """Position rows (`history.position_rows` columns) on `days` alone, for positions with a price there.

    Values only those days (a few grid rows per chunk of positions), so the cost does not grow
    with the length of the history.
    """
    if not days:
        return pd.DataFrame(columns=list(WINDOW_COLUMNS))
    p = prices
    chunks = grid_chunks(book, p.close, p.rate, p.dividend_yields, None, only=days, surface=p.surface)
    frames = [position_rows(g) for g in chunks]
    if not frames:
        return pd.DataFrame(columns=list(WINDOW_COLUMNS))
    rows = pd.concat(frames, ignore_index=True)
    priced: pd.DataFrame = rows[np.isfinite(rows["price"].to_numpy(float))].reset_index(drop=True)
    return priced


def unsaved(record: BookRecord, prices: PriceInputs, stored: Collection[date], source: str) -> pd.DataFrame:
    """The portfolio rows of the grid days without a stored snapshot (InsufficientHistory passes)."""
    nav = _nav_days(record.positions, record.cash, record.flows, prices)
    missing = nav.index[~nav.index.isin(list(stored))]
    return nav.loc[missing].reset_index().assign(source=source)


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


def window_rows(book: pd.DataFrame, prices: PriceInputs, snapshots: pd.DataFrame, days: int) -> pd.DataFrame:
    """Position rows (WINDOW_COLUMNS) on the first and last day of an attribution window of `days`
    returns, valued from the prices (empty without snapshots); `view.tables.window_pnl` reads them."""
    first = window_start(snapshots, days)
    if first is None:
        return pd.DataFrame(columns=list(WINDOW_COLUMNS))
    last: date = snapshots["date"].iloc[-1]
    rows = positions_on(book, prices, {first, last})
    return rows.reindex(columns=list(WINDOW_COLUMNS)).astype({"unrealized_pnl": "float64"})
