"""The csv provider: a folder of per-symbol price files a user brings.

One file per symbol, `<SYMBOL>.csv` (`SPY.csv`, `^VIX.csv`; `BRK-B.csv` also serves `BRK.B`),
file names matched case-insensitively. Columns are matched case- and whitespace-insensitively:
Date and Close are required; Open, High, Low (filled from Close by validation), Adj Close
(= Close when absent) and Volume are optional. Dates are ISO (YYYY-MM-DD) or US (MM/DD/YYYY).
Files are read by `sigma.delimited` (the broker-file reader): separators comma, semicolon
(then a decimal comma is accepted) or tab; UTF-8 with or without a BOM; a preamble before the
header and a footer after the rows are skipped. A bad file is reported in `FetchResult.errors`
under its symbol and the rest still load.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from sigma.conventions import Source
from sigma.delimited import DELIMITERS, NumberStyle, RawTable, TableSchema, parse_number, read_table
from sigma.errors import ProviderUnavailable, ValidationError
from sigma.market.standard import BAR_COLUMNS, PRICE_FIELDS, PROFILE_COLUMNS, FetchResult, empty_bars
from sigma.market.validate import validate_bars

PRICE_FILE = TableSchema(
    synonyms={
        "date": ("date",),
        "open": ("open",),
        "high": ("high",),
        "low": ("low",),
        "close": ("close",),
        "adj_close": ("adj close", "adjclose", "adjusted close", "adjustedclose"),
        "volume": ("volume",),
    },
    required=(("date", "close"),),
    number_fields=frozenset(PRICE_FIELDS),
    date_fields=frozenset({"date"}),
    max_rows=None,  # price history files: long by nature; the byte cap still applies
)
_ISO = r"^(\d{4}-\d{1,2}-\d{1,2})"
_US = r"^(\d{1,2}/\d{1,2}/\d{4})"


class CsvFileError(ValueError):
    """A price file that cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class _Loaded:
    bars: pd.DataFrame
    first: date
    last: date


class CsvProvider:
    """Daily bars from a folder of `<SYMBOL>.csv` files."""

    name = "csv"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def source(self) -> Source:
        """Prices from user files."""
        return Source.CSV

    def fetch_bars(self, symbols: Sequence[str], start: date, end: date) -> FetchResult:
        """Bars from `start` to `end` inclusive for each symbol that has a readable file."""
        files = self._files()
        frames: list[pd.DataFrame] = []
        errors: dict[str, str] = {}
        for symbol in dict.fromkeys(s.strip() for s in symbols if s.strip()):
            path = _find(files, symbol)
            if path is None:
                errors[symbol] = f"no file {symbol}.csv in {self.folder}"
                continue
            try:
                loaded = read_price_file(path, symbol)
            except CsvFileError as exc:
                errors[symbol] = str(exc)
                continue
            window = loaded.bars[loaded.bars["date"].between(pd.Timestamp(start), pd.Timestamp(end))]
            if window.empty:
                errors[symbol] = (
                    f"{path.name}: no prices from {start} to {end} (the file covers {loaded.first} to {loaded.last})"
                )
            frames.append(window)
        bars = pd.concat([f for f in frames if not f.empty] or [empty_bars()], ignore_index=True)
        return validate_bars(bars, Source.CSV).with_errors(errors)

    def _files(self) -> dict[str, Path]:
        if not self.folder.is_dir():
            raise ProviderUnavailable(
                f"The price folder {self.folder} does not exist. Create it with one <SYMBOL>.csv per symbol "
                "(columns Date, Open, High, Low, Close, Adj Close, Volume), point SIGMA_CSV_DIR at the folder "
                "that has them, or set SIGMA_MARKET_DATA=simulated."
            )
        return {p.stem.upper(): p for p in sorted(self.folder.iterdir()) if p.suffix.lower() == ".csv" and p.is_file()}

    def profiles(self, symbols: Sequence[str]) -> pd.DataFrame:
        """Reference profiles from the packaged universe for the symbols it knows (none if unavailable)."""
        try:
            from sigma.market.universe import load_universe

            universe = load_universe()
        except (ImportError, OSError, ValueError):
            return pd.DataFrame(columns=list(PROFILE_COLUMNS))
        wanted = {s.strip().upper() for s in symbols}
        known = universe[universe["symbol"].astype(str).str.upper().isin(wanted)]
        return known.reindex(columns=list(PROFILE_COLUMNS)).reset_index(drop=True)


