"""Correlation matrices and pairs from stored prices (no portfolio needed).

Conventions: correlation windows are calendar spans ending at the last price date, keyed by the
labels of `sigma.conventions.WINDOWS` (3M, 1Y, 3Y), or a custom (start, end). A symbol with
fewer than `MIN_OVERLAP` returns in the window is dropped from the matrix with the reason, as
are symbols with no variation. The pair view's rolling correlation spans `ROLLING` days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import numpy as np
import pandas as pd

from sigma.conventions import WINDOWS
from sigma.errors import InsufficientHistory, ValidationError
from sigma.risk.correlation import correlation_matrix, rolling_correlation
from sigma.risk.view.base import RiskView

CORRELATION_WINDOWS = {"3M": pd.DateOffset(months=3), "1Y": pd.DateOffset(years=1), "3Y": pd.DateOffset(years=3)}
assert set(CORRELATION_WINDOWS) <= set(WINDOWS), "correlation windows use the labels of the one window table"
MIN_OVERLAP = 60
ROLLING = 60
Window = str | tuple[date, date]


@dataclass(frozen=True)
class CorrelationView(RiskView):
    """A clustered correlation matrix and the symbols left out, with the reason."""

    KIND: ClassVar[str] = "correlations"
    window: str
    start: date
    end: date
    method: str
    matrix: pd.DataFrame  # symmetric, unit diagonal, clustered order
    dropped: dict[str, str]  # symbol -> reason


@dataclass(frozen=True)
class PairView(RiskView):
    """Two symbols: rolling 60-day correlation and both prices rebased to 100."""

    KIND: ClassVar[str] = "pair"
    a: str
    b: str
    window: str
    correlation: float  # over the whole window
    rolling: pd.Series  # by date
    prices: pd.DataFrame  # by date; columns a, b (first date = 100)


def window_span(window: Window, as_of: date) -> tuple[str, date, date]:
    """(label, start, end) of a window ending at `as_of` (or a custom span)."""
    if isinstance(window, tuple):
        start, end = window
        if start >= end:
            raise ValidationError("The custom window's start must be before its end.")
        return f"{start:%Y-%m-%d} – {end:%Y-%m-%d}", start, min(end, as_of)
    if window not in CORRELATION_WINDOWS:
        raise ValidationError(f"Unknown window {window!r}: use 3M, 1Y, 3Y or a (start, end) pair.")
    return window, (pd.Timestamp(as_of) - CORRELATION_WINDOWS[window]).date(), as_of


def correlation_view(
    returns: pd.DataFrame, label: str, start: date, end: date, method: str, as_of: date, source: str
) -> CorrelationView:
    """Clustered matrix of the symbols with enough overlap; the others listed with the reason."""
    counts = np.isfinite(returns.to_numpy(dtype=np.float64)).sum(axis=0)
    short = counts < MIN_OVERLAP
    dropped = {
        str(s): f"only {int(n)} daily returns in the window (at least {MIN_OVERLAP} needed)"
        for s, n in zip(returns.columns[short], counts[short], strict=True)
    }
    kept = returns.loc[:, ~short]
    if kept.shape[1] < 2:
        raise InsufficientHistory(
            f"Fewer than two symbols have {MIN_OVERLAP} daily returns between {start} and {end}: "
            "pick a longer window or other symbols."
        )
    matrix = correlation_matrix(kept, method=method, min_periods=MIN_OVERLAP)
    diagonal = pd.Series(matrix.to_numpy().diagonal(), index=matrix.index)
    flat = [str(s) for s in diagonal.index[diagonal.isna()]]
    dropped |= {s: "no variation in the window" for s in flat}
    matrix = matrix.drop(index=flat, columns=flat)
    return CorrelationView(as_of, source, label, start, end, method, matrix, dropped)


def pair_view(close: pd.DataFrame, a: str, b: str, label: str, as_of: date, source: str) -> PairView:
    """Rolling 60-day correlation of two symbols and both prices rebased to 100 at the window's start."""
    prices = close[[a, b]].dropna()
    if len(prices) <= ROLLING:
        raise InsufficientHistory(
            f"{a} and {b} share {len(prices)} price dates in {label}; the rolling correlation needs {ROLLING + 1}."
        )
    returns = prices.pct_change().iloc[1:]
    rolling = rolling_correlation(returns[a], returns[b], ROLLING).dropna()
    rebased = prices / prices.iloc[0] * 100.0
    full = float(returns[a].corr(returns[b]))
    return PairView(as_of, source, a, b, label, full, rolling, rebased)
