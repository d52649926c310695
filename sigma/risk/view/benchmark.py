"""Benchmarks: a named benchmark, any known symbol, or custom weights, as one daily return series.

Conventions: a benchmark spec is a named benchmark ("SPY", "QQQ", "IWM", "ACWX", "60/40"), any
known symbol, custom weights {symbol: weight}, or weights typed as "SPY:0.7, TLT:0.3". Blends are
daily rebalanced (the blend's daily return is Σ wᵢ rᵢ on dates where every leg has a return) and
custom weights are normalised to sum to 1.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sigma.errors import ValidationError

BenchmarkSpec = str | Mapping[str, float]
NAMED_BENCHMARKS: dict[str, dict[str, float]] = {
    "SPY": {"SPY": 1.0},
    "QQQ": {"QQQ": 1.0},
    "IWM": {"IWM": 1.0},
    "ACWX": {"ACWX": 1.0},
    "60/40": {"SPY": 0.6, "AGG": 0.4},
}


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
    blended: pd.Series = (legs @ pd.Series(weights)).rename(label)
    return blended
