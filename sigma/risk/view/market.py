"""Benchmarks, correlation matrices and pairs from stored prices (no portfolio needed).

Conventions: a benchmark spec is a named benchmark ("SPY", "QQQ", "IWM", "ACWX", "60/40"), any
known symbol, or custom weights {symbol: weight}; blends are daily rebalanced (the blend's daily
return is Σ wᵢ rᵢ on dates where every leg has a return) and custom weights are normalised to
sum to 1. Correlation windows are calendar spans ending at the last price date: 3M, 1Y, 3Y, or
a custom (start, end). A symbol with fewer than `MIN_OVERLAP` returns in the window is dropped
from the matrix with the reason, as are index levels (yields, VIX), whose returns mean nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from sigma.errors import InsufficientHistory, ValidationError
from sigma.risk.correlation import correlation_matrix, rolling_correlation
from sigma.risk.view.results import CorrelationView, PairView

BenchmarkSpec = str | Mapping[str, float]
NAMED_BENCHMARKS: dict[str, dict[str, float]] = {
    "SPY": {"SPY": 1.0}, "QQQ": {"QQQ": 1.0}, "IWM": {"IWM": 1.0}, "ACWX": {"ACWX": 1.0},
    "60/40": {"SPY": 0.6, "AGG": 0.4},
}  # fmt: skip
CORRELATION_WINDOWS = {"3M": pd.DateOffset(months=3), "1Y": pd.DateOffset(years=1), "3Y": pd.DateOffset(years=3)}
MIN_OVERLAP = 60
ROLLING = 60
Window = str | tuple[date, date]


def benchmark_legs(spec: BenchmarkSpec) -> tuple[str, dict[str, float]]:
    """(label, weights summing to 1) of a benchmark spec."""
    if isinstance(spec, str) and ":" in spec:
        return benchmark_legs(parse_weights(spec))
    if isinstance(spec, str):
        code = spec.strip().upper() or "SPY"
        return code, dict(NAMED_BENCHMARKS.get(code, {code: 1.0}))
    weights = {str(k).strip().upper(): float(v) for k, v in spec.items() if float(v) != 0.0}
    total = sum(weights.values())
    if not weights or not total > 0:
        raise ValidationError("Custom benchmark weights must be positive in total, e.g. {'SPY': 0.7, 'TLT': 0.3}.")
    label = " + ".join(f"{w / total:.0%} {s}" for s, w in weights.items())
    return label, {s: w / total for s, w in weights.items()}


def parse_weights(text: str) -> dict[str, float]:
    """Custom weights typed as "SPY:0.7, TLT:0.3"; ValidationError naming a bad entry."""
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        symbol, _, value = part.partition(":")
        try:
            weights[symbol.strip().upper()] = float(value)
        except ValueError:
            raise ValidationError(f"Benchmark weight {part!r}: write SYMBOL:weight, e.g. SPY:0.7.") from None
    return weights


def blend(returns: pd.DataFrame, weights: Mapping[str, float], label: str) -> pd.Series:
    """Daily rebalanced blend Σ wᵢ rᵢ on the dates where every leg has a return."""
    legs = returns[list(weights)]
    legs = legs[np.isfinite(legs.to_numpy(dtype=np.float64)).all(axis=1)]
    return (legs @ pd.Series(weights)).rename(label)


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
    dropped = {str(s): f"only {int(n)} daily returns in the window (at least {MIN_OVERLAP} needed)"
               for s, n in zip(returns.columns[short], counts[short], strict=True)}  # fmt: skip
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
