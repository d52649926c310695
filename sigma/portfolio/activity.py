"""Activity feed: what happened in the held over the last N calendar days (DOMAIN.md, "Activity").

Conventions: `returns` is dates × symbols of daily simple returns (include ~1.3 years before the
window so the one-year vol median exists). The window is (as_of − days, as_of]. A big move is
|r_t| > 2 σ_t with σ_t the std (ddof=1) of the 60 returns *before* t (the move does not inflate its
own yardstick); above 3 σ it is a warning. A vol spike is 20-day annualized vol above 1.5 × its
own trailing one-year (252-day) median; one item per symbol, on its latest spike day in the window.
Options are followed through their underlying's returns. Items come newest first, then by
severity (critical, warning, info), kind and symbol. Items about "now" (contributors, targets,
expiries, stale prices) are dated as_of.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

import numpy as np
import pandas as pd

from sigma.conventions import TRADING_DAYS, PositionType

BIG_MOVE_SIGMAS, BIG_MOVE_WARNING_SIGMAS, BIG_MOVE_LOOKBACK = 2.0, 3.0, 60
SPIKE_WINDOW, SPIKE_MEDIAN_WINDOW, SPIKE_RATIO = 20, TRADING_DAYS, 1.5
SHORT_TYPES = [t.value for t in PositionType if t.sign < 0]
OPTION_TYPES = [t.value for t in PositionType if t.is_option]


class ActivityKind(StrEnum):
    """Kinds of activity items."""

    BIG_MOVE = "big_move"
    TOP_CONTRIBUTOR = "top_contributor"
    TOP_DETRACTOR = "top_detractor"
    VOL_SPIKE = "vol_spike"
    OPENED = "opened"
    CLOSED = "closed"
    TARGET_REACHED = "target_reached"
    EXPIRING = "expiring"
    STALE_PRICE = "stale_price"


class Severity(StrEnum):
    """Severity of an item or insight."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ActivityItem:
    """One line of the feed."""

    date: date
    kind: ActivityKind
    symbol: str
    severity: Severity
    message: str


@dataclass(frozen=True)
class ActivityInputs:
    """Everything the feed looks at; Series are indexed by symbol unless stated."""

    returns: pd.DataFrame  # dates × symbols, daily simple returns
    positions: pd.DataFrame  # id, symbol, position_type, entry_date, exit_date, underlying, expiry
    prices: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # latest price
    targets: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # target_eoy by position id
    last_price_dates: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))  # latest price date
    contributions: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # window P&L in $


def _in_window(dates: pd.Series | pd.Index, as_of: date, days: int) -> np.ndarray:
    """Mask of dates in (as_of − days, as_of]."""
    stamps = pd.to_datetime(pd.Series(dates))
    return ((stamps > pd.Timestamp(as_of - timedelta(days=days))) & (stamps <= pd.Timestamp(as_of))).to_numpy()


def _followed(positions: pd.DataFrame) -> list[str]:
    """Symbols whose returns matter: stocks themselves, options through their underlying."""
    is_option = positions["position_type"].isin(OPTION_TYPES)
    underlying = positions["underlying"] if "underlying" in positions else positions["symbol"]
    return sorted(set(positions["symbol"].where(~is_option, underlying).dropna()))


def _big_move(day: date, symbol: str, move: float, z: float, sigma: float) -> ActivityItem:
    """One big-move item; beyond 3σ it is a warning."""
    severity = Severity.WARNING if abs(z) > BIG_MOVE_WARNING_SIGMAS else Severity.INFO
    verb = "rose" if move > 0 else "fell"
    text = f"{symbol} {verb} {abs(move):.1%}, a {abs(z):.1f}σ move (daily vol {sigma:.1%})"
    return ActivityItem(day, ActivityKind.BIG_MOVE, symbol, severity, text)


def big_moves(returns: pd.DataFrame, as_of: date, days: int) -> list[ActivityItem]:
    """Daily moves beyond 2σ of the trailing 60 returns before the move."""
    sigma = returns.rolling(BIG_MOVE_LOOKBACK, min_periods=BIG_MOVE_LOOKBACK).std(ddof=1).shift(1).to_numpy(float)
    r = returns.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = r / sigma
    hits = (np.abs(z) > BIG_MOVE_SIGMAS) & _in_window(returns.index, as_of, days)[:, None]
    days_, symbols = pd.to_datetime(returns.index).date, [str(c) for c in returns.columns]
    # one item per hit (a handful), not a loop over assets or dates
    return [
        _big_move(days_[i], symbols[j], r[i, j], z[i, j], sigma[i, j]) for i, j in zip(*np.nonzero(hits), strict=True)
    ]


