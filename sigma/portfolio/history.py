"""Portfolio history: equity curve, benchmark curve, and the daily NAV/exposure backfill.

Conventions:

- Returns are time-weighted and net of flows with **end-of-day flows**: a deposit or withdrawal
  F_t booked on date t arrives after the day's market move, so r_t = (NAV_t − F_t) / NAV_{t−1} − 1
  (deposits positive). The first day has no previous NAV: its return is 0 and wealth starts at 1.
- Wealth W_t = Π(1 + r); cumulative return = W − 1; drawdown = W / cummax(W) − 1 (≤ 0).
- Positions count from entry_date **inclusive** to exit_date **exclusive**: on its exit date a
  position is gone (its proceeds are cash) and its realized P&L is booked that day, matching
  `valuation.value_book` (closed when exit_date ≤ as_of). An exit on a non-trading day is booked on
  the next trading day of the grid.
- Prices are forward-filled across missing days. Options are priced with BSM over the
  dates × positions grid using the underlying's trailing 30-day realized vol (floored at 5 %),
  T = calendar days / 365; on and after expiry they are worth intrinsic with no Greeks or exposure.
- Day P&L = Δ Σ unrealized P&L + realized P&L booked that day (so opening at the entry price adds
  MV − cost and closing adds proceeds − previous MV). The first grid day's day P&L is its
  unrealized P&L.
- Dollar Greeks as in `valuation`: theta $ per calendar day, vega $ per vol point, dollar gamma
  per 1 % move.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import numpy as np
import pandas as pd

from sigma.errors import InsufficientHistory
from sigma.portfolio.grid import Grid, date_column, grid_chunks
from sigma.settings import VolSurfaceParams

NAV_COLUMNS = (
    "nav",
    "cash",
    "market_value",
    "long_exposure",
    "short_exposure",
    "gross_exposure",
    "net_exposure",
    "unrealized_pnl",
    "day_pnl",
    "delta_dollars",
    "gamma_dollars",
    "theta_dollars",
    "vega_dollars",
)


def _curve(returns: pd.Series) -> pd.DataFrame:
    """Return, wealth, cumulative return and drawdown from daily returns."""
    wealth = (1.0 + returns).cumprod()
    return pd.DataFrame(
        {
            "return": returns,
            "wealth": wealth,
            "cumulative_return": wealth - 1.0,
            "drawdown": wealth / wealth.cummax() - 1.0,
        }
    )


def equity_curve(snapshots: pd.DataFrame) -> pd.DataFrame:
    """Time-weighted daily returns net of end-of-day flows, wealth, cumulative return, drawdown by date."""
    frame = snapshots.sort_values("date").set_index("date")
    nav = frame["nav"].astype(float)
    flows = frame["flows"].astype(float).fillna(0.0) if "flows" in frame else pd.Series(0.0, index=nav.index)
    returns = ((nav - flows) / nav.shift(1) - 1.0).fillna(0.0)
    return pd.concat([pd.DataFrame({"nav": nav, "flows": flows}), _curve(returns)], axis=1)


def benchmark_curve(close: pd.Series, start: date) -> pd.DataFrame:
    """Close, daily return, wealth (1 at the first date ≥ start), cumulative return and drawdown."""
    prices = close.sort_index()
    prices = prices[pd.to_datetime(prices.index) >= pd.Timestamp(start)].astype(float)
    if prices.empty:
        raise InsufficientHistory(f"No benchmark prices on or after {start}. Run: python -m jobs run market_data")
    returns = prices.pct_change().fillna(0.0)
    return pd.concat([pd.DataFrame({"close": prices}), _curve(returns)], axis=1)


def _nav_sums(g: Grid) -> np.ndarray:
    """Per-date sums of one chunk: market value, long, short, unrealized, realized, delta/gamma/theta/vega $."""
    mv = g.units * g.price
    exposure = g.units * g.delta * g.spot
    columns = (
        mv,
        np.clip(exposure, 0.0, None),
        np.clip(exposure, None, 0.0),
        g.units * (g.price - g.entry),
        g.realized,
        exposure,
        g.units * g.gamma * g.spot**2 / 100.0,
        g.units * g.theta,
        g.units * g.vega,
    )
    return np.stack([c.sum(axis=1) for c in columns], axis=1)


def nav_history(
    positions: pd.DataFrame,
    close_wide: pd.DataFrame,
    cash: float | pd.Series = 0.0,
    *,
    rate: float | pd.Series = 0.0,
    dividend_yields: pd.Series | None = None,
    end: date | None = None,
    surface: VolSurfaceParams | None = None,
) -> pd.DataFrame:
    """Daily NAV, cash, market value, long/short/gross/net exposure, P&L and dollar Greeks by date.

    `close_wide` is dates × symbols (adjusted close; include history before the first entry so the
    option surface's betas are defined; `surface` its parameters); `cash` a balance or a date-indexed balance series;
    `rate` a continuous rate or a date-indexed series of them (see `valuation.rate_from_yield`).
    Positions are valued a chunk at a time and summed, so memory does not grow with the book.
    """
    sums, dates = None, pd.DatetimeIndex([])
    for g in grid_chunks(positions, close_wide, rate, dividend_yields, end, surface=surface):
        sums, dates = (_nav_sums(g) if sums is None else sums + _nav_sums(g)), g.dates
    assert sums is not None  # a book with positions has at least one chunk
    mv, long, short, unrealized, realized, delta, gamma, theta, vega = sums.T
    cash_col = date_column(cash, dates, 0.0)[:, 0]
    return pd.DataFrame(
        {
            "nav": cash_col + mv,
            "cash": cash_col,
            "market_value": mv,
            "long_exposure": long,
            "short_exposure": short,
            "gross_exposure": long - short,
            "net_exposure": long + short,
            "unrealized_pnl": unrealized,
            "day_pnl": np.diff(unrealized, prepend=0.0) + realized,
            "delta_dollars": delta,
            "gamma_dollars": gamma,
            "theta_dollars": theta,
            "vega_dollars": vega,
        },
        index=pd.Index(dates.date, name="date"),
    )


def position_rows(g: Grid, days: Collection[date] | None = None) -> pd.DataFrame:
    """The long rows of one chunk (on `days` only, when given), ordered by (position, date)."""
    keep = np.ones(len(g.dates), bool)
    if days is not None:
        keep = np.isin(g.dates.to_numpy("datetime64[D]"), np.array(sorted(days), dtype="datetime64[D]"))
    cols, rows = np.nonzero(((g.units != 0) & keep[:, None]).T)  # position by position: the key's order
    units = g.units[rows, cols]
    price, spot, delta = g.price[rows, cols], g.spot[rows, cols], g.delta[rows, cols]
    return pd.DataFrame(
        {
            "position_id": g.ids.to_numpy()[cols],
            "date": g.dates.date[rows],
            "price": price,
            "market_value": units * price,
            "exposure": units * delta * spot,
            "unrealized_pnl": units * (price - g.entry[cols]),
            "delta": units * delta,
            "gamma": units * g.gamma[rows, cols],
            "theta": units * g.theta[rows, cols],
            "vega": units * g.vega[rows, cols],
        }
    )


def position_snapshots(
    positions: pd.DataFrame,
    close_wide: pd.DataFrame,
    *,
    rate: float | pd.Series = 0.0,
    dividend_yields: pd.Series | None = None,
    end: date | None = None,
    days: Collection[date] | None = None,
) -> pd.DataFrame:
    """Long frame (position_id, date, price, market_value, exposure, unrealized_pnl, delta, gamma, theta, vega).

    One row per position and trading day it is held (only the `days` given, when given); Greeks
    are position Greeks (× sign × qty × multiplier). Writers that must not hold every row at
    once iterate `grid.grid_chunks` with `position_rows` instead.
    """
    chunks = grid_chunks(positions, close_wide, rate, dividend_yields, end)
    return pd.concat([position_rows(g, days) for g in chunks], ignore_index=True)
