"""The valuation grid of a book: every position on every trading day, a chunk of positions at a time.

Conventions: see `sigma.portfolio.history` (entry inclusive, exit exclusive, forward-filled
prices, options by BSM with the surface's vol on each date, `option_vol.model_vol`). A chunk holds about
`CHUNK_CELLS` dates × positions cells, so the memory of a valuation does not grow with the book;
the trading days, prices, vols and rates are built once per book and shared by the chunks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import CALENDAR_DAYS
from sigma.errors import InsufficientHistory, UnknownSymbol
from sigma.instruments.options import bsm, intrinsic
from sigma.instruments.surface import forward_moneyness
from sigma.portfolio.option_vol import model_vol, surface_levels
from sigma.portfolio.valuation import call_put_signs, signed_units
from sigma.settings import VolSurfaceParams

CHUNK_CELLS = 250_000  # dates × positions per chunk: about 2 MB per grid matrix, whatever the book's size


@dataclass(frozen=True)
class _Market:
    """What every chunk of one book shares: the trading days, spot prices, vols and rates on them."""

    dates: pd.DatetimeIndex
    close: pd.DataFrame  # forward-filled, on `dates`
    vol: pd.DataFrame  # option underlyings' trailing vol on `dates` (the fallback without a VIX)
    rate: np.ndarray  # dates × 1
    dividend_yields: pd.Series | None
    atm_short: pd.DataFrame  # the surface's ATM levels per underlying on `dates` (NaN: no VIX)
    atm_long: pd.DataFrame
    surface: VolSurfaceParams


@dataclass(frozen=True)
class Grid:
    """Dates × positions matrices of one chunk of a book (rows: dates, columns: positions)."""

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


def date_column(values: float | pd.Series | None, dates: pd.DatetimeIndex, default: float) -> np.ndarray:
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


def _instruments(book: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signed units, is-option mask, the symbol whose close prices each position)."""
    units, is_option = signed_units(book)
    return units, is_option, np.where(is_option, book.get("underlying", book["symbol"]), book["symbol"])


def _market(
    book: pd.DataFrame,
    close: pd.DataFrame,
    dates: pd.DatetimeIndex,
    rate: np.ndarray,
    yields: pd.Series | None,
    surface: VolSurfaceParams,
) -> _Market:
    """The book's prices, vols and rates on its trading days (once per book, not per chunk)."""
    _, is_option, instrument = _instruments(book)
    missing = sorted(set(instrument) - set(close.columns))
    if missing:
        raise UnknownSymbol(missing, "No price history for them. Run: python -m jobs run market_data")
    underlyings = sorted(set(instrument[is_option]))
    levels = surface_levels(close, underlyings, surface)
    vol, atm = levels.realized.loc[dates], (levels.short.loc[dates], levels.long.loc[dates])
    return _Market(dates, close[sorted(set(instrument))].loc[dates], vol, rate, yields, *atm, surface)


def _option_quotes(book: pd.DataFrame, spot: np.ndarray, under: list[str], m: _Market) -> tuple[np.ndarray, ...]:
    """Price, delta, gamma, theta, vega per unit over the grid for option columns (BSM broadcast)."""
    expiry = pd.to_datetime(book["expiry"]).to_numpy("datetime64[D]")
    days = (expiry[None, :] - m.dates.to_numpy("datetime64[D]")[:, None]).astype(float)
    t = days / CALENDAR_DAYS
    yields = m.dividend_yields if m.dividend_yields is not None else pd.Series(dtype=float)
    q = book["underlying"].map(yields).astype(float).fillna(0.0)
    w, strike = call_put_signs(book), book["strike"].to_numpy(float)
    realized, short, long = (f[under].to_numpy(float) for f in (m.vol, m.atm_short, m.atm_long))
    k = forward_moneyness(strike, spot, t, m.rate, q.to_numpy())
    vol, _ = model_vol(k, t, short, long, realized, m.surface)
    live = t > 0  # expired: intrinsic, no Greeks; the placeholder T keeps bsm away from T <= 0
    greeks = bsm(spot, strike, np.where(live, t, 1.0), m.rate, vol, w, q.to_numpy())
    price = np.where(live, greeks.price, intrinsic(spot, strike, w))
    return (
        price,
        *(np.where(live, g, 0.0) for g in (greeks.delta, greeks.gamma, greeks.theta_per_day, greeks.vega_per_point)),
    )


def _grid(book: pd.DataFrame, m: _Market) -> Grid:
    """Value every position of `book` (a chunk) on every trading day at once (matrix ops; no loop over dates)."""
    all_units, is_option, instrument = _instruments(book)
    spot = m.close[list(instrument)].to_numpy(float)
    price, delta = spot.copy(), np.where(is_option, 0.0, 1.0) * np.ones_like(spot)
    zeros = np.zeros_like(spot)
    gamma, theta, vega = zeros.copy(), zeros.copy(), zeros.copy()
    if is_option.any():
        quotes = _option_quotes(book[is_option], spot[:, is_option], list(instrument[is_option]), m)
        for target, values in zip((price, delta, gamma, theta, vega), quotes, strict=True):
            target[:, is_option] = values
    day = m.dates.to_numpy("datetime64[D]")[:, None]
    entry_date = pd.to_datetime(book["entry_date"]).to_numpy("datetime64[D]")
    exit_date = pd.to_datetime(book["exit_date"]).to_numpy("datetime64[D]")  # NaT: never exits
    held = (day >= entry_date) & ~(day >= exit_date)
    exit_row = np.searchsorted(day[:, 0], exit_date)  # NaT sorts last: row len(dates), dropped below
    realized = np.zeros_like(spot)
    cols = np.flatnonzero(exit_row < len(m.dates))
    entry = book["entry_price"].to_numpy(float)
    realized[exit_row[cols], cols] = all_units[cols] * (book["exit_price"].to_numpy(float)[cols] - entry[cols])
    return Grid(
        m.dates, book.index, price, np.where(held, all_units, 0.0), entry, spot, delta, gamma, theta, vega, realized
    )


def grid_chunks(
    positions: pd.DataFrame,
    close_wide: pd.DataFrame,
    rate: float | pd.Series,
    dividend_yields: pd.Series | None,
    end: date | None,
    only: Collection[date] | None = None,
    surface: VolSurfaceParams | None = None,
) -> Iterator[Grid]:
    """The book's grid, a chunk of positions at a time (memory bounded by CHUNK_CELLS, not the book's size).

    `only` keeps those trading days alone (a valuation on a few dates; its `realized` is then not
    meaningful, since exits between the kept days fall on no row).
    """
    book = positions.set_index("id", drop=False) if "id" in positions.columns else positions
    close = close_wide.set_axis(pd.to_datetime(close_wide.index)).sort_index().ffill()
    dates = _dates(book, close, end)
    if only is not None:
        dates = dates[dates.isin(pd.to_datetime(list(only)))]
        if dates.empty:
            return
    m = _market(book, close, dates, date_column(rate, dates, 0.0), dividend_yields, surface or VolSurfaceParams())
    step = max(1, CHUNK_CELLS // len(m.dates))
    for first in range(0, len(book), step):  # a loop over chunks of positions, never over dates
        yield _grid(book.iloc[first : first + step], m)
