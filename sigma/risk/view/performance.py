"""The performance view: the book's actual daily TWR returns against a benchmark, with market and rate beta.

Conventions: returns are fractions; `market_beta` is a 252-day OLS beta against the benchmark,
`rolling_beta` a 60-day one by date, `rate_beta` the return per +100 bp of the 10-year yield.
A window shorter than `MARKET_MIN_OBS` days keeps its profile but takes its betas from the
book's whole history (a note says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from sigma.conventions import WINDOWS
from sigma.errors import InsufficientHistory
from sigma.risk.beta import MARKET_MIN_OBS, MARKET_WINDOW, market_beta, rate_beta, rolling_beta
from sigma.risk.performance import performance_profile
from sigma.risk.view.base import RiskView
from sigma.risk.view.book import PORTFOLIO, RiskBook, require_returns


@dataclass(frozen=True)
class PerformanceView(RiskView):
    """Performance of the portfolio's daily TWR returns and of the benchmark over `window`."""

    KIND: ClassVar[str] = "performance"
    benchmark: str
    window: str
    profile: pd.DataFrame  # rows "Portfolio" and the benchmark; columns PROFILE_COLUMNS + note
    market_beta: float  # 252-day OLS vs the benchmark
    rolling_beta: pd.Series  # 60-day, by date
    rate_beta: float  # return per +100 bp of the 10-year yield
    n_obs: int


def window_days(window: str) -> int | None:
    """Trading days of a window label of `sigma.conventions.WINDOWS` (None: all)."""
    if window not in WINDOWS:
        raise InsufficientHistory(f"Unknown window {window!r}: use one of {', '.join(WINDOWS)}.")
    return WINDOWS[window]


def _betas(frame: pd.DataFrame, bench: pd.Series, tnx_changes: pd.Series) -> tuple[float, pd.Series, float]:
    """Market beta, rolling beta and rate beta of the book; InsufficientHistory when undefined."""
    beta = float(market_beta(frame, bench)[PORTFOLIO])
    rolling = rolling_beta(frame, bench)[PORTFOLIO].dropna()
    rates = float(rate_beta(frame.iloc[-MARKET_WINDOW:], tnx_changes)[PORTFOLIO])
    if not (np.isfinite(beta) and np.isfinite(rates)):
        raise InsufficientHistory(
            f"Fewer than {MARKET_MIN_OBS} common days with {bench.name} or the 10-year yield: no beta yet. "
            "Pick a benchmark with a longer history, or load more prices: python -m jobs run market_data"
        )
    return beta, rolling, rates


def performance_view(
    book: RiskBook, bench: pd.Series, tnx_changes: pd.Series, window: str, rf: float
) -> PerformanceView:
    """Performance profile of the book's TWR returns and the benchmark, market and rate beta."""
    days = window_days(window)
    r = book.returns.iloc[-days:] if days else book.returns
    require_returns(r, MARKET_MIN_OBS, "Performance")
    label = str(bench.name)
    b = bench.reindex(r.index)
    profile = performance_profile(pd.DataFrame({PORTFOLIO: r, label: b}), benchmark=b, rf=rf)
    frame = r.to_frame(PORTFOLIO)
    notes: tuple[str, ...] = ()
    if days is not None and days < MARKET_MIN_OBS:
        notes = (f"{window} holds fewer than {MARKET_MIN_OBS} days: betas use the last 252 days.",)
        frame = book.returns.to_frame(PORTFOLIO)
    beta, rolling, rates = _betas(frame, bench, tnx_changes)
    return PerformanceView(book.as_of, book.source, label, window, profile, beta, rolling, rates, len(r), notes=notes)
