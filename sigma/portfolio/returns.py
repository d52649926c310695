"""Period returns of a book: time-weighted (TWR) and money-weighted (IRR) side by side, with the benchmark.

Conventions:

- Snapshots are end-of-day: `nav` includes the day's external `flows` (deposits, withdrawals,
  entry costs, exit proceeds; see `sigma.portfolio.snapshots`). Dividends are income, not flows.
- A period runs from its start snapshot (the last snapshot on or before the period's anchor date)
  to the end snapshot (`as_of`, the last one). Anchors: 1D the previous snapshot; MTD the last
  day of the previous month; YTD 31 December of the previous year; 1Y and 3Y the same calendar
  day one and three years earlier; since inception the first snapshot. A period whose anchor is
  before the first snapshot has no return ("n/a (history starts YYYY-MM-DD)"), never a number.
- TWR chains the daily returns net of flows, `r_t = (NAV_t − F_t) / NAV_{t−1} − 1`
  (`history.equity_curve`): TWR = W_end / W_start − 1 with W the wealth index.
- MWR is the internal rate of return of the investor's cash flows: −NAV_start at the start,
  −F_t on each day of the period after the start (a deposit is money put in), +NAV_end at the
  end; time in calendar days / 365 (XIRR). It is solved for the log of the period's growth
  factor with a bracketed root finder (`scipy.optimize.brentq`); with more than one sign change
  several roots can exist and the one in the bracket is reported.
- Annualisation on calendar days: `(1 + R)^(365 / days) − 1`. 3Y is annualised; since inception
  is annualised when it spans more than 365 days; shorter periods are cumulative. (DOMAIN.md's
  CAGR counts 252 trading days a year; over dated periods calendar days match IRR's clock.)
- The benchmark's return over the same dates is close(end) / close(start) − 1 on the last close
  on or before each date, annualised like the book's.
- Fractions throughout (0.05 = 5 %); NaN where a number cannot be computed (NAV ≤ 0, no root).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from sigma.conventions import CALENDAR_DAYS
from sigma.portfolio.history import equity_curve
from sigma.typing import FloatArray

RETURN_COLUMNS = ("period", "start", "end", "annualised", "twr", "mwr", "benchmark", "note")
PERIODS = ("1D", "MTD", "YTD", "1Y", "3Y", "Since inception")
_WIDEST_LOG_GROWTH = 700.0  # |ln(1 + g)| searched up to e^700 (float64's range)


def annualise(total: float, days: float) -> float:
    """`(1 + total)^(365 / days) − 1`: a cumulative return over `days` calendar days as a yearly rate."""
    if days <= 0 or not total > -1.0:
        return math.nan
    return float((1.0 + total) ** (CALENDAR_DAYS / days) - 1.0)


def _scaled_npv(x: float, exponents: FloatArray, amounts: FloatArray) -> float:
    """NPV at growth e^x − 1 times min(e^x, 1): Σ amount × e^(−exponent·x + min(x, 0)), same sign, no overflow.

    With exponents in [0, 1] every power stays ≤ 1, so the sign is readable for any x.
    """
    return float(np.sum(amounts * np.exp(-exponents * x + min(x, 0.0))))


def solve_growth(exponents: FloatArray, amounts: FloatArray) -> float:
    """The rate g with Σ amount × (1 + g)^(−exponent) = 0; NaN without a sign change on (−1, e^700 − 1).

    `exponents` are times as fractions of the rate's period, in [0, 1] (0 = start, 1 = one
    period later). Solved for x = ln(1 + g) with `brentq`, from a bracket of ±1 widened until the
    scaled NPV changes sign.
    """
    t, a = np.asarray(exponents, dtype=np.float64), np.asarray(amounts, dtype=np.float64)
    width = 1.0
    while _scaled_npv(-width, t, a) * _scaled_npv(width, t, a) > 0 and width < _WIDEST_LOG_GROWTH:
        width *= 2.0
    if not _scaled_npv(-width, t, a) * _scaled_npv(width, t, a) <= 0:
        return math.nan
    x = brentq(_scaled_npv, -width, width, args=(t, a), xtol=1e-15, rtol=1e-15, maxiter=400)
    return float(np.expm1(x))


def irr(years: FloatArray, amounts: FloatArray) -> float:
    """Annual internal rate of return of `amounts` paid at `years` (≥ 0, from the first flow); NaN if none."""
    t = np.asarray(years, dtype=np.float64)
    span = float(t.max() - t.min()) if len(t) else 0.0
    if span <= 0:
        return math.nan
    growth = solve_growth((t - t.min()) / span, np.asarray(amounts, dtype=np.float64))
    return float((1.0 + growth) ** (1.0 / span) - 1.0) if growth > -1.0 else math.nan


@dataclass(frozen=True)
class History:
    """The snapshots as arrays, oldest first: days (datetime64[D]), NAV, flows and the TWR wealth index."""

    days: np.ndarray
    nav: FloatArray
    flows: FloatArray
    wealth: FloatArray

    @classmethod
    def of(cls, snapshots: pd.DataFrame) -> History:
        """Arrays of `snapshots` (date, nav, flows; flows missing count as 0)."""
        curve = equity_curve(snapshots)
        days = pd.to_datetime(pd.Series(curve.index)).to_numpy("datetime64[D]")
        return cls(days, curve["nav"].to_numpy(float), curve["flows"].to_numpy(float), curve["wealth"].to_numpy(float))

    def at(self, day: date) -> int:
        """Row of the last snapshot on or before `day` (−1 when none)."""
        return int(np.searchsorted(self.days, np.datetime64(day, "D"), side="right")) - 1

    def twr(self, i0: int, i1: int) -> float:
        """Time-weighted return from the end of row i0 to the end of row i1."""
        w0, w1 = self.wealth[i0], self.wealth[i1]
        return float(w1 / w0 - 1.0) if np.isfinite(w0) and w0 > 0 and np.isfinite(w1) else math.nan

    def mwr(self, i0: int, i1: int) -> float:
        """Money-weighted return from the end of row i0 to the end of row i1 (cumulative); NaN when NAV ≤ 0."""
        span = float((self.days[i1] - self.days[i0]).astype(np.int64))
        if not self.nav[i0] > 0 or span <= 0:
            return math.nan
        inside = slice(i0 + 1, i1 + 1)
        elapsed = (self.days[inside] - self.days[i0]).astype(np.int64).astype(np.float64)
        exponents = np.concatenate([[0.0], elapsed, [span]]) / span
        amounts = np.concatenate([[-self.nav[i0]], -self.flows[inside], [self.nav[i1]]])
        return solve_growth(exponents, amounts)


def twr(snapshots: pd.DataFrame, start: date, end: date) -> float:
    """Time-weighted return from the end of `start` to the end of `end` (both snapshot dates)."""
    book = History.of(snapshots)
    return book.twr(book.at(start), book.at(end))


def mwr(snapshots: pd.DataFrame, start: date, end: date) -> float:
    """Money-weighted return over the period (cumulative, not annualised); NaN when NAV_start ≤ 0."""
    book = History.of(snapshots)
    return book.mwr(book.at(start), book.at(end))


def _closes(close: pd.Series) -> tuple[np.ndarray, FloatArray]:
    """(days as datetime64[D], closes) of a close series without gaps, oldest first."""
    prices = close.dropna().sort_index()
    return pd.to_datetime(prices.index).to_numpy("datetime64[D]"), prices.to_numpy(float)


def _price_return(days: np.ndarray, closes: FloatArray, start: date, end: date) -> float:
    """closes(end) / closes(start) − 1 on the last close on or before each date; NaN without one."""
    i0, i1 = (int(np.searchsorted(days, np.datetime64(d, "D"), side="right")) - 1 for d in (start, end))
    return float(closes[i1] / closes[i0] - 1.0) if i0 >= 0 and i1 >= 0 else math.nan


def price_return(close: pd.Series, start: date, end: date) -> float:
    """close(end) / close(start) − 1 on the last close on or before each date; NaN without one."""
    return _price_return(*_closes(close), start, end)


def _years_back(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def anchors(first: date, previous: date | None, as_of: date) -> dict[str, date | None]:
    """Anchor date of each period, from the first, previous and last snapshot dates (1D: None without a previous)."""
    month_end = as_of.replace(day=1) - timedelta(days=1)
    return {
        "1D": previous,
        "MTD": month_end,
        "YTD": date(as_of.year - 1, 12, 31),
        "1Y": _years_back(as_of, 1),
        "3Y": _years_back(as_of, 3),
        "Since inception": first,
    }


@dataclass(frozen=True)
class PeriodReturn:
    """One row of the period-returns table (fractions; `note` says why a row has no numbers)."""

    period: str
    start: date | None
    end: date
    annualised: bool
    twr: float
    mwr: float
    benchmark: float
    note: str = ""


def _period(book: History, bench: tuple[np.ndarray, FloatArray], label: str, i0: int) -> PeriodReturn:
    """TWR, MWR and benchmark return from row i0 to the last row, annualised where the conventions say so."""
    i1 = len(book.days) - 1
    start, end = (pd.Timestamp(book.days[i]).date() for i in (i0, i1))
    days = (end - start).days
    yearly = label == "3Y" or (label == "Since inception" and days > CALENDAR_DAYS)
    values = [book.twr(i0, i1), book.mwr(i0, i1), _price_return(*bench, start, end)]
    if yearly:
        values = [annualise(v, days) for v in values]
    return PeriodReturn(label, start, end, yearly, twr=values[0], mwr=values[1], benchmark=values[2])


def period_returns(snapshots: pd.DataFrame, benchmark_close: pd.Series) -> pd.DataFrame:
    """1D, MTD, YTD, 1Y, 3Y (annualised) and since-inception TWR, MWR and benchmark (`RETURN_COLUMNS`)."""
    if snapshots.empty:
        return pd.DataFrame(columns=list(RETURN_COLUMNS))
    book, bench = History.of(snapshots), _closes(benchmark_close)
    first, end = (pd.Timestamp(book.days[i]).date() for i in (0, -1))
    previous = pd.Timestamp(book.days[-2]).date() if len(book.days) > 1 else None
    rows = []
    for label, anchor in anchors(first, previous, end).items():  # six periods, not dates
        if anchor is None or anchor < first:
            note = f"n/a (history starts {first:%Y-%m-%d})"
            rows.append(PeriodReturn(label, None, end, False, math.nan, math.nan, math.nan, note))
            continue
        rows.append(_period(book, bench, label, book.at(anchor)))  # from the last snapshot on or before it
    return pd.DataFrame([r.__dict__ for r in rows], columns=list(RETURN_COLUMNS))
