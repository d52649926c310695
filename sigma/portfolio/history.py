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

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import CALENDAR_DAYS
from sigma.errors import InsufficientHistory, UnknownSymbol
from sigma.instruments.options import bsm, intrinsic
from sigma.portfolio.option_vol import rolling_trailing_vol
from sigma.portfolio.valuation import call_put_signs, signed_units

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


@dataclass(frozen=True)
class _Grid:
    """Dates × positions matrices of one book (rows: dates, columns: positions)."""

    dates: pd.DatetimeIndex
    ids: pd.Index
    price: np.ndarray  # per unit (share or option)
    units: np.ndarray  # sign × qty × multiplier where held, else 0
    entry: np.ndarray
    spot: np.ndarray
    delta: np.ndarray  # per unit; 1 for stocks, 0 for expired options
    gamma: np.ndarray
    theta: np.ndarray
    vega: np.ndarray
    realized: np.ndarray  # realized P&L booked on the exit row


def _column(values: float | pd.Series | None, dates: pd.DatetimeIndex, default: float) -> np.ndarray:
    """A per-date column vector (dates × 1) from a scalar or a date-indexed series (forward-filled)."""
    if values is None:
        return np.full((len(dates), 1), default)
    if isinstance(values, pd.Series):
        series = values.set_axis(pd.to_datetime(values.index)).sort_index()
        return series.reindex(series.index.union(dates)).ffill().reindex(dates).fillna(default).to_numpy()[:, None]
    return np.full((len(dates), 1), float(values))


def _dates(book: pd.DataFrame, close: pd.DataFrame, end: date | None) -> pd.DatetimeIndex:
    """Trading days from the earliest entry date to `end` (default: the last close)."""
    index = pd.DatetimeIndex(close.index)
    start = pd.to_datetime(book["entry_date"]).min()
    stop = pd.Timestamp(end) if end is not None else index.max()
    dates = index[(index >= start) & (index <= stop)]
    if dates.empty:
        raise InsufficientHistory(f"No prices between {start:%Y-%m-%d} and {stop:%Y-%m-%d} for this book.")
    return dates


def _option_quotes(
    book: pd.DataFrame,
    spot: np.ndarray,
    vol: np.ndarray,
    dates: pd.DatetimeIndex,
    rate: np.ndarray,
    dividend_yields: pd.Series | None,
) -> tuple[np.ndarray, ...]:
    """Price, delta, gamma, theta, vega per unit over the grid for option columns (BSM broadcast)."""
    expiry = pd.to_datetime(book["expiry"]).to_numpy("datetime64[D]")
    days = (expiry[None, :] - dates.to_numpy("datetime64[D]")[:, None]).astype(float)
    t = days / CALENDAR_DAYS
    q = book["underlying"].map(dividend_yields if dividend_yields is not None else {}).astype(float).fillna(0.0)
    w, strike = call_put_signs(book), book["strike"].to_numpy(float)
    live = t > 0  # expired: intrinsic, no Greeks; the placeholder T keeps bsm away from T <= 0
    greeks = bsm(spot, strike, np.where(live, t, 1.0), rate, vol, w, q.to_numpy())
    price = np.where(live, greeks.price, intrinsic(spot, strike, w))
    return (
        price,
        *(np.where(live, g, 0.0) for g in (greeks.delta, greeks.gamma, greeks.theta_per_day, greeks.vega_per_point)),
    )


