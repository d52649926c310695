"""Live option positions on an asset axis, repriced in full (Black–Scholes–Merton).

Conventions: equal-length arrays, one entry per option; `underlying` holds column positions
of the asset axis; `units` are signed contracts × multiplier; `t_years` in years (calendar
days / 365); rates, vols and dividend yields are annual fractions. `vol` is each option's vol
from the valuation (implied from a market price, else the volatility surface; docs/CONVENTIONS.md);
repricing keeps it per strike (sticky strike) unless `vol_scale` moves it (a VIX shock).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sigma.instruments.options import bsm
from sigma.typing import AnyArray, FloatArray, IntArray


@dataclass(frozen=True)
class OptionBook:
    """Option positions as equal-length arrays; `units` = signed contracts × multiplier."""

    underlying: IntArray  # column positions in `returns`
    spot: FloatArray
    strike: FloatArray
    t_years: FloatArray
    rate: FloatArray
    vol: FloatArray
    kind: AnyArray  # "call" / "put"
    units: FloatArray
    dividend_yield: FloatArray | float = 0.0
    labels: tuple[str, ...] = ()

    def price(self, spot_return: FloatArray | float = 0.0, years: float = 0.0, vol_scale: float = 1.0) -> FloatArray:
        """Unit prices at spot·(1 + spot_return), `years` later, vol × vol_scale (broadcast over rows)."""
        spot = np.asarray(self.spot, dtype=float) * (1.0 + np.asarray(spot_return, dtype=float))
        t = np.asarray(self.t_years, dtype=float) - years
        return bsm(
            spot, self.strike, t, self.rate, np.asarray(self.vol) * vol_scale, self.kind, self.dividend_yield
        ).price

    def pnl(self, spot_return: FloatArray, years: float, vol_scale: float = 1.0) -> FloatArray:
        """P&L per option (rows x options) of full repricing against today's value."""
        change = self.price(spot_return, years, vol_scale) - self.price()
        return np.asarray(change * np.asarray(self.units, dtype=float), dtype=np.float64)

    def delta_exposure(self) -> FloatArray:
        """Dollar delta per option: units × delta × spot."""
        g = bsm(self.spot, self.strike, self.t_years, self.rate, self.vol, self.kind, self.dividend_yield)
        return np.asarray(
            np.asarray(self.units, dtype=float) * g.delta * np.asarray(self.spot, dtype=float), dtype=np.float64
        )
