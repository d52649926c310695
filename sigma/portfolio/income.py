"""Dividend income of a book: received by month, trailing-12-month income and yield on cost.

Conventions:

- Received dividends are the book's cash flows of kind `dividend` (`FlowKind.DIVIDEND`, stored
  signed, income positive), summed by calendar month of their date, up to `as_of`.
- Trailing twelve months (TTM) = the 365 calendar days ending on `as_of`, both ends inclusive of
  `as_of` and exclusive of `as_of − 365 days`.
- When the book has no dividend flow in the TTM window, the income shown is **projected**: each
  open stock or ETF position's market value × its profile dividend yield (a fraction a year;
  shorts owe the dividend, so their projection is negative), spread evenly over the twelve
  months ending with `as_of`'s month. Every row says which basis it is ("received", "projected").
- Yield on cost = TTM income / cost basis of the open long stock and ETF positions (the ones
  that earn dividends); NaN when that cost is 0. Options pay no dividends.
- Money in the book's base currency; yields are fractions (0.03 = 3 %).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sigma.conventions import CALENDAR_DAYS

INCOME_COLUMNS = ("month", "amount", "basis")
RECEIVED, PROJECTED = "received", "projected"
MONTHS_A_YEAR = 12


@dataclass(frozen=True)
class Income:
    """Dividends by month (`INCOME_COLUMNS`, month as a 'YYYY-MM' string), TTM income and yield on cost."""

    by_month: pd.DataFrame
    ttm: float
    cost_basis: float
    yield_on_cost: float
    basis: str  # "received" or "projected"
    notes: list[str] = field(default_factory=list)


def dividend_flows(flows: pd.DataFrame | None, as_of: date) -> pd.DataFrame:
    """The dividend rows (date, amount) of `flows` dated on or before `as_of`."""
    if flows is None or flows.empty:
        return pd.DataFrame({"date": pd.Series(dtype=object), "amount": pd.Series(dtype=float)})
    rows = flows[(flows["kind"].astype(str) == "dividend") & (pd.to_datetime(flows["date"]) <= pd.Timestamp(as_of))]
    return rows[["date", "amount"]].astype({"amount": "float64"}).reset_index(drop=True)


def received_by_month(dividends: pd.DataFrame) -> pd.DataFrame:
    """Received dividends summed by calendar month, oldest first (`INCOME_COLUMNS`)."""
    if dividends.empty:
        return pd.DataFrame(columns=list(INCOME_COLUMNS))
    month = pd.to_datetime(dividends["date"]).dt.strftime("%Y-%m")
    sums = dividends["amount"].groupby(month).sum().sort_index()
    return pd.DataFrame({"month": sums.index, "amount": sums.to_numpy(), "basis": RECEIVED})


def projected_annual(holdings: pd.DataFrame, dividend_yields: pd.Series) -> float:
    """Σ market value × dividend yield over open stock/ETF rows (`holdings`: symbol, is_option, market_value)."""
    stocks = holdings[~holdings["is_option"].to_numpy(bool)]
    yields = stocks["symbol"].map(dividend_yields).astype(float).fillna(0.0).to_numpy()
    return float(np.sum(stocks["market_value"].to_numpy(float) * yields))


def long_stock_cost(holdings: pd.DataFrame) -> float:
    """Cost basis of the open long stock/ETF rows (`holdings`: is_option, cost_basis)."""
    cost = holdings["cost_basis"].to_numpy(float)
    return float(cost[~holdings["is_option"].to_numpy(bool) & (cost > 0)].sum())


def _months_ending(as_of: date) -> list[str]:
    """The twelve 'YYYY-MM' months ending with `as_of`'s month, oldest first."""
    end = pd.Period(as_of, freq="M")
    return [str(end - k) for k in range(MONTHS_A_YEAR - 1, -1, -1)]


def income(flows: pd.DataFrame | None, holdings: pd.DataFrame, dividend_yields: pd.Series, as_of: date) -> Income:
    """Dividends by month, TTM income (received, else projected) and yield on cost at `as_of`."""
    dividends = dividend_flows(flows, as_of)
    window = pd.to_datetime(dividends["date"]) > pd.Timestamp(as_of - timedelta(days=CALENDAR_DAYS))
    cost = long_stock_cost(holdings)
    received = received_by_month(dividends)
    if window.any():
        ttm, basis, notes = float(dividends.loc[window, "amount"].sum()), RECEIVED, []
        by_month = received
    else:
        ttm, basis = projected_annual(holdings, dividend_yields), PROJECTED
        months = _months_ending(as_of)
        projection = pd.DataFrame({"month": months, "amount": ttm / MONTHS_A_YEAR, "basis": PROJECTED})
        by_month = pd.concat([received, projection], ignore_index=True) if len(received) else projection
        notes = ["No dividends recorded in the last 12 months: income is projected from holdings × dividend yield."]
    yoc = ttm / cost if cost > 0 else math.nan
    return Income(by_month.reset_index(drop=True), ttm, cost, yoc, basis, notes)
