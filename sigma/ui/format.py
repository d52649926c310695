"""Formatting and small drawing helpers shared by the pages: money, percentages, provenance, metric rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

import pandas as pd
import streamlit as st


class Sourced(Protocol):
    """A view that says where its numbers come from."""

    @property
    def source(self) -> str: ...

    @property
    def as_of(self) -> date: ...


def _sign(value: float, signed: bool) -> str:
    return "+" if signed and value > 0 else ("-" if value < 0 else "")


def money(value: float | None, signed: bool = False) -> str:
    """$1,234,567 (or +$1,234 when signed); an em dash for None/NaN."""
    if value is None or pd.isna(value):
        return "—"
    return f"{_sign(value, signed)}${abs(value):,.0f}"


def compact(value: float | None, signed: bool = False) -> str:
    """$3.59M / $412.3K style for KPI tiles, so large books fit."""
    if value is None or pd.isna(value):
        return "—"
    sign = _sign(value, signed)
    size = abs(value)
    for cut, suffix, digits in ((1e9, "B", 2), (1e6, "M", 2), (1e3, "K", 1)):
        if size >= cut:
            return f"{sign}${size / cut:,.{digits}f}{suffix}"
    return f"{sign}${size:,.0f}"


def pct(value: float | None, signed: bool = False) -> str:
    """12.3 % style (fractions in)."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value:+.2%}" if signed else f"{value:.2%}"


def provenance(view: Sourced, extra: str = "", notes: Sequence[str] = ()) -> None:
    """Source and as-of date under a section, then its notes."""
    st.caption(f"{str(view.source).capitalize()} prices as of {view.as_of:%Y-%m-%d}{extra}")
    for note in notes:
        st.caption(note)


def metrics(pairs: Sequence[tuple[str, str]]) -> None:
    """A row of metrics, one column each."""
    for col, (label, value) in zip(st.columns(len(pairs)), pairs, strict=True):
        col.metric(label, value)
