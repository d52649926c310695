"""One number format for every page: money, percentages, ratios, missing values, table columns.

Conventions (the house style, used in text, metrics and tables alike):
- Money: the sign goes before the currency symbol, as an ASCII hyphen-minus: "-$1,879", "+$1,879"
  when signed. Tables use Streamlit's "dollar" preset, which writes negatives the same way (the
  browser's Intl formatter); chart axes use d3's "$,.0f", which also puts the sign first (plotly
  draws it as a true minus, U+2212). Never "$-1,879".
- Big money in metric tiles is abbreviated ($3.59M, $412K) so tiles never truncate.
- Percentages: inputs are fractions (0.05 = 5 %), shown with one decimal ("12.3%") unless asked.
  Values are rounded BEFORE the sign is chosen, so nothing ever reads "-0.0%".
- Missing values (None, NaN, ±inf) read "—"; the page says why in a help text or caption.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol

import numpy as np
import pandas as pd
import streamlit as st

MISSING = "—"
# (smallest value shown this way, divisor, suffix, decimals): $1.23T, $4.56B, $7.89M, $412K; below $10K in full.
COMPACT_STEPS = ((1e12, 1e12, "T", 2), (1e9, 1e9, "B", 2), (1e6, 1e6, "M", 2), (1e4, 1e3, "K", 0))


class Sourced(Protocol):
    """A view that says where its numbers come from."""

    @property
    def source(self) -> str: ...

    @property
    def as_of(self) -> date: ...


def _finite(value: object) -> float | None:
    """The value as a finite float, or None (None, NaN, ±inf, non-numbers)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _sign(rounded: float, signed: bool) -> str:
    return "-" if rounded < 0 else ("+" if signed and rounded > 0 else "")


def money(value: object, signed: bool = False, digits: int = 0) -> str:
    """-$1,879 / $1,234,567 (+$1,234 when signed); "—" when missing."""
    number = _finite(value)
    if number is None:
        return MISSING
    rounded = round(number, digits)
    return f"{_sign(rounded, signed)}${abs(rounded):,.{digits}f}"


def compact(value: object, signed: bool = False) -> str:
    """$3.59M / $412K / $930 style for metric tiles, so large books fit; "—" when missing."""
    number = _finite(value)
    if number is None:
        return MISSING
    size = abs(number)
    for floor, unit, suffix, digits in COMPACT_STEPS:
        scaled = round(size / unit, digits)
        if scaled * unit >= floor:
            if suffix == "K" and scaled >= 1000:  # 999.6K rounds to 1,000K: say $1.00M
                return compact(math.copysign(1e6, number), signed)
            return f"{_sign(number, signed)}${scaled:,.{digits}f}{suffix}"
    return money(number, signed)


def pct(value: object, signed: bool = False, digits: int = 1) -> str:
    """12.3% (fractions in; +12.3% when signed); never "-0.0%"; "—" when missing."""
    number = _finite(value)
    if number is None:
        return MISSING
    rounded = round(number * 100.0, digits)
    return f"{_sign(rounded, signed)}{abs(rounded):,.{digits}f}%"


def pp(value: object, digits: int = 1) -> str:
    """+3.2 pp (percent points in, always signed); "—" when missing."""
    number = _finite(value)
    if number is None:
        return MISSING
    rounded = round(number, digits)
    return f"{_sign(rounded, True)}{abs(rounded):,.{digits}f} pp"


def ratio(value: object, digits: int = 2) -> str:
    """A plain number (beta, Sharpe) with `digits` decimals, never "-0.00"; "—" when missing."""
    number = _finite(value)
    if number is None:
        return MISSING
    rounded = round(number, digits)
    return f"{_sign(rounded, False)}{abs(rounded):,.{digits}f}"


def tidy(frame: pd.DataFrame, columns: Iterable[str], digits: int = 4) -> pd.DataFrame:
    """Numeric columns as floats (None → NaN), rounded, with negative zeros made positive.

    A table cell left empty is then blank, never "None", and a rounded -0.0001 never shows "-0.0%".
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            values = pd.to_numeric(out[col], errors="coerce").astype(float)
            out[col] = np.round(values.replace([np.inf, -np.inf], np.nan), digits) + 0.0
    return out


def money_column(label: str, help: str | None = None, **kwargs: Any) -> Any:
    """A whole-dollar table column: -$1,879."""
    return st.column_config.NumberColumn(label, help=help, format="dollar", step=1, **kwargs)


def price_column(label: str, help: str | None = None, **kwargs: Any) -> Any:
    """A price with cents: $123.45."""
    return st.column_config.NumberColumn(label, help=help, format="dollar", step=0.01, **kwargs)


def pct_column(label: str, help: str | None = None, digits: int = 1, **kwargs: Any) -> Any:
    """A percentage column (fractions in) with `digits` decimals: 12.3%."""
    step = float(f"1e-{digits + 2}")  # Streamlit takes the decimals from the step: 0.001 → 12.3%
    return st.column_config.NumberColumn(label, help=help, format="percent", step=step, **kwargs)


def weight_bar(label: str, weights: pd.Series, help: str | None = None) -> Any:
    """A % of NAV bar from 0 to the largest |weight| (the biggest position fills its cell).

    A bar cannot be signed: a short's cell shows its negative weight as text over an empty bar
    rather than a bar that looks long.
    """
    values = pd.to_numeric(weights, errors="coerce").abs()
    top = float(values.max()) if values.notna().any() else 1.0
    return st.column_config.ProgressColumn(
        label, help=help, format="percent", step=0.001, min_value=0.0, max_value=top if top > 0 else 1.0
    )


def provenance(view: Sourced, extra: str = "", notes: Sequence[str] = ()) -> None:
    """Source and as-of date under a section, then its notes."""
    st.caption(f"{str(view.source).capitalize()} prices as of {view.as_of:%Y-%m-%d}{extra}")
    for note in notes:
        st.caption(note)


def metrics(pairs: Sequence[tuple[str, str]], helps: Sequence[str | None] = ()) -> None:
    """A row of metrics, one column each (an optional help text per metric)."""
    tips = [*helps, *([None] * (len(pairs) - len(helps)))]
    for col, (label, value), tip in zip(st.columns(len(pairs)), pairs, tips, strict=True):
        col.metric(label, value, help=tip)
