"""validate_bars: cleaning rules, per-symbol messages, and invariants on arbitrary input."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.conventions import Source
from sigma.market.providers.csv import CsvProvider
from sigma.market.standard import BAR_COLUMNS
from sigma.market.validate import MAX_BAR_PRICE, NO_USABLE_PRICES, validate_bars

DAYS = pd.bdate_range("2024-01-02", periods=6)


def bars(
    symbol: str, closes: list[float], adj: list[float] | None = None, days: pd.DatetimeIndex = DAYS
) -> pd.DataFrame:
    """A clean bars frame: open = close, high = close + 1, low = close - 1."""
    close = np.array(closes, dtype=float)
    return pd.DataFrame(
        {
            "symbol": symbol,
            "date": days[: len(close)],
            "open": close,
            "high": close + 1,
            "low": close - 1,
            "close": close,
            "adj_close": close if adj is None else np.array(adj, dtype=float),
            "volume": 1000.0,
        }
    )


def test_clean_bars_pass_unchanged_in_the_standard_shape():
    frame = pd.concat([bars("MSFT", [10, 11, 12]), bars("AAPL", [20, 21, 22])])
    out = validate_bars(frame.sample(frac=1, random_state=0), Source.LIVE)
    assert tuple(out.bars.columns) == BAR_COLUMNS
    assert list(out.bars["symbol"]) == ["AAPL"] * 3 + ["MSFT"] * 3
    assert out.bars["date"].iloc[0] == date(2024, 1, 2) and type(out.bars["date"].iloc[0]) is date
    assert out.bars["close"].tolist() == [20, 21, 22, 10, 11, 12]
    assert out.errors == {} and out.warnings == {}
    assert out.source is Source.LIVE


def test_rows_with_missing_or_non_positive_closes_are_dropped_with_count_and_first_date():
    frame = bars("AAPL", [10, np.nan, 12, 13, 14], adj=[10, 11, 12, 0, 14])
    out = validate_bars(frame, Source.CSV)
    assert out.bars["date"].tolist() == [date(2024, 1, 2), date(2024, 1, 4), date(2024, 1, 8)]
    assert out.warnings["AAPL"] == "dropped 2 rows with a missing or non-positive close (first 2024-01-03)"


def test_infinite_nan_and_absurd_closes_are_dropped_with_a_note_naming_them():
    frame = bars("AAPL", [10, np.inf, 12, 1e308, 14, 15], adj=[10, 11, np.nan, 13, -np.inf, 15])
    out = validate_bars(frame, Source.LIVE)
    assert out.bars["date"].tolist() == [date(2024, 1, 2), date(2024, 1, 9)]
    assert out.bars["close"].tolist() == [10.0, 15.0]
    assert out.warnings["AAPL"] == (
        "dropped 2 rows with a missing or non-positive close (first 2024-01-04); "
        "dropped 2 rows with an infinite close or one above 1,000,000,000 (first 2024-01-03)"
    )


def test_an_infinite_open_high_or_low_is_filled_from_the_close():
    frame = bars("AAPL", [10, 11]).assign(open=[np.inf, 11.0], high=[11.0, 1e308], low=[-np.inf, 10.0])
    out = validate_bars(frame, Source.LIVE)
    assert out.bars[["open", "high", "low", "close"]].to_numpy().tolist() == [[10, 11, 10, 10], [11, 11, 10, 11]]
    assert out.warnings["AAPL"] == "repaired open/high/low on 2 rows (first 2024-01-02)"


def test_absurd_zero_and_400_digit_closes_in_a_csv_price_file_are_dropped_with_notes(tmp_path):
    rows = ["2024-01-02,470.5", "2024-01-03,99999999999", "2024-01-04,0", f"2024-01-05,{'9' * 400}"]
    (tmp_path / "SPY.csv").write_text("Date,Close\n" + "\n".join(rows) + "\n")
    out = CsvProvider(tmp_path).fetch_bars(["SPY"], date(2024, 1, 1), date(2024, 1, 31))
    assert out.bars["close"].tolist() == [470.5]
    warning = out.warnings["SPY"]  # the 400-digit cell is unreadable (missing) or inf, by the reader's rules
    assert "dropped 1 row with an infinite close or one above 1,000,000,000 (first 2024-01-03)" in warning
    assert "with a missing or non-positive close (first 2024-01-04)" in warning


def test_a_symbol_without_any_usable_row_is_an_error_and_the_others_still_load():
    frame = pd.concat([bars("AAPL", [np.nan, -1.0]), bars("SPY", [400, 401])])
    out = validate_bars(frame, Source.LIVE)
    assert out.errors == {"AAPL": NO_USABLE_PRICES}
    assert "AAPL" not in out.warnings
    assert set(out.bars["symbol"]) == {"SPY"}


def test_duplicated_dates_keep_the_last_row_and_warn():
    frame = pd.concat([bars("SPY", [400, 401, 402]), bars("SPY", [999], days=DAYS[1:])])
    out = validate_bars(frame, Source.LIVE)
    assert out.bars["close"].tolist() == [400, 999, 402]
    assert out.warnings["SPY"] == "1 duplicated date (first 2024-01-03); kept the last row"


def test_high_and_low_are_widened_to_contain_open_and_close_and_missing_ones_filled_from_close():
    frame = bars("SPY", [100, 101, 102])
    frame.loc[0, "high"] = 99.0  # below the close of 100
    frame.loc[1, "low"] = 101.5  # above the close of 101
    frame.loc[2, "open"] = np.nan
    out = validate_bars(frame, Source.LIVE)
    assert out.bars["high"].tolist() == [100.0, 102.0, 103.0]
    assert out.bars["low"].tolist() == [99.0, 101.0, 101.0]
    assert out.bars["open"].tolist() == [100.0, 101.0, 102.0]
    assert out.warnings["SPY"] == "repaired open/high/low on 3 rows (first 2024-01-02)"


def test_a_halving_close_that_adj_close_does_not_share_is_a_possible_unadjusted_split():
    # close 200 -> 100 is -50 %; adj_close 100 -> 100.5 is +0.5 %: they disagree
    frame = bars("NVDA", [200, 200, 100, 101], adj=[100, 100, 100.5, 101])
    out = validate_bars(frame, Source.LIVE)
    assert out.warnings["NVDA"] == "possible unadjusted split on 2024-01-04"
    assert len(out.bars) == 4  # flagged, not dropped


def test_a_jump_in_both_series_at_a_split_ratio_is_flagged_but_a_plain_crash_is_not():
    # 3-for-1: 300 -> 100 is a ratio of 1/3 in both series
    assert "split" in validate_bars(bars("X", [300, 100], adj=[300, 100]), Source.LIVE).warnings["X"]
    # a 45 % fall shared by adj_close (ratio 0.55, 10 % away from 1/2) is a market move
    assert validate_bars(bars("X", [100, 55], adj=[100, 55]), Source.LIVE).warnings == {}
    # a 30 % move is below the 40 % threshold whatever adj_close does
    assert validate_bars(bars("X", [100, 70], adj=[100, 100]), Source.LIVE).warnings == {}


def test_dates_given_as_strings_or_tz_aware_timestamps_become_exchange_dates():
    frame = bars("SPY", [1, 2])
    frame["date"] = ["2024-01-02", "2024-01-03"]
    tz_frame = bars("QQQ", [1, 2])
    tz_frame["date"] = pd.to_datetime(["2024-01-02 09:30", "2024-01-03 09:30"]).tz_localize("America/New_York")
    for given_dates in (frame, tz_frame):
        out = validate_bars(given_dates, Source.CSV)
        assert out.bars["date"].tolist() == [date(2024, 1, 2), date(2024, 1, 3)]


def test_missing_volume_column_becomes_nan_and_negative_volume_is_unknown():
    frame = bars("SPY", [1, 2]).assign(volume=[-5.0, 7.0])
    out = validate_bars(frame, Source.CSV)
    assert np.isnan(out.bars["volume"].iloc[0]) and out.bars["volume"].iloc[1] == 7.0
    assert validate_bars(bars("SPY", [1, 2]).drop(columns="volume"), Source.CSV).bars["volume"].isna().all()


def test_an_empty_frame_validates_to_an_empty_standard_frame():
    out = validate_bars(bars("SPY", []), Source.LIVE)
    assert out.bars.empty and tuple(out.bars.columns) == BAR_COLUMNS and out.errors == {}


ABSURD = (np.inf, -np.inf, np.nan, 1e308, float("1" * 400))
prices = st.one_of(st.none(), st.floats(-5, 500, allow_nan=False), st.just(0.0), st.sampled_from(ABSURD))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 5), prices, prices, prices, prices, prices),
        max_size=30,
    )
)
def test_whatever_comes_in_the_output_satisfies_the_bars_invariants(rows):
    frame = pd.DataFrame(rows, columns=["symbol", "day", "open", "high", "low", "close", "adj_close"], dtype=object)
    frame["date"] = DAYS[frame["day"].astype(int).to_numpy()] if len(frame) else pd.Series([], dtype="datetime64[s]")
    frame["volume"] = 1.0
    out = validate_bars(frame.drop(columns="day"), Source.LIVE).bars
    assert tuple(out.columns) == BAR_COLUMNS
    assert not out.duplicated(["symbol", "date"]).any()
    assert (out[["open", "high", "low", "close", "adj_close"]] > 0).all().all()
    assert (out[["open", "high", "low", "close", "adj_close"]] <= MAX_BAR_PRICE).all().all()  # finite too
    assert (out["high"] >= np.maximum(out["open"], out["close"])).all()
    assert (out["low"] <= np.minimum(out["open"], out["close"])).all()
    assert list(zip(out["symbol"], out["date"], strict=True)) == sorted(zip(out["symbol"], out["date"], strict=True))


@pytest.mark.parametrize("missing", ["close", "adj_close", "symbol"])
def test_a_frame_without_a_required_column_is_a_programming_error(missing):
    with pytest.raises(ValueError, match=missing):
        validate_bars(bars("SPY", [1.0]).drop(columns=missing), Source.LIVE)
