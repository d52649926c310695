"""Tables of the Portfolio view built from the loaded data (no I/O here).

Conventions: holdings are the open positions at `as_of`; `pnl` is unrealized P&L, `weight` is
exposure / NAV; target upside and downside are relative to the priced symbol's spot (the
underlying for options). Exposure tables group delta-adjusted exposure by sector, asset class
(of the priced symbol) and tag (a position with several tags counts in each; none → "Untagged"),
with `pct_nav` = net / NAV. Attribution over the last N snapshot days: P&L = unrealized at the
end − unrealized at the start of the window + realized P&L booked in the window, summed by
symbol, `contribution_pct` = P&L / NAV at the start of the window; the five largest
contributors and detractors. The equity curve is the snapshots' time-weighted return with the
benchmark rebased to the first snapshot day.

Holdings also carry `cost_basis` (sign × qty × multiplier × entry price), `day_pnl` in dollars
(sign × qty × multiplier × (price − previous price), `valuation`) and `realized_pnl`: the
realized P&L of the symbol's closed lots (positions are closed whole), shown on the symbol's
largest open row only so the column adds up. `with_cash` appends a "Cash" line (value = cash,
weight = cash / NAV), so market values add up to NAV. The allocation frame is a tree for a
treemap: asset class → sector → position, `value` = |exposure| / NAV (a parent is the sum of
its children), plus a "Cash" node when cash is positive (`sigma.portfolio.allocation`).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sigma.portfolio.activity import ActivityInputs, ActivityItem, activity_feed
from sigma.portfolio.exposure import exposure_by
from sigma.portfolio.history import benchmark_curve, equity_curve
from sigma.portfolio.inputs import PriceInputs
from sigma.portfolio.valuation import OPTION_TYPES, Valuation, signed_units
from sigma.portfolio.view.columns import (
    ATTRIBUTION_COLUMNS,
    CASH_SYMBOL,
    CLOSED_COLUMNS,
    EQUITY_COLUMNS,
    EXPOSURE_COLUMNS,
    HOLDING_COLUMNS,
    OPTION_COLUMNS,
)

SPARK_TRADING_DAYS = 63
TOP_N = 5
ACTIVITY_CALENDAR_DAYS = 7


def sparks(close: pd.DataFrame, symbols: pd.Series) -> list[list[float]]:
    """The last 63 closes of each row's symbol, as plain lists (one list per row for LineChartColumn)."""
    wanted = [s for s in symbols.unique() if s in close.columns]
    tail = close[wanted].ffill().iloc[-SPARK_TRADING_DAYS:].round(4)
    lines = dict(zip(wanted, tail.T.to_numpy().tolist(), strict=True))
    return [lines.get(s, []) for s in symbols]  # building list cells, one per row


def holdings(val: Valuation, positions: pd.DataFrame, prices: PriceInputs) -> pd.DataFrame:
    """Open positions with value, P&L, weight, spark line, tags and targets."""
    frame, open_ = val.positions, val.positions["open"].to_numpy(bool)
    book = positions[open_]
    spot = book["priced"].map(prices.close.ffill().iloc[-1]).to_numpy(float)
    out = pd.DataFrame(
        {
            "position_id": book["id"].to_numpy(),
            "symbol": book["symbol"].to_numpy(),
            "type": book["position_type"].to_numpy(),
            "quantity": book["quantity"].to_numpy(),
            "price": frame["price"].to_numpy()[open_],
            "market_value": frame["market_value"].to_numpy()[open_],
            "cost_basis": frame["cost_basis"].to_numpy()[open_],
            "pnl": frame["unrealized_pnl"].to_numpy()[open_],
            "pnl_pct": frame["unrealized_pnl_pct"].to_numpy()[open_],
            "realized_pnl": 0.0,
            "day_pnl": frame["day_pnl"].to_numpy()[open_],
            "weight": frame["weight"].to_numpy()[open_],
            "day_change_pct": frame["day_change_pct"].to_numpy()[open_],
            "spark": sparks(prices.close, book["priced"]),
            "tags": book["tags"].to_numpy(),
            "target_eoy": book["target_eoy"].to_numpy(),
            "target_next_year": book["target_next_year"].to_numpy(),
            "downside": book["downside"].to_numpy(),
            "target_note": book["target_note"].to_numpy(),
            "target_upside_pct": book["target_eoy"].to_numpy(float) / spot - 1.0,
            "downside_pct": book["downside"].to_numpy(float) / spot - 1.0,
            "entry_date": book["entry_date"].to_numpy(),
            "expiry": book["expiry"].to_numpy(),
            "strike": book["strike"].to_numpy(),
            "vol_source": frame["vol_source"].to_numpy()[open_],
        },
        columns=list(HOLDING_COLUMNS),
    )
    out = out.sort_values("market_value", key=np.abs, ascending=False, ignore_index=True)
    return _with_realized(out, val, positions)


