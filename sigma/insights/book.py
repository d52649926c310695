"""One portfolio's insight cards from plain inputs: the pure task the nightly phase ships to its executor.

`BookInputs` holds everything the rules need for one book, as numbers, series and frames (no
views, no sessions), so a chunk of them pickles to a worker process or a Dask cluster. Inputs a
book lacks (no stored view of that kind, too little history) are NaN or None, and their rules are
skipped: a card is never built on a missing number. Conventions are those of `sigma.insights.rules`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sigma.insights import rules
from sigma.insights.card import Card
from sigma.risk.correlation import correlation_matrix

CLUSTER_MIN_PERIODS = 60  # common daily returns a pair needs before its correlation counts


@dataclass(frozen=True)
class BookInputs:
    """One book's inputs to the rules (see the module docstring)."""

    portfolio_id: int
    nav: float
    weights: pd.Series  # symbol -> signed delta-adjusted exposure / NAV
    position_exposures: pd.Series  # $ delta-adjusted exposure per open position
    returns: pd.Series  # the book's daily TWR returns over the drawdown window
    asset_returns: pd.DataFrame  # holdings' daily returns over the correlation window (dates x symbols)
    last_dates: Mapping[str, date]  # symbol -> latest stored price date
    reference: date  # the day prices should be current to
    stale_after_days: int
    benchmark: str = "SPY"  # of the beta
    beta: float = math.nan
    tilts: pd.DataFrame | None = None  # index sector; portfolio_pp, benchmark_pp, active_pp
    sector_benchmark: str = "SPY"  # of the tilts
    vol_percentile: float = math.nan
    vol: float = math.nan
    style: pd.Series | None = None  # style-factor betas of the book (market factor left out)
    thresholds: rules.Thresholds = field(default_factory=rules.Thresholds)


def _cluster_cards(inputs: BookInputs) -> list[Card]:
    """The cluster rule on the holdings' correlation matrix (pairs with fewer than 60 common days: NaN)."""
    held = inputs.weights[inputs.weights != 0]
    columns = [s for s in held.index if s in inputs.asset_returns.columns]
    if len(columns) < inputs.thresholds.cluster_size:
        return []
    corr = correlation_matrix(inputs.asset_returns[columns], min_periods=CLUSTER_MIN_PERIODS, cluster=False)
    return rules.cluster_cards(corr, held, inputs.thresholds)


def book_cards(inputs: BookInputs) -> list[Card]:
    """Every rule of DOMAIN.md applied to one book, in the order of DOMAIN.md."""
    t = inputs.thresholds
    cards = []
    if inputs.nav > 0:  # weights of NAV mean nothing for a book worth nothing
        cards += rules.position_cards(inputs.weights, inputs.nav, t)
    cards += rules.hhi_cards(inputs.position_exposures, t)
    if inputs.tilts is not None:
        cards += rules.sector_cards(inputs.tilts, inputs.sector_benchmark, t)
    cards += rules.beta_cards(inputs.beta, inputs.benchmark, t)
    cards += rules.drawdown_cards(inputs.returns, t)
    cards += rules.volatility_cards(inputs.vol_percentile, inputs.vol, t)
    if inputs.style is not None:
        cards += rules.style_cards(inputs.style, t)
    if inputs.nav > 0:
        cards += _cluster_cards(inputs)
    cards += rules.stale_cards(inputs.last_dates, inputs.reference, inputs.stale_after_days, t)
    return cards


def evaluate_chunk(chunk: Sequence[BookInputs]) -> list[tuple[int, list[Card] | str]]:
    """The cards of each book of a chunk, or the error text of a book whose rules failed (the rest go on)."""
    out: list[tuple[int, list[Card] | str]] = []
    for inputs in chunk:
        try:
            out.append((inputs.portfolio_id, book_cards(inputs)))
        except Exception as exc:  # one bad book is a failure entry, not a lost chunk
            out.append((inputs.portfolio_id, f"{type(exc).__name__}: {exc}"))
    return out
