"""Activity feed: what happened in the book over the last N calendar days (DOMAIN.md, "Activity").

Conventions: `returns` is dates × symbols of daily simple returns (include ~1.3 years before the
window so the one-year vol median exists). The window is (as_of − days, as_of]; `ActivityPeriod`
names it by its trading days ("last 5 trading days (2026-11-16 to 2026-11-20)") and rides on every
item. A big move is |r_t| > 2 σ_t with σ_t the symbol's own daily vol: the std (ddof=1) of its 60
daily returns *before* t (the move does not inflate its own yardstick); above 3 σ it is a warning.
A vol spike is 20-day annualized vol above 1.5 × its own trailing one-year (252-day) median; one
item per symbol, on its latest spike day in the window. Options are followed through their
underlying's returns. Contributions are the window P&L the caller passes (the attribution window,
from `contributions_since` when given). Items come newest first, then by severity (critical,
warning, info), kind and symbol. Items about "now" (contributors, targets, expiries, stale prices)
are dated as_of. An item's `message` is the predicate of a sentence whose subject is its symbol
("fell 4.1%, a 2.3σ move against its daily vol of 1.8%"); `sentence` joins them. Percentages show
one decimal from 1 % up and two significant digits below, so a move is never shown as 0.0%.
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
class ActivityPeriod:
    """The feed's window: (as_of − calendar_days, as_of], with the trading days it holds."""

    start: date  # first trading day in the window (the window's first calendar day without any)
    end: date
    calendar_days: int
    trading_days: int

    @property
    def label(self) -> str:
        """'last 5 trading days (2026-11-16 to 2026-11-20)'."""
        days = f"{self.trading_days} trading day{'s' if self.trading_days != 1 else ''}"
        return f"last {days} ({self.start:%Y-%m-%d} to {self.end:%Y-%m-%d})"


def activity_period(dates: pd.Index, as_of: date, days: int) -> ActivityPeriod:
    """The period of a feed over `dates` (the trading days of the returns); business days without any."""
    inside = pd.to_datetime(dates[_in_window(dates, as_of, days)]) if len(dates) else pd.DatetimeIndex([])
    if len(inside) == 0:
        inside = pd.bdate_range(as_of - timedelta(days=days - 1), as_of)
    start = inside.min().date() if len(inside) else as_of
    return ActivityPeriod(start, as_of, days, len(inside))


@dataclass(frozen=True)
class ActivityItem:
    """One line of the feed: `symbol` is the subject of `message`, over `period`."""

    date: date
    kind: ActivityKind
    symbol: str
    severity: Severity
    message: str
    period: ActivityPeriod

    @property
    def sentence(self) -> str:
        """The whole sentence: 'NVDA fell 4.1%, a 2.3σ move against its daily vol of 1.8%'."""
        return f"{self.symbol} {self.message}" if self.symbol else self.message[:1].upper() + self.message[1:]


@dataclass(frozen=True)
class ActivityInputs:
    """Everything the feed looks at; Series are indexed by symbol unless stated."""

    returns: pd.DataFrame  # dates × symbols, daily simple returns
    positions: pd.DataFrame  # id, symbol, position_type, entry_date, exit_date, underlying, expiry
    prices: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # latest price
    targets: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # target_eoy by position id
    last_price_dates: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))  # latest price date
    contributions: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # window P&L in $
    contributions_since: date | None = None  # first day of the contributions' window


def percent(fraction: float) -> str:
    """A fraction as a percentage: one decimal from 1 % up, two significant digits below (0.024%)."""
    value = abs(fraction) * 100.0
    if value == 0 or not np.isfinite(value):
        return f"{value:.1f}%"
    decimals = max(1, 1 - int(np.floor(np.log10(value))))
    return f"{value:.{decimals}f}%"


def _in_window(dates: pd.Series | pd.Index, as_of: date, days: int) -> np.ndarray:
    """Mask of dates in (as_of − days, as_of]."""
    stamps = pd.to_datetime(pd.Series(dates))
    return ((stamps > pd.Timestamp(as_of - timedelta(days=days))) & (stamps <= pd.Timestamp(as_of))).to_numpy()


