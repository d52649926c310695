"""Data-quality report of stored prices: coverage, gaps, staleness, suspicious jumps, bad values.

Pure (no I/O, no settings, no clock: `as_of` is a parameter). Input: a long frame with symbol,
date and a price column (`adj_close`, else `close`, else `value`), or a wide frame (dates x
symbols, where NaN means "no row"). Business days are Monday to Friday (`numpy.busday_count`,
no holiday calendar, so a market holiday is a one-day gap and never reaches the gap threshold).

Per symbol: expected business days in [first, last]; coverage = rows / expected (a fraction);
a gap is a run of more than `GAP_DAYS` missing business days between two stored dates
(`max_gap` is the longest run, in business days); stale when `as_of - last` exceeds
`stale_after_days` calendar days; a jump is a simple daily return with |r| > `JUMP` (0.25 =
25 %) between two valid prices; bad values are NaN or non-positive prices. Status is "error"
(bad values or coverage below `ERROR_COVERAGE`), "warning" (stale, gaps, jumps or coverage
below `WARNING_COVERAGE`) or "ok", with a reason that says why.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

GAP_DAYS: Final = 3
JUMP: Final = 0.25
WARNING_COVERAGE: Final = 0.95
ERROR_COVERAGE: Final = 0.80
COLUMNS: Final = (
    "symbol",
    "first",
    "last",
    "rows",
    "expected",
    "coverage",
    "gaps",
    "max_gap",
    "days_since_last",
    "stale",
    "jumps",
    "worst_jump",
    "worst_jump_date",
    "bad_values",
    "status",
    "reason",
)


def _long(frame: pd.DataFrame) -> pd.DataFrame:
    """symbol, date (datetime64[D] values), value; sorted by symbol then date."""
    if "symbol" in frame.columns:
        column = next((c for c in ("adj_close", "close", "value") if c in frame.columns), None)
        if column is None:
            raise ValueError("quality_report needs an adj_close, close or value column.")
        data = pd.DataFrame({"symbol": frame["symbol"].astype(str), "date": frame["date"], "value": frame[column]})
    else:
        stacked = pd.Series(frame.rename_axis(index="date", columns="symbol").stack().dropna())  # wide NaN = no row
        data = stacked.rename("value").reset_index()
    data["date"] = pd.to_datetime(data["date"]).to_numpy().astype("datetime64[D]")
    data["value"] = pd.to_numeric(data["value"], errors="coerce").astype("float64")
    return data.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)


def quality_report(bars_or_frame: pd.DataFrame, as_of: date, stale_after_days: int) -> pd.DataFrame:
    """One row per symbol (`COLUMNS`), vectorised across symbols; empty input gives an empty frame."""
    data = _long(bars_or_frame)
    if data.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    days = data["date"].to_numpy().astype("datetime64[D]")
    values = data["value"].to_numpy()
    same = np.r_[False, data["symbol"].to_numpy()[1:] == data["symbol"].to_numpy()[:-1]]  # row continues a symbol
    prev_day = np.r_[days[:1], days[:-1]]
    missing = np.where(same, np.busday_count(prev_day + 1, days), 0)  # business days skipped before this row
    prev_value = np.r_[np.nan, values[:-1]]
    valid = same & (values > 0) & (prev_value > 0)
    ret = np.where(valid, values / np.where(valid, prev_value, 1.0) - 1.0, np.nan)
    parts = pd.DataFrame(
        {
            "symbol": data["symbol"],
            "date": days,
            "gap": missing > GAP_DAYS,
            "missing": missing,
            "jump": np.abs(ret) > JUMP,
            "abs_ret": np.abs(ret),
            "ret": ret,
            "bad": ~(values > 0),
        }
    )
    grouped = parts.groupby("symbol", sort=True)
    out = grouped.agg(
        first=("date", "min"),
        last=("date", "max"),
        rows=("date", "size"),
        gaps=("gap", "sum"),
        max_gap=("missing", "max"),
        jumps=("jump", "sum"),
        bad_values=("bad", "sum"),
    )
    worst = parts.loc[parts["abs_ret"].notna()].sort_values("abs_ret", kind="stable").groupby("symbol").tail(1)
    worst = worst.set_index("symbol").reindex(out.index)
    out["worst_jump"] = worst["ret"].where(worst["jump"].fillna(False).astype(bool))
    out["worst_jump_date"] = worst["date"].where(out["worst_jump"].notna())
    return _finish(out, as_of, stale_after_days)


def _finish(out: pd.DataFrame, as_of: date, stale_after_days: int) -> pd.DataFrame:
    first = out["first"].to_numpy().astype("datetime64[D]")
    last = out["last"].to_numpy().astype("datetime64[D]")
    out["expected"] = np.busday_count(first, last + 1)
    out["coverage"] = out["rows"] / out["expected"].clip(lower=1)
    out["days_since_last"] = (np.datetime64(as_of, "D") - last).astype(np.int64)
    out["stale"] = out["days_since_last"] > stale_after_days
    error = (out["bad_values"] > 0) | (out["coverage"] < ERROR_COVERAGE)
    warning = out["stale"] | (out["gaps"] > 0) | (out["jumps"] > 0) | (out["coverage"] < WARNING_COVERAGE)
    out["status"] = np.select([error, warning], ["error", "warning"], "ok")
    out["first"] = pd.DatetimeIndex(first).date
    out["last"] = pd.DatetimeIndex(last).date
    out["worst_jump_date"] = [None if pd.isna(d) else pd.Timestamp(d).date() for d in out["worst_jump_date"]]
    # formatting only: one short sentence per symbol (about 150), no arithmetic in the loop
    out["reason"] = [_reason(row) for row in out.itertuples()]
    out = out.astype({"rows": "int64", "gaps": "int64", "max_gap": "int64", "jumps": "int64", "bad_values": "int64"})
    return out.reset_index()[list(COLUMNS)]


def _reason(row: object) -> str:
    r: pd.Series = pd.Series(row._asdict())  # type: ignore[attr-defined]
    notes = []
    if r["bad_values"]:
        notes.append(f"{r['bad_values']} NaN or non-positive prices")
    if r["coverage"] < WARNING_COVERAGE:
        notes.append(f"coverage {r['coverage']:.0%} of business days")
    if r["stale"]:
        notes.append(f"last price {r['last']:%Y-%m-%d} is {r['days_since_last']} days old")
    if r["gaps"]:
        notes.append(f"{r['gaps']} gaps over {GAP_DAYS} business days (longest {r['max_gap']})")
    if r["jumps"]:
        notes.append(
            f"{r['jumps']} daily moves over {JUMP:.0%} (worst {r['worst_jump']:+.1%} on {r['worst_jump_date']})"
        )
    return "; ".join(notes) if notes else "complete and current"
