"""CsvProvider on the sample files in tests/data/prices_csv (and a few written on the fly)."""

from __future__ import annotations

import shutil
import sys
import types
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sigma.conventions import Source
from sigma.errors import ProviderUnavailable
from sigma.market.providers.csv import CsvProvider
from sigma.market.standard import BAR_COLUMNS, PROFILE_COLUMNS

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "prices_csv"
START, END = date(2024, 1, 2), date(2024, 1, 12)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for path in SAMPLES.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_a_yahoo_style_file_loads_into_the_standard_frame(folder):
    result = CsvProvider(folder).fetch_bars(["SPY"], START, END)
    assert result.source is Source.CSV and result.errors == {} and result.warnings == {}
    assert tuple(result.bars.columns) == BAR_COLUMNS and len(result.bars) == 9
    first = result.bars.iloc[0]
    assert (first["date"], first["open"], first["close"], first["adj_close"], first["volume"]) == (
        date(2024, 1, 2),
        470.29,
        472.65,
        458.47,
        123623700.0,
    )


def test_semicolons_a_bom_us_dates_decimal_commas_and_odd_headers_read_the_same_as_clean_iso(folder, tmp_path):
    result = CsvProvider(folder).fetch_bars(["AAPL"], START, END)
    assert result.errors == {}
    aapl = result.bars
    assert aapl["date"].tolist() == [d.date() for d in pd.bdate_range(START, END)]
    assert aapl.iloc[-1][["open", "high", "low", "close", "adj_close"]].tolist() == [
        184.99,
        187.78,
        183.13,
        185.92,
        184.06,
    ]
    iso = tmp_path / "iso"
    iso.mkdir()
    clean = aapl.drop(columns="symbol").rename(columns={"adj_close": "Adj Close"})
    clean.to_csv(iso / "AAPL.csv", index=False)
    pd.testing.assert_frame_equal(CsvProvider(iso).fetch_bars(["AAPL"], START, END).bars, aapl)


def test_missing_adj_close_and_volume_default_to_close_and_unknown(folder):
    vix = CsvProvider(folder).fetch_bars(["^VIX"], START, END).bars
    assert (vix["adj_close"] == vix["close"]).all() and vix["volume"].isna().all()
    assert vix["symbol"].unique().tolist() == ["^VIX"]


def test_a_file_with_only_close_gets_open_high_low_from_close_and_dotted_symbols_find_dashed_files(folder):
    result = CsvProvider(folder).fetch_bars(["BRK.B"], START, END)
    bars = result.bars
    assert bars["symbol"].unique().tolist() == ["BRK.B"]
    assert (bars["open"] == bars["close"]).all() and (bars["high"] == bars["close"]).all()
    assert result.warnings["BRK.B"] == "repaired open/high/low on 9 rows (first 2024-01-02)"


def test_a_bad_file_is_reported_by_name_and_the_rest_load(folder):
    result = CsvProvider(folder).fetch_bars(["SPY", "BROKEN", "EMPTY", "MISSING"], START, END)
    assert set(result.bars["symbol"]) == {"SPY"}
    assert result.errors == {
        "BROKEN": "BROKEN.csv: no 'Close' column (found: date, price)",
        "EMPTY": "EMPTY.csv: no rows",
        "MISSING": f"no file MISSING.csv in {folder}",
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b"Date,Close\n13.01.2024,10\n",
            "BAD.csv: no readable dates (expected YYYY-MM-DD or MM/DD/YYYY, found '13.01.2024')",
        ),
        (b"\xff\xfe\x00garbage", "BAD.csv: cannot be read as UTF-8 text (UnicodeDecodeError)"),
        (b"", "BAD.csv: not a readable CSV (No columns to parse from file)"),
        (b"Close,Volume\n1,2\n", "BAD.csv: no 'Date' column (found: close, volume)"),
    ],
)
def test_unreadable_files_get_a_clear_message(tmp_path, content, message):
    (tmp_path / "BAD.csv").write_bytes(content)
    assert CsvProvider(tmp_path).fetch_bars(["BAD"], START, END).errors == {"BAD": message}


def test_a_file_without_prices_in_the_window_says_what_it_covers(folder):
    result = CsvProvider(folder).fetch_bars(["SPY"], date(2025, 1, 1), date(2025, 2, 1))
    assert result.errors == {
        "SPY": "SPY.csv: no prices from 2025-01-01 to 2025-02-01 (the file covers 2024-01-02 to 2024-01-12)"
    }
    assert result.bars.empty and tuple(result.bars.columns) == BAR_COLUMNS


def test_the_window_is_inclusive_at_both_ends_and_file_names_are_case_insensitive(tmp_path):
    (tmp_path / "spy.CSV").write_text("Date,Close\n2024-01-02,1\n2024-01-03,2\n2024-01-04,3\n", encoding="utf-8")
    bars = CsvProvider(tmp_path).fetch_bars(["SPY"], date(2024, 1, 3), date(2024, 1, 4)).bars
    assert bars["date"].tolist() == [date(2024, 1, 3), date(2024, 1, 4)]


def test_a_missing_folder_makes_the_provider_unavailable_with_advice(tmp_path):
    with pytest.raises(ProviderUnavailable, match=r"does not exist.*SIGMA_CSV_DIR"):
        CsvProvider(tmp_path / "nowhere").fetch_bars(["SPY"], START, END)


def test_profiles_come_from_the_universe_for_known_symbols(monkeypatch, tmp_path):
    universe = pd.DataFrame(
        [["SPY", "SPDR S&P 500", "etf", None, None, 5e11, 0.012, "US78462F1030", "extra"]],
        columns=[*PROFILE_COLUMNS, "other"],
    )
    fake = types.ModuleType("sigma.market.universe")
    fake.load_universe = lambda: universe  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sigma.market.universe", fake)
    profiles = CsvProvider(tmp_path).profiles(["spy", "ZZZ"])
    assert tuple(profiles.columns) == PROFILE_COLUMNS and profiles["name"].tolist() == ["SPDR S&P 500"]


def test_profiles_are_empty_when_the_universe_cannot_be_loaded(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "sigma.market.universe", None)  # makes the import fail
    profiles = CsvProvider(tmp_path).profiles(["SPY"])
    assert profiles.empty and tuple(profiles.columns) == PROFILE_COLUMNS