def _with_realized(holdings: pd.DataFrame, val: Valuation, positions: pd.DataFrame) -> pd.DataFrame:
    """Put each symbol's realized P&L of closed lots on its first (largest) open row."""
    closed_ = val.positions["closed"].to_numpy(bool)
    by_symbol = (
        pd.Series(val.positions["realized_pnl"].to_numpy(float)[closed_])
        .groupby(positions["symbol"].to_numpy()[closed_])
        .sum()
    )
    first = ~holdings["symbol"].duplicated()
    realized = holdings["symbol"].map(by_symbol).astype(float).fillna(0.0)
    return holdings.assign(realized_pnl=realized.where(first, 0.0))


def with_cash(holdings: pd.DataFrame, cash: float, nav: float) -> pd.DataFrame:
    """The holdings with a "Cash" line last: value and cost = cash, weight = cash / NAV, no P&L."""
    line = {
        "symbol": CASH_SYMBOL,
        "type": "CASH",
        "market_value": cash,
        "cost_basis": cash,
        "pnl": 0.0,
        "realized_pnl": 0.0,
        "day_pnl": 0.0,
        "weight": cash / nav if nav > 0 else np.nan,
        "spark": [],
        "tags": [],
    }
    row = pd.DataFrame([line], columns=list(HOLDING_COLUMNS))
    return pd.concat([holdings.astype({"position_id": object}), row], ignore_index=True) if len(holdings) else row


def closed(val: Valuation, positions: pd.DataFrame) -> pd.DataFrame:
    """Closed positions with realized P&L (and as a fraction of |cost|)."""
    mask = val.positions["closed"].to_numpy(bool)
    book = positions[mask]
    units, _ = signed_units(book)
    cost = np.abs(units * book["entry_price"].to_numpy(float))
    realized = val.positions["realized_pnl"].to_numpy(float)[mask]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(cost > 0, realized / cost, np.nan)
    out = book.rename(columns={"id": "position_id", "position_type": "type"}).assign(
        realized_pnl=realized, realized_pnl_pct=pct
    )
    return out.reindex(columns=list(CLOSED_COLUMNS)).reset_index(drop=True)