def _followed(positions: pd.DataFrame) -> list[str]:
    """Symbols whose returns matter: stocks themselves, options through their underlying."""
    is_option = positions["position_type"].isin(OPTION_TYPES)
    underlying = positions["underlying"] if "underlying" in positions else positions["symbol"]
    return sorted(set(positions["symbol"].where(~is_option, underlying).dropna()))


def _big_move(day: date, symbol: str, move: float, z: float, sigma: float, period: ActivityPeriod) -> ActivityItem:
    """One big-move item; beyond 3σ it is a warning."""
    severity = Severity.WARNING if abs(z) > BIG_MOVE_WARNING_SIGMAS else Severity.INFO
    verb = "rose" if move > 0 else "fell"
    text = f"{verb} {percent(move)}, a {abs(z):.1f}σ move against its daily vol of {percent(sigma)}"
    return ActivityItem(day, ActivityKind.BIG_MOVE, symbol, severity, text, period)


def big_moves(returns: pd.DataFrame, period: ActivityPeriod) -> list[ActivityItem]:
    """Daily moves beyond 2σ of the symbol's own daily vol over the 60 returns before the move."""
    sigma = returns.rolling(BIG_MOVE_LOOKBACK, min_periods=BIG_MOVE_LOOKBACK).std(ddof=1).shift(1).to_numpy(float)
    r = returns.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = r / sigma
    hits = (np.abs(z) > BIG_MOVE_SIGMAS) & _in_window(returns.index, period.end, period.calendar_days)[:, None]
    days_, symbols = pd.to_datetime(returns.index).date, [str(c) for c in returns.columns]
    # one item per hit (a handful), not a loop over assets or dates
    return [
        _big_move(days_[i], symbols[j], r[i, j], z[i, j], sigma[i, j], period)
        for i, j in zip(*np.nonzero(hits), strict=True)
    ]