def vol_spikes(returns: pd.DataFrame, as_of: date, days: int) -> list[ActivityItem]:
    """20-day vol above 1.5× its one-year median: the latest spike day per symbol in the window."""
    vol = returns.rolling(SPIKE_WINDOW, min_periods=SPIKE_WINDOW).std(ddof=1) * np.sqrt(TRADING_DAYS)
    median = vol.rolling(SPIKE_MEDIAN_WINDOW, min_periods=SPIKE_MEDIAN_WINDOW // 2).median()
    spike = (vol > SPIKE_RATIO * median) & _in_window(returns.index, as_of, days)[:, None]
    any_spike = spike.any()
    last = spike.loc[:, any_spike].iloc[::-1].idxmax()  # latest True per column
    return [
        ActivityItem(
            pd.Timestamp(day).date(),
            ActivityKind.VOL_SPIKE,
            str(sym),
            Severity.WARNING,
            f"{sym} 20-day volatility {vol.at[day, sym]:.0%} is {vol.at[day, sym] / median.at[day, sym]:.1f}× "
            f"its one-year median ({median.at[day, sym]:.0%})",
        )
        for sym, day in last.items()
    ]


def contributors(contributions: pd.Series, as_of: date, top_n: int) -> list[ActivityItem]:
    """The largest positive and negative P&L contributions over the window."""
    gains = contributions[contributions > 0].nlargest(top_n)
    losses = contributions[contributions < 0].nsmallest(top_n)
    return [
        ActivityItem(as_of, kind, str(sym), Severity.INFO, f"{sym} {verb} ${abs(value):,.0f} over the period")
        for series, kind, verb in (
            (gains, ActivityKind.TOP_CONTRIBUTOR, "added"),
            (losses, ActivityKind.TOP_DETRACTOR, "cost"),
        )
        for sym, value in series.items()
    ]


def opened_closed(positions: pd.DataFrame, as_of: date, days: int) -> list[ActivityItem]:
    """Positions whose entry or exit date falls in the window."""
    items = []
    for column, kind, verb in (
        ("entry_date", ActivityKind.OPENED, "Opened"),
        ("exit_date", ActivityKind.CLOSED, "Closed"),
    ):  # two kinds, not assets
        hit = positions[_in_window(positions[column], as_of, days)]
        items += [
            ActivityItem(pd.Timestamp(d).date(), kind, str(s), Severity.INFO, f"{verb} {t} {q:g} {s}")
            for d, s, t, q in zip(hit[column], hit["symbol"], hit["position_type"], hit["quantity"], strict=True)
        ]
    return items


def _open(positions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Positions held on as_of."""
    day = pd.Timestamp(as_of)
    held = (pd.to_datetime(positions["entry_date"]) <= day) & ~(pd.to_datetime(positions["exit_date"]) <= day)
    return positions[held]


def targets_reached(positions: pd.DataFrame, prices: pd.Series, targets: pd.Series, as_of: date) -> list[ActivityItem]:
    """Open positions at or through their end-of-year target (≥ for longs, ≤ for shorts)."""
    held = _open(positions, as_of)
    target = held["id"].map(targets).astype(float)
    price = held["symbol"].map(prices).astype(float)
    short = held["position_type"].isin(SHORT_TYPES)
    hit = np.where(short, price <= target, price >= target) & target.notna() & price.notna()
    return [
        ActivityItem(
            as_of, ActivityKind.TARGET_REACHED, str(s), Severity.INFO, f"{s} at {p:,.2f} reached its target {t:,.2f}"
        )
        for s, p, t in zip(held["symbol"][hit], price[hit], target[hit], strict=True)
    ]


def expiring(positions: pd.DataFrame, as_of: date, within_days: int) -> list[ActivityItem]:
    """Open options expiring within `within_days` calendar days (expired ones are not open)."""
    held = _open(positions, as_of)
    held = held[held["position_type"].isin(OPTION_TYPES)]
    left = (pd.to_datetime(held["expiry"]) - pd.Timestamp(as_of)).dt.days
    soon = held[(left >= 0) & (left <= within_days)]
    return [
        ActivityItem(
            as_of,
            ActivityKind.EXPIRING,
            str(s),
            Severity.WARNING,
            f"{s} expires on {pd.Timestamp(e):%Y-%m-%d}, in {n} day{'s' if n != 1 else ''}",
        )
        for s, e, n in zip(soon["symbol"], soon["expiry"], left[soon.index], strict=True)
    ]


def stale_prices(last_price_dates: pd.Series, as_of: date, stale_after_days: int) -> list[ActivityItem]:
    """Symbols whose latest price is older than `stale_after_days` calendar days."""
    age = (pd.Timestamp(as_of) - pd.to_datetime(last_price_dates)).dt.days
    stale = age[age > stale_after_days]
    return [
        ActivityItem(
            as_of,
            ActivityKind.STALE_PRICE,
            str(s),
            Severity.WARNING,
            f"{s} last priced {n} days ago; run: python -m jobs run market_data",
        )
        for s, n in stale.items()
    ]


def activity_feed(
    inputs: ActivityInputs,
    as_of: date,
    *,
    days: int = 7,
    top_n: int = 3,
    expiring_within_days: int = 7,
    stale_after_days: int = 4,
) -> list[ActivityItem]:
    """Every activity item of the last `days` calendar days, newest first."""
    returns = inputs.returns.reindex(columns=_followed(inputs.positions)).dropna(axis=1, how="all")
    returns = returns[pd.to_datetime(returns.index) <= pd.Timestamp(as_of)]
    items = [
        *big_moves(returns, as_of, days),
        *vol_spikes(returns, as_of, days),
        *contributors(inputs.contributions, as_of, top_n),
        *opened_closed(inputs.positions, as_of, days),
        *targets_reached(inputs.positions, inputs.prices, inputs.targets, as_of),
        *expiring(inputs.positions, as_of, expiring_within_days),
        *stale_prices(inputs.last_price_dates, as_of, stale_after_days),
    ]
    kind_order = list(ActivityKind)
    items.sort(key=lambda it: (SEVERITY_ORDER[it.severity], kind_order.index(it.kind), it.symbol))
    return sorted(items, key=lambda it: it.date, reverse=True)  # stable: ties keep severity order
