"""The volatility an option is priced with when no market premium implies one.

Conventions (DOMAIN.md, "Options"): the underlying's trailing 30-day realized vol of daily
simple returns (ddof=1), annualized with √252 and floored at 5 %; `vol_source` says which vol a
position was priced with. Not `sigma.risk.volatility.realized_vol`, which is unfloored and
measures risk.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd

from sigma.conventions import TRADING_DAYS

VOL_FLOOR = 0.05


class VolSource(StrEnum):
    """Labels of `vol_source` (shown on screen next to option values)."""

    IMPLIED = "implied"
    REALIZED = "realized 30d"
    FLOOR = "floor 5%"


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