def _find(files: dict[str, Path], symbol: str) -> Path | None:
    """The file of `symbol`, trying BRK-B.csv for BRK.B and the other way round."""
    key = symbol.upper()
    for candidate in (key, key.replace(".", "-"), key.replace("-", "."), key.replace("/", "-")):
        if candidate in files:
            return files[candidate]
    return None


def read_price_file(path: Path, symbol: str) -> _Loaded:
    """One price file as a long frame (dates datetime64, not yet validated); CsvFileError if unusable."""
    table = _read(path)
    missing = [label for name, label in (("date", "Date"), ("close", "Close")) if name not in table.columns]
    if missing:
        names = ", ".join(h.strip().lower() for h in table.detected.header)
        raise CsvFileError(f"{path.name}: no '{missing[0]}' column (found: {names})")
    if not table.rows:
        raise CsvFileError(f"{path.name}: no rows")
    dates = _dates(pd.Series([table.value(r, "date") for r in table.rows], dtype=object), path.name)
    frame = pd.DataFrame({"symbol": symbol, "date": dates})
    style = _number_style(table)
    for name in PRICE_FIELDS:
        source = name if name in table.columns else "close" if name == "adj_close" else None
        cells = [table.value(r, source) for r in table.rows] if source is not None else None
        frame[name] = _numbers(cells, style) if cells is not None else float("nan")
    frame = frame[frame["date"].notna()].reindex(columns=list(BAR_COLUMNS))
    if frame.empty:
        raise CsvFileError(f"{path.name}: no rows with a readable date")
    return _Loaded(frame, frame["date"].min().date(), frame["date"].max().date())


def _read(path: Path) -> RawTable:
    """The file through the shared delimited-file reader; UTF-8 only, messages naming the file."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CsvFileError(f"{path.name}: cannot be read as UTF-8 text ({exc.__class__.__name__})") from exc
    if not text.strip():
        raise CsvFileError(f"{path.name}: not a readable CSV (No columns to parse from file)")
    try:
        return read_table(data, PRICE_FILE)
    except ValidationError as exc:
        if not str(exc).startswith("No header row"):
            raise CsvFileError(f"{path.name}: {exc}") from exc
        names = ", ".join(c.strip().lower() for c in _first_line_cells(text))
        raise CsvFileError(f"{path.name}: no 'Date' column (found: {names})") from exc


def _first_line_cells(text: str) -> list[str]:
    """The cells of the first line, split on its most frequent delimiter (for an error message)."""
    line = text.lstrip().splitlines()[0]
    delimiter = max(DELIMITERS, key=line.count)
    return next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])


def _number_style(table: RawTable) -> NumberStyle:
    """Semicolon files: a decimal comma when any number has a comma. Others: as the reader detected."""
    if table.detected.delimiter != ";":
        return table.reader.number_style
    cells = (table.value(r, name) for r in table.rows for name in PRICE_FIELDS if name in table.columns)
    return NumberStyle.EUROPEAN if any("," in c for c in cells) else NumberStyle.US


def _dates(values: pd.Series, file_name: str) -> pd.Series:
    """ISO or US dates as datetime64; unreadable ones become NaT; CsvFileError if none can be read."""
    text = values.astype(str).str.strip()
    iso = pd.to_datetime(text.str.extract(_ISO)[0], format="%Y-%m-%d", errors="coerce")
    us = pd.to_datetime(text.str.extract(_US)[0], format="%m/%d/%Y", errors="coerce")
    dates = iso.fillna(us)
    if dates.isna().all():
        example = text.iloc[0] if len(text) else ""
        raise CsvFileError(f"{file_name}: no readable dates (expected YYYY-MM-DD or MM/DD/YYYY, found '{example}')")
    return dates


def _numbers(cells: list[str], style: NumberStyle) -> pd.Series:
    """Numbers written the file's way (blank or unreadable: NaN)."""
    values = [parse_number(c, style) for c in cells]
    return pd.Series([float("nan") if v is None else v for v in values], dtype="float64")
