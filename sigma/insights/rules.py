"""The insight rules of DOMAIN.md ("Activity feed and insights"): numbers in, zero or more `Card`s out.

Conventions: weights and drawdowns are fractions (0.20 is 20 % of NAV), sector tilts percent
points of the equity sleeve, volatility percentiles 0–100, betas plain numbers. Every threshold
is strict ("> 20 %": exactly 20 % does not fire; "outside [0.7, 1.3]": 0.7 is inside), values
are compared at `DECIMALS` decimals (so 0.1 + 0.1 + 0.1 = 0.30000000000000004 is "exactly 30 %",
not above it), NaN never fires, and each rule escalates by a second, documented threshold
(`Thresholds`). The rules never fetch and never read settings: the stale-data limit and the
reference date are arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from sigma.insights.card import Card, Rule, Severity, card
from sigma.insights.clusters import clusters
from sigma.risk.concentration import concentration
from sigma.risk.performance import drawdown

MARKET_ADVICE = "Run: python -m jobs run market_data"
DECIMALS = 12  # comparison precision: floating-point noise at a threshold does not fire


@dataclass(frozen=True)
class Thresholds:
    """The rule thresholds of DOMAIN.md and the escalation above each (see each rule's docstring)."""

    position_weight: float = 0.20  # warning above, critical above position_critical
    position_critical: float = 0.30
    hhi: float = 0.18  # warning above, critical above hhi_critical
    hhi_critical: float = 0.30
    sector_pp: float = 10.0  # info above, warning above sector_warning_pp
    sector_warning_pp: float = 20.0
    beta_low: float = 0.7  # info outside [beta_low, beta_high], warning outside the wide band
    beta_high: float = 1.3
    beta_wide_low: float = 0.5
    beta_wide_high: float = 1.5
    drawdown: float = 0.10  # warning beyond, critical beyond drawdown_critical
    drawdown_critical: float = 0.20
    vol_percentile: float = 80.0  # warning above, critical above vol_critical
    vol_critical: float = 95.0
    style_beta: float = 0.5  # info above |β|, warning above style_warning
    style_warning: float = 1.0
    cluster_size: int = 3  # at least this many holdings
    cluster_correlation: float = 0.8  # average pairwise ρ above this
    cluster_weight: float = 0.30  # warning above this combined |weight|, critical above cluster_critical
    cluster_critical: float = 0.50
    stale_critical_factor: int = 3  # critical when older than this many times the stale limit


DEFAULTS = Thresholds()


def _pct(x: float) -> str:
    return f"{x * 100:.1f} %"


def _above(value: float, limit: float) -> bool:
    """`value > limit` at `DECIMALS` decimals (False for NaN)."""
    return bool(round(float(value), DECIMALS) > limit)


def _escalate(value: float, low: float, high: float, lower: Severity, upper: Severity) -> Severity | None:
    """None at or below `low` (or NaN), `lower` above it, `upper` above `high`."""
    if not _above(value, low):
        return None
    return upper if _above(value, high) else lower


def position_cards(weights: pd.Series, nav: float, t: Thresholds = DEFAULTS) -> list[Card]:
    """A card per holding whose |delta-adjusted exposure| / NAV is above 20 % (warning; above 30 %: critical).

    `weights` are signed fractions of NAV by symbol (shorts negative).
    """
    cards = []
    for symbol, w in weights.items():
        severity = _escalate(abs(float(w)), t.position_weight, t.position_critical, Severity.WARNING, Severity.CRITICAL)
        if severity is None:
            continue
        side = " (short)" if w < 0 else ""
        title = f"{symbol}{side} is {_pct(abs(w))} of NAV"
        body = (
            f"A single holding above {_pct(t.position_weight)} of NAV: {symbol}'s delta-adjusted exposure is "
            f"${abs(w) * nav:,.0f} of a ${nav:,.0f} book, so a bad day for {symbol} is a bad day for the book."
        )
        numbers = {"weight": float(w), "threshold": t.position_weight, "exposure": float(w) * nav, "nav": nav}
        cards.append(card(Rule.POSITION, str(symbol), severity, title, body, numbers))
    return cards


def hhi_cards(position_exposures: pd.Series, t: Thresholds = DEFAULTS) -> list[Card]:
    """A card when the HHI of |exposure| / gross across positions is above 0.18 (warning; above 0.30: critical)."""
    if not np.abs(position_exposures.to_numpy(dtype=np.float64)).sum() > 0:
        return []
    conc = concentration(position_exposures)
    severity = _escalate(conc.hhi, t.hhi, t.hhi_critical, Severity.WARNING, Severity.CRITICAL)
    if severity is None:
        return []
    title = f"Concentrated book: HHI {conc.hhi:.2f}"
    body = (
        f"The Herfindahl index of position weights (|exposure| / gross) is {conc.hhi:.2f}, above {t.hhi:.2f}: "
        f"the book carries the risk of {conc.effective_n:.1f} equal positions; the largest is {_pct(conc.top1)}."
    )
    numbers = {"hhi": conc.hhi, "threshold": t.hhi, "effective_n": conc.effective_n, "top1": conc.top1}
    return [card(Rule.HHI, "", severity, title, body, numbers)]


def sector_cards(tilts: pd.DataFrame, benchmark: str = "SPY", t: Thresholds = DEFAULTS) -> list[Card]:
    """A card per GICS sector over/underweight by more than 10 pp vs the benchmark (info; above 20 pp: warning).

    `tilts` is indexed by sector with columns portfolio_pp, benchmark_pp, active_pp (percent
    points of the equity sleeve, as `sigma.risk.sector.sector_vs_benchmark` returns); NaN rows are skipped.
    """
    cards = []
    for sector, row in tilts.iterrows():  # eleven sectors at most
        active = float(row["active_pp"])
        severity = _escalate(abs(active), t.sector_pp, t.sector_warning_pp, Severity.INFO, Severity.WARNING)
        if severity is None:  # NaN compares false: skipped
            continue
        side = "overweight" if active > 0 else "underweight"
        title = f"{sector} {side}: {active:+.1f} pp vs {benchmark}"
        body = (
            f"{sector} is {float(row['portfolio_pp']):.1f} % of the equity sleeve against "
            f"{float(row['benchmark_pp']):.1f} % in {benchmark}: "
            f"a {abs(active):.1f} pp bet, beyond {t.sector_pp:.0f} pp."
        )
        numbers = {
            "active_pp": active,
            "portfolio_pp": float(row["portfolio_pp"]),
            "benchmark_pp": float(row["benchmark_pp"]),
            "threshold_pp": t.sector_pp,
        }
        cards.append(card(Rule.SECTOR, str(sector), severity, title, body, numbers))
    return cards


def beta_cards(beta: float, benchmark: str = "SPY", t: Thresholds = DEFAULTS) -> list[Card]:
    """A card when the market beta is outside [0.7, 1.3] (info; outside [0.5, 1.5]: warning); none for NaN."""
    b = round(float(beta), DECIMALS)
    if not np.isfinite(b) or t.beta_low <= b <= t.beta_high:
        return []
    severity = Severity.WARNING if not t.beta_wide_low <= b <= t.beta_wide_high else Severity.INFO
    side = "High" if beta > t.beta_high else "Low"
    title = f"{side} market beta: {beta:.2f}"
    body = (
        f"The book's 1-year beta to {benchmark} is {beta:.2f}, outside [{t.beta_low:.1f}, {t.beta_high:.1f}]: "
        f"a 10 % move in {benchmark} moves it about {abs(beta) * 10:.1f} %."
    )
    numbers = {"beta": beta, "low": t.beta_low, "high": t.beta_high}
    return [card(Rule.BETA, "", severity, title, body, numbers)]


def drawdown_cards(returns: pd.Series, t: Thresholds = DEFAULTS) -> list[Card]:
    """A card when the book is more than 10 % below its peak today (warning; beyond 20 %: critical).

    `returns` are the book's daily returns over the window looked at (NaN dropped); the peak is the
    highest wealth in it (the starting 1.0 counts), the window's deepest fall goes in the numbers.
    """
    r = returns.dropna()
    if r.empty:
        return []
    dd = drawdown(r.to_frame("book"))["book"]
    current, deepest = float(dd.iloc[-1]), float(dd.min())
    severity = _escalate(-current, t.drawdown, t.drawdown_critical, Severity.WARNING, Severity.CRITICAL)
    if severity is None:
        return []
    wealth = (1.0 + r).cumprod()
    peak = wealth.index[int(np.argmax(wealth.to_numpy()))] if wealth.max() > 1.0 else r.index[0]
    peak_day = peak.date() if isinstance(peak, pd.Timestamp) else peak
    title = f"Down {_pct(-current)} from the peak"
    body = (
        f"The book is {_pct(-current)} below its high of {peak_day}, beyond {_pct(t.drawdown)}; "
        f"the deepest fall in the window was {_pct(-deepest)}."
    )
    numbers = {"drawdown": current, "max_drawdown": deepest, "threshold": t.drawdown, "peak": str(peak_day)}
    return [card(Rule.DRAWDOWN, "", severity, title, body, numbers)]


def volatility_cards(percentile: float, vol: float, t: Thresholds = DEFAULTS) -> list[Card]:
    """A card when today's volatility is above the 80th percentile of its own history (warning; 95th: critical).

    `percentile` is 0–100 (the HAR view's), `vol` the annualised vol it refers to (a fraction).
    """
    severity = _escalate(percentile, t.vol_percentile, t.vol_critical, Severity.WARNING, Severity.CRITICAL)
    if severity is None:
        return []
    title = f"High-volatility regime: {percentile:.0f}th percentile"
    body = (
        f"The book's volatility ({_pct(vol)} annualised) is above the {t.vol_percentile:.0f}th percentile of its "
        f"own history ({percentile:.0f}th): expect wider daily swings than usual."
    )
    numbers = {"percentile": percentile, "volatility": vol, "threshold": t.vol_percentile}
    return [card(Rule.VOLATILITY, "", severity, title, body, numbers)]


def style_cards(exposures: pd.Series, t: Thresholds = DEFAULTS) -> list[Card]:
    """A card per style factor with |β| above 0.5 (info; above 1.0: warning); NaN skipped.

    `exposures` are the book's factor betas by factor name, the market factor left out (the beta rule covers it).
    """
    cards = []
    for factor, beta in exposures.items():
        b = float(beta)
        severity = _escalate(abs(b), t.style_beta, t.style_warning, Severity.INFO, Severity.WARNING)
        if severity is None:
            continue
        title = f"{factor} tilt: β {b:+.2f}"
        body = f"The book's exposure to the {factor} factor is {b:+.2f}, beyond ±{t.style_beta:.1f}: a style bet."
        cards.append(card(Rule.STYLE, str(factor), severity, title, body, {"beta": b, "threshold": t.style_beta}))
    return cards


def cluster_cards(corr: pd.DataFrame, weights: pd.Series, t: Thresholds = DEFAULTS) -> list[Card]:
    """A card per group of ≥ 3 holdings with average pairwise ρ > 0.8 and combined |weight| > 30 % of NAV
    (warning; above 50 %: critical). Groups: complete linkage at ρ 0.8 (`sigma.insights.clusters`)."""
    cards = []
    for group in clusters(corr, weights, t.cluster_correlation, t.cluster_size):
        if not _above(group.average_correlation, t.cluster_correlation):
            continue
        severity = _escalate(group.weight, t.cluster_weight, t.cluster_critical, Severity.WARNING, Severity.CRITICAL)
        if severity is None:
            continue
        names = ", ".join(group.members)
        title = f"{len(group.members)} holdings move as one: {_pct(group.weight)} of NAV"
        body = (
            f"{names} have an average correlation of {group.average_correlation:.2f} and together make "
            f"{_pct(group.weight)} of NAV: diversification among them is thinner than their count suggests."
        )
        numbers = {"members": list(group.members), "average_correlation": group.average_correlation}
        numbers |= {"weight": group.weight, "threshold": t.cluster_weight}
        cards.append(card(Rule.CLUSTER, "+".join(group.members)[:128], severity, title, body, numbers))
    return cards


def stale_cards(
    last_dates: Mapping[str, date], reference: date, stale_after_days: int, t: Thresholds = DEFAULTS
) -> list[Card]:
    """A card when any holding's latest price is more than `stale_after_days` calendar days before
    `reference` (warning; more than `stale_critical_factor` times that: critical). One card per book."""
    ages = {s: (reference - d).days for s, d in last_dates.items()}
    stale = sorted((s for s, age in ages.items() if age > stale_after_days), key=lambda s: (-ages[s], s))
    if not stale:
        return []
    oldest = ages[stale[0]]
    severity = Severity.CRITICAL if oldest > stale_after_days * t.stale_critical_factor else Severity.WARNING
    title = f"Stale prices: {stale[0]}" if len(stale) == 1 else f"Stale prices: {len(stale)} holdings"
    body = (
        f"The latest price of {', '.join(stale)} is more than {stale_after_days} days old "
        f"(oldest: {stale[0]}, {oldest} days before {reference}): numbers built on it are out of date. {MARKET_ADVICE}"
    )
    numbers = {"symbols": stale, "oldest_days": oldest, "limit_days": stale_after_days, "reference": reference}
    return [card(Rule.STALE, "", severity, title, body, numbers)]