def _grid(
    positions: pd.DataFrame,
    close_wide: pd.DataFrame,
    rate: float | pd.Series,
    dividend_yields: pd.Series | None,
    end: date | None,
) -> _Grid:
    """Value every position on every trading day at once (matrix ops; no loop over dates)."""
    book = positions.set_index("id", drop=False) if "id" in positions.columns else positions
    close = close_wide.set_axis(pd.to_datetime(close_wide.index)).sort_index().ffill()
    dates = _dates(book, close, end)
    all_units, is_option = signed_units(book)
    instrument = np.where(is_option, book.get("underlying", book["symbol"]), book["symbol"])
    missing = sorted(set(instrument) - set(close.columns))
    if missing:
        raise UnknownSymbol(missing, "No price history for them. Run: python -m jobs run market_data")
    spot = close[list(instrument)].loc[dates].to_numpy(float)
    price, delta = spot.copy(), np.where(is_option, 0.0, 1.0) * np.ones_like(spot)
    zeros = np.zeros_like(spot)
    gamma, theta, vega = zeros.copy(), zeros.copy(), zeros.copy()
    if is_option.any():
        vol = rolling_trailing_vol(close)[list(instrument[is_option])].loc[dates].to_numpy(float)
        quotes = _option_quotes(
            book[is_option], spot[:, is_option], vol, dates, _column(rate, dates, 0.0), dividend_yields
        )
        for target, values in zip((price, delta, gamma, theta, vega), quotes, strict=True):
            target[:, is_option] = values
    day = dates.to_numpy("datetime64[D]")[:, None]
    entry_date = pd.to_datetime(book["entry_date"]).to_numpy("datetime64[D]")
    exit_date = pd.to_datetime(book["exit_date"]).to_numpy("datetime64[D]")  # NaT: never exits
    held = (day >= entry_date) & ~(day >= exit_date)
    exit_row = np.searchsorted(day[:, 0], exit_date)  # NaT sorts last: row len(dates), dropped below
    realized = np.zeros_like(spot)
    cols = np.flatnonzero(exit_row < len(dates))
    entry = book["entry_price"].to_numpy(float)
    realized[exit_row[cols], cols] = all_units[cols] * (book["exit_price"].to_numpy(float)[cols] - entry[cols])
    return _Grid(
        dates, book.index, price, np.where(held, all_units, 0.0), entry, spot, delta, gamma, theta, vega, realized
    )


def nav_history(
    positions: pd.DataFrame,
    close_wide: pd.DataFrame,
    cash: float | pd.Series = 0.0,
    *,
    rate: float | pd.Series = 0.0,
    dividend_yields: pd.Series | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Daily NAV, cash, market value, long/short/gross/net exposure, P&L and dollar Greeks by date.

    `close_wide` is dates × symbols (adjusted close; include history before the first entry so the
    30-day vol of option underlyings is defined); `cash` a balance or a date-indexed balance series;
    `rate` a continuous rate or a date-indexed series of them (see `valuation.rate_from_yield`).
    """
    g = _grid(positions, close_wide, rate, dividend_yields, end)
    mv = g.units * g.price
    exposure = g.units * g.delta * g.spot
    unrealized = (g.units * (g.price - g.entry)).sum(axis=1)
    day_pnl = np.diff(unrealized, prepend=0.0) + g.realized.sum(axis=1)
    cash_col = _column(cash, g.dates, 0.0)[:, 0]
    long, short = np.clip(exposure, 0.0, None).sum(axis=1), np.clip(exposure, None, 0.0).sum(axis=1)
    out = pd.DataFrame(
        {
            "nav": cash_col + mv.sum(axis=1),
            "cash": cash_col,
            "market_value": mv.sum(axis=1),
            "long_exposure": long,
            "short_exposure": short,
            "gross_exposure": long - short,
            "net_exposure": long + short,
            "unrealized_pnl": unrealized,
            "day_pnl": day_pnl,
            "delta_dollars": exposure.sum(axis=1),
            "gamma_dollars": (g.units * g.gamma * g.spot**2 / 100.0).sum(axis=1),
            "theta_dollars": (g.units * g.theta).sum(axis=1),
            "vega_dollars": (g.units * g.vega).sum(axis=1),
        },
        index=pd.Index(g.dates.date, name="date"),
    )
    return out


def position_snapshots(
    positions: pd.DataFrame,
    close_wide: pd.DataFrame,
    *,
    rate: float | pd.Series = 0.0,
    dividend_yields: pd.Series | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Long frame (position_id, date, price, market_value, exposure, unrealized_pnl, delta, gamma, theta, vega).

    One row per position and trading day it is held; Greeks are position Greeks (× sign × qty × multiplier).
    """
    g = _grid(positions, close_wide, rate, dividend_yields, end)
    held = g.units != 0
    rows, cols = np.nonzero(held)
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
