"""The data-quality report on reference inputs: stale, gaps, jumps, bad values, coverage."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.market.quality import quality_report

DAYS = pd.bdate_range("2026-01-01", "2026-03-31")  # 64 business days
AS_OF = date(2026, 4, 2)  # Thursday: two calendar days after the last row


def _report(wide: pd.DataFrame, stale_after_days: int = 4) -> pd.DataFrame:
    return quality_report(wide, AS_OF, stale_after_days).set_index("symbol")


def test_a_complete_current_series_is_ok():
    r = _report(pd.DataFrame({"OK": np.linspace(100, 110, len(DAYS))}, index=DAYS)).loc["OK"]
    assert (r["rows"], r["expected"], r["coverage"], r["status"]) == (64, 64, 1.0, "ok")
    assert r["days_since_last"] == 2 and not r["stale"] and r["reason"] == "complete and current"


def test_a_series_that_stopped_is_stale():
    wide = pd.DataFrame({"OLD": 100.0}, index=DAYS[DAYS <= "2026-03-20"])
    r = _report(wide).loc["OLD"]
    # 2026-04-02 - 2026-03-20 = 13 calendar days > 4
    assert r["stale"] and r["days_since_last"] == 13 and r["status"] == "warning" and "13 days old" in r["reason"]


def test_a_missing_week_is_one_gap_and_holidays_are_not():
    values = pd.Series(100.0, index=DAYS)
    values[(DAYS >= "2026-02-09") & (DAYS <= "2026-02-13")] = np.nan  # five business days missing
    values[DAYS == "2026-01-19"] = np.nan  # a one-day holiday
    r = _report(values.to_frame("GAP")).loc["GAP"]
    assert (r["gaps"], r["max_gap"], r["rows"]) == (1, 5, 58)
    assert r["coverage"] == 58 / 64 and r["status"] == "warning"


def test_jumps_beyond_25_percent_are_counted_with_the_worst_date():
    values = pd.Series(100.0, index=DAYS)
    values.iloc[10] = 130.0  # +30 % on day 10, then 100 / 130 - 1 = -23.1 % (under the threshold)
    values.iloc[40:] = 60.0  # 60 / 100 - 1 = -40 % on day 40: the worst
    r = _report(values.to_frame("J")).loc["J"]
    assert r["jumps"] == 2 and r["worst_jump"] == -0.40 and r["worst_jump_date"] == DAYS[40].date()


def test_nan_and_non_positive_prices_are_errors_in_a_long_frame():
    long = pd.DataFrame({"symbol": "BAD", "date": DAYS.date, "adj_close": 50.0})
    long.loc[[3, 7], "adj_close"] = [0.0, np.nan]
    long.loc[12, "adj_close"] = -1.0
    r = quality_report(long, AS_OF, 4).set_index("symbol").loc["BAD"]
    assert r["bad_values"] == 3 and r["status"] == "error" and "3 NaN or non-positive" in r["reason"]
    assert r["jumps"] == 0  # returns next to a bad value are not computed


def test_long_and_wide_inputs_give_the_same_report():
    rng = np.random.default_rng(0)
    wide = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.2, (64, 3)), axis=0)), index=DAYS, columns=list("ABC"))
    wide.iloc[5:12, 1] = np.nan
    long = wide.stack().dropna().rename("close").rename_axis(["date", "symbol"]).reset_index()  # wide NaN = no row
    pd.testing.assert_frame_equal(quality_report(wide, AS_OF, 4), quality_report(long, AS_OF, 4))


def test_an_empty_frame_gives_an_empty_report():
    assert quality_report(pd.DataFrame({"symbol": [], "date": [], "close": []}), AS_OF, 4).empty


@settings(max_examples=50, deadline=None)
@given(st.sets(st.integers(0, 63), min_size=1))
def test_coverage_is_a_fraction_and_gaps_add_up(kept):
    days = DAYS[sorted(kept)]
    r = _report(pd.DataFrame({"X": 1.0}, index=days)).loc["X"]
    span = DAYS[sorted(kept)[0] : sorted(kept)[-1] + 1]
    assert r["expected"] == len(span) and 0 < r["coverage"] <= 1 and r["rows"] == len(kept)
    assert r["max_gap"] == (np.diff(sorted(kept)).max() - 1 if len(kept) > 1 else 0)