def equity(snapshots: pd.DataFrame, close: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """date, nav, twr_cum, benchmark_cum, drawdown, benchmark_drawdown over the snapshot history."""
    if snapshots.empty:
        return pd.DataFrame(columns=list(EQUITY_COLUMNS))
    curve = equity_curve(snapshots)
    out = pd.DataFrame({"nav": curve["nav"], "twr_cum": curve["cumulative_return"], "drawdown": curve["drawdown"]})
    out["benchmark_cum"], out["benchmark_drawdown"] = np.nan, np.nan
    if benchmark in close.columns and close[benchmark].notna().any():
        bench = benchmark_curve(close[benchmark].dropna(), snapshots["date"].iloc[0])
        bench = bench.set_axis(pd.to_datetime(bench.index).date)
        out["benchmark_cum"] = bench["cumulative_return"].reindex(out.index).ffill().to_numpy()
        out["benchmark_drawdown"] = bench["drawdown"].reindex(out.index).ffill().to_numpy()
    return out.rename_axis("date").reset_index().reindex(columns=list(EQUITY_COLUMNS))


def exposures(val: Valuation, positions: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Exposure tables keyed sector, asset_class, tag."""
    frame = val.positions.assign(
        sector=positions["sector"].to_numpy(),
        asset_class=positions["asset_class"].to_numpy(),
        tag=pd.Series(
            [t if len(t) else ["Untagged"] for t in positions["tags"]], index=val.positions.index, dtype=object
        ),  # one list cell per position
    )
    out: dict[str, pd.DataFrame] = {}
    for key in ("sector", "asset_class", "tag"):  # three groupings, not assets
        if not frame["open"].any():
            out[key] = pd.DataFrame(columns=list(EXPOSURE_COLUMNS))
            continue
        table = exposure_by(frame, key)
        table["pct_nav"] = table["net"] / val.nav if val.nav > 0 else np.nan
        out[key] = table.rename_axis("group").reset_index().reindex(columns=list(EXPOSURE_COLUMNS))
    return out


def options(val: Valuation, positions: pd.DataFrame) -> pd.DataFrame:
    """Open option positions with position Greeks (delta in shares, theta $/day, vega $/vol point)."""
    frame = val.positions
    mask = frame["open"].to_numpy(bool) & positions["position_type"].isin(OPTION_TYPES).to_numpy()
    book = positions[mask]
    days = (pd.to_datetime(book["expiry"]) - pd.Timestamp(val.as_of)).dt.days
    out = book.rename(columns={"position_type": "type"}).assign(
        days_to_expiry=days.to_numpy(),
        **{c: frame[c].to_numpy()[mask] for c in ("price", "delta", "gamma", "theta", "vega", "dollar_delta")},
        vol_source=frame["vol_source"].to_numpy()[mask],
        expired=frame["expired"].to_numpy(bool)[mask],
    )
    return out.reindex(columns=list(OPTION_COLUMNS)).reset_index(drop=True)


def window_pnl(window: pd.DataFrame, positions: pd.DataFrame) -> tuple[pd.Series, date | None]:
    """(P&L by symbol over the window, first day of the window) from the window's position snapshots."""
    if window.empty:
        return pd.Series(dtype=float), None
    first, last = min(window["date"]), max(window["date"])
    table = window.pivot_table(index="position_id", columns="date", values="unrealized_pnl", aggfunc="sum")
    ends = table.reindex(columns=[first, last]).fillna(0.0)
    moved = ends[last] - ends[first]
    book = positions.set_index("id")
    units, _ = signed_units(book)
    exits = pd.to_datetime(book["exit_date"])
    booked = ((exits > pd.Timestamp(first)) & (exits <= pd.Timestamp(last))).to_numpy()
    gain = units * (book["exit_price"] - book["entry_price"]).to_numpy(float)
    realized = pd.Series(np.where(booked, gain, 0.0), index=book.index)
    pnl = realized.add(moved, fill_value=0.0)
    return pnl.groupby(book["symbol"].reindex(pnl.index)).sum(), first


def attribution(by_symbol: pd.Series, nav_start: float) -> pd.DataFrame:
    """Top contributors and detractors with their share of the starting NAV."""
    top = pd.concat([by_symbol[by_symbol > 0].nlargest(TOP_N), by_symbol[by_symbol < 0].nsmallest(TOP_N)])
    top = top.sort_values(ascending=False)
    pct = top / nav_start if nav_start > 0 else top * np.nan
    return pd.DataFrame(
        {"symbol": top.index.astype(str), "pnl": top.to_numpy(), "contribution_pct": pct.to_numpy()},
        columns=list(ATTRIBUTION_COLUMNS),
    )


def activity(
    positions: pd.DataFrame,
    prices: PriceInputs,
    contributions: tuple[pd.Series, date | None],
    as_of: date,
    stale_after_days: int,
) -> list[ActivityItem]:
    """The activity feed of the (possibly tag-filtered) positions; `contributions` as from `window_pnl`."""
    close = prices.close
    symbols = [s for s in positions["priced"].unique() if s in prices.last_dates]
    inputs = ActivityInputs(
        returns=close.pct_change(fill_method=None).iloc[1:],
        positions=positions,
        prices=close.ffill().iloc[-1],
        targets=positions.set_index("id")["target_eoy"].dropna(),
        last_price_dates=pd.Series({s: prices.last_dates[s] for s in symbols}, dtype=object),
        contributions=contributions[0],
        contributions_since=contributions[1],
    )
    return activity_feed(inputs, as_of, days=ACTIVITY_CALENDAR_DAYS, stale_after_days=stale_after_days)