def vol_spikes(returns: pd.DataFrame, period: ActivityPeriod) -> list[ActivityItem]:
    """20-day vol above 1.5× its one-year median: the latest spike day per symbol in the window."""
    vol = returns.rolling(SPIKE_WINDOW, min_periods=SPIKE_WINDOW).std(ddof=1) * np.sqrt(TRADING_DAYS)
    median = vol.rolling(SPIKE_MEDIAN_WINDOW, min_periods=SPIKE_MEDIAN_WINDOW // 2).median()
    spike = (vol > SPIKE_RATIO * median) & _in_window(returns.index, period.end, period.calendar_days)[:, None]
    last = spike.loc[:, spike.any()].iloc[::-1].idxmax()  # latest True per column
    return [
        ActivityItem(
            pd.Timestamp(day).date(),
            ActivityKind.VOL_SPIKE,
            str(sym),
            Severity.WARNING,
            f"has a 20-day volatility of {percent(vol.at[day, sym])} a year, "
            f"{vol.at[day, sym] / median.at[day, sym]:.1f}× its one-year median of {percent(median.at[day, sym])}",
            period,
        )
        for sym, day in last.items()
    ]


def contributors(inputs: ActivityInputs, period: ActivityPeriod, top_n: int) -> list[ActivityItem]:
    """The largest positive and negative P&L contributions over the contributions' window."""
    since = inputs.contributions_since
    span = f"since {since:%Y-%m-%d}" if since is not None else "over the attribution window"
    gains = inputs.contributions[inputs.contributions > 0].nlargest(top_n)
    losses = inputs.contributions[inputs.contributions < 0].nsmallest(top_n)
    return [
        ActivityItem(period.end, kind, str(sym), Severity.INFO, f"{verb} ${abs(value):,.0f} {span}", period)
        for series, kind, verb in (
            (gains, ActivityKind.TOP_CONTRIBUTOR, "added"),
            (losses, ActivityKind.TOP_DETRACTOR, "cost"),
        )
        for sym, value in series.items()
    ]


def opened_closed(positions: pd.DataFrame, period: ActivityPeriod) -> list[ActivityItem]:
    """Positions whose entry or exit date falls in the window."""
    items = []
    for column, kind, verb in (
        ("entry_date", ActivityKind.OPENED, "opened"),
        ("exit_date", ActivityKind.CLOSED, "closed"),
    ):  # two kinds, not assets
        hit = positions[_in_window(positions[column], period.end, period.calendar_days)]
        items += [
            ActivityItem(pd.Timestamp(d).date(), kind, str(s), Severity.INFO, f"was {verb} ({t} {q:g})", period)
            for d, s, t, q in zip(hit[column], hit["symbol"], hit["position_type"], hit["quantity"], strict=True)
        ]
    return items


def _open(positions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Positions held on as_of."""
    day = pd.Timestamp(as_of)
    held = (pd.to_datetime(positions["entry_date"]) <= day) & ~(pd.to_datetime(positions["exit_date"]) <= day)
    return positions[held]


def targets_reached(inputs: ActivityInputs, period: ActivityPeriod) -> list[ActivityItem]:
    """Open positions at or through their end-of-year target (≥ for longs, ≤ for shorts)."""
    held = _open(inputs.positions, period.end)
    target = held["id"].map(inputs.targets).astype(float)
    price = held["symbol"].map(inputs.prices).astype(float)
    short = held["position_type"].isin(SHORT_TYPES)
    hit = np.where(short, price <= target, price >= target) & target.notna() & price.notna()
    return [
        ActivityItem(
            period.end,
            ActivityKind.TARGET_REACHED,
            str(s),
            Severity.INFO,
            f"reached its target of {t:,.2f}: it is at {p:,.2f}",
            period,
        )
        for s, p, t in zip(held["symbol"][hit], price[hit], target[hit], strict=True)
    ]


def expiring(positions: pd.DataFrame, period: ActivityPeriod, within_days: int) -> list[ActivityItem]:
    """Open options expiring within `within_days` calendar days (expired ones are not open)."""
    held = _open(positions, period.end)
    held = held[held["position_type"].isin(OPTION_TYPES)]
    left = (pd.to_datetime(held["expiry"]) - pd.Timestamp(period.end)).dt.days
    soon = held[(left >= 0) & (left <= within_days)]
    return [
        ActivityItem(
            period.end,
            ActivityKind.EXPIRING,
            str(s),
            Severity.WARNING,
            f"expires on {pd.Timestamp(e):%Y-%m-%d}, in {n} day{'s' if n != 1 else ''}",
            period,
        )
        for s, e, n in zip(soon["symbol"], soon["expiry"], left[soon.index], strict=True)
    ]


def stale_prices(last_price_dates: pd.Series, period: ActivityPeriod, stale_after_days: int) -> list[ActivityItem]:
    """Symbols whose latest price is older than `stale_after_days` calendar days."""
    age = (pd.Timestamp(period.end) - pd.to_datetime(last_price_dates)).dt.days
    stale = age[age > stale_after_days]
    return [
        ActivityItem(
            period.end,
            ActivityKind.STALE_PRICE,
            str(s),
            Severity.WARNING,
            f"was last priced {n} days ago; run: python -m jobs run market_data",
            period,
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
    """Every activity item of the last `days` calendar days, newest first (each carries the period)."""
    returns = inputs.returns.reindex(columns=_followed(inputs.positions)).dropna(axis=1, how="all")
    returns = returns[pd.to_datetime(returns.index) <= pd.Timestamp(as_of)]
    period = activity_period(inputs.returns.index, as_of, days)
    items = [
        *big_moves(returns, period),
        *vol_spikes(returns, period),
        *contributors(inputs, period, top_n),
        *opened_closed(inputs.positions, period),
        *targets_reached(inputs, period),
        *expiring(inputs.positions, period, expiring_within_days),
        *stale_prices(inputs.last_price_dates, period, stale_after_days),
    ]
    kind_order = list(ActivityKind)
    items.sort(key=lambda it: (SEVERITY_ORDER[it.severity], kind_order.index(it.kind), it.symbol))
    return sorted(items, key=lambda it: it.date, reverse=True)  # stable: ties keep severity order
