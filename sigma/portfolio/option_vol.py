"""The volatility an option is priced with when no market premium implies one: the surface's inputs.

Conventions (DOMAIN.md, "Options"; docs/CONVENTIONS.md, "Option volatility surface"): an option
without a market premium is read off the volatility surface (`sigma.instruments.surface`),
whose ATM level per underlying and date comes from the VIX close (^VIX, points) scaled by the
underlying's volatility beta to SPY, or from the underlying's own implied-vol index when one is
stored. The volatility beta is σᵢ / σ_SPY of daily simple returns over the trailing `beta_window`
trading days (pairs where both exist; the OLS beta at perfect correlation, so a low-correlation
name keeps its own volatility), 1.0 below `beta_min_obs` pairs. Where no VIX close
exists yet (a market without ^VIX), options fall back to the underlying's trailing 30-day
realized vol (ddof=1, √252, floored at 5 %), labelled so. `vol_source` says which vol a
position was priced with.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from sigma.conventions import DEFAULT_BENCHMARK, TRADING_DAYS, VIX
from sigma.instruments.surface import atm_levels, forward_moneyness, surface_vol
from sigma.settings import VolSurfaceParams
from sigma.typing import AnyArray, FloatArray

VOL_FLOOR = 0.05


class VolSource(StrEnum):
    """Labels of `vol_source` (shown on screen next to option values)."""

    IMPLIED = "implied from market price"
    SURFACE = "surface"
    REALIZED = "realized 30d (no VIX)"
    FLOOR = "floor 5% (no VIX)"


def trailing_vol(close: pd.DataFrame, window: int = 30) -> pd.Series:
    """Annualized vol of the last `window` daily returns per column (ddof=1), floored at 5 %."""
    returns = close.pct_change().iloc[-window:]
    vol: pd.Series = (returns.std(ddof=1) * np.sqrt(TRADING_DAYS)).clip(lower=VOL_FLOOR)
    return vol


def rolling_trailing_vol(close: pd.DataFrame, window: int = 30) -> pd.DataFrame:
    """Trailing `window`-day realized vol per date, annualized and floored (floor where too short)."""
    vol = close.pct_change().rolling(window, min_periods=window).std(ddof=1) * np.sqrt(TRADING_DAYS)
    floored: pd.DataFrame = vol.clip(lower=VOL_FLOOR).fillna(VOL_FLOOR)
    return floored


def model_vol(
    k: AnyArray, t: AnyArray, short: AnyArray, long: AnyArray, realized: AnyArray, params: VolSurfaceParams
) -> tuple[FloatArray, AnyArray]:
    """Vol and `VolSource` per option without a market premium (arrays broadcast).

    The surface where both ATM levels are finite; else the realized vol floored at 5 % (the floor when NaN).
    """
    fallback = np.where(np.isnan(realized), VOL_FLOOR, np.maximum(realized, VOL_FLOOR))
    on_surface = np.isfinite(short) & np.isfinite(long)
    vol = np.where(on_surface, surface_vol(k, t, short, long, params), fallback)
    label = np.where(fallback > VOL_FLOOR, VolSource.REALIZED, VolSource.FLOOR)
    return np.asarray(vol, dtype=np.float64), np.where(on_surface, VolSource.SURFACE, label).astype(object)


@dataclass(frozen=True)
class SurfaceLevels:
    """Short-end and long-run ATM vols (dates × underlyings, annual; NaN where no VIX close exists),
    the realized fallback (`rolling_trailing_vol`) and the surface's parameters."""

    short: pd.DataFrame
    long: pd.DataFrame
    realized: pd.DataFrame
    params: VolSurfaceParams

    def latest(self) -> tuple[pd.Series, pd.Series]:
        """(short, long) ATM vols per underlying on the last date (empty when there is none)."""
        if self.short.empty:
            return pd.Series(dtype=float), pd.Series(dtype=float)
        return self.short.iloc[-1], self.long.iloc[-1]

    def vol_at(self, symbol: str, row: int, strike: float, spot: float, t: float, rate: float, q: float = 0.0) -> float:
        """σ of one option on `symbol` on the date at position `row` (`model_vol`: surface, else realized)."""
        k = forward_moneyness(strike, spot, t, rate, q)
        short, long, realized = (np.array([f[symbol].iloc[row]]) for f in (self.short, self.long, self.realized))
        vol, _ = model_vol(k, np.asarray(t), short, long, realized, self.params)
        return float(vol[0])


def rolling_vol_beta(returns: pd.DataFrame, market: pd.Series, window: int, min_obs: int) -> pd.DataFrame:
    """Trailing "volatility beta" σᵢ / σ_market per date and column over paired returns (ddof=1 on both);
    NaN below `min_obs` pairs. `market` is on the same dates as `returns` (row for row).

    It is the OLS beta divided by the correlation (the beta at perfect correlation): a bond fund or an
    energy name with a low beta to SPY still has its own volatility, and its options are priced by it.
    """
    both = returns.notna() & market.notna().to_numpy()[:, None]
    x = returns.where(both, 0.0)
    y = pd.DataFrame(np.where(both, market.to_numpy()[:, None], 0.0), index=returns.index, columns=returns.columns)
    n = both.astype(float).rolling(window, min_periods=1).sum()
    sums = {
        name: f.rolling(window, min_periods=1).sum() for name, f in (("x", x), ("y", y), ("xx", x * x), ("yy", y * y))
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        var_x = sums["xx"] - sums["x"] ** 2 / n
        var_y = sums["yy"] - sums["y"] ** 2 / n
        ratio: pd.DataFrame = ((var_x.clip(lower=0.0) / var_y) ** 0.5).where((n >= min_obs) & (var_y > 0))
    return ratio


def surface_levels(close: pd.DataFrame, symbols: Collection[str], params: VolSurfaceParams) -> SurfaceLevels:
    """ATM short-end and long-run vols of `symbols` on every date of `close` (dates × symbols, ffilled).

    `close` should hold ^VIX and SPY beside the underlyings; without ^VIX every level is NaN.
    """
    close, underlyings = close.ffill(), sorted(symbols)
    shape = pd.DataFrame(np.nan, index=close.index, columns=underlyings)
    realized = rolling_trailing_vol(close[underlyings])
    if VIX not in close.columns or not underlyings:
        return SurfaceLevels(shape, shape.copy(), realized, params)
    returns = close[underlyings].pct_change()
    if DEFAULT_BENCHMARK in close.columns:
        market = close[DEFAULT_BENCHMARK].pct_change()
        beta = rolling_vol_beta(returns, market, params.beta_window, params.beta_min_obs)
    else:
        beta = shape.copy()
    own_symbols = dict(params.implied_vol_indices)
    own = pd.DataFrame(
        {u: close[own_symbols[u]] if own_symbols.get(u) in close.columns else np.nan for u in underlyings},
        index=close.index,
    )
    vix = close[VIX].to_numpy(float)[:, None]
    short, long = atm_levels(vix, beta.to_numpy(float), own.to_numpy(float), params)
    missing = np.isnan(vix) & np.isnan(own.to_numpy(float))
    short_frame = pd.DataFrame(np.where(missing, np.nan, short), index=close.index, columns=underlyings)
    long_frame = pd.DataFrame(np.where(missing, np.nan, long), index=close.index, columns=underlyings)
    return SurfaceLevels(short_frame, long_frame, realized, params)
