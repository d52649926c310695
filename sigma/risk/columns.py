"""Column-wise NaN-aware array helpers shared by the return metrics (dates x assets, float64).

Conventions: ±inf is treated as NaN; statistics use each column's own non-NaN rows; a ratio
whose denominator is zero or NaN is NaN, never inf.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigma.typing import FloatArray


def values(frame: pd.DataFrame | pd.Series) -> FloatArray:
    """Float64 2-D copy of the data with ±inf replaced by NaN."""
    x = np.array(frame, dtype=np.float64, ndmin=2, copy=True)
    if isinstance(frame, pd.Series):
        x = x.T
    x[np.isinf(x)] = np.nan
    return x


def safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den with NaN wherever den is zero or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num, dtype=np.float64) / den
    return np.where(np.asarray(den) == 0, np.nan, out)


def nanmean(x: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.nansum(x, axis=0) / np.sum(~np.isnan(x), axis=0), dtype=np.float64)


def nanstd(x: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.sum(~np.isnan(x), axis=0)
        mean = np.nansum(x, axis=0) / n
        ss = np.nansum((x - mean) ** 2, axis=0)
        return np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)


def series(values: FloatArray, frame: pd.DataFrame, name: str) -> pd.Series:
    return pd.Series(values, index=frame.columns, name=name, dtype=np.float64)
