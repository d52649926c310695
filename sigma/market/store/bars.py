"""The bars going into the store: validation, the rows that changed, and the rows for the upsert.

Conventions: a bars frame is `BAR_COLUMNS` plus a `source` column; values are float64 (volume
too, NaN for unknown) until they go to the upsert, where NaN is NULL and volume an int. The
store is the last guard before the table's CHECK constraints: a row whose close or adj_close is
not a usable price (finite, in (0, MAX_BAR_PRICE]) is dropped, an unusable open/high/low is NULL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigma.errors import ValidationError
from sigma.market.standard import BAR_COLUMNS, PRICE_FIELDS
from sigma.market.store.frames import Columns
from sigma.market.validate import usable_price

REQUIRED = ("symbol", "date", "close", "adj_close")


def clean_bars(bars: pd.DataFrame) -> pd.DataFrame:
    """Validate a bars frame and return it typed: dates as `date`, rows without a usable close dropped."""
    missing = [c for c in REQUIRED if c not in bars.columns]
    if missing:
        raise ValidationError(f"Bars frame lacks columns {missing}; expected {', '.join(BAR_COLUMNS)}.")
    frame = bars.reindex(columns=[*BAR_COLUMNS, "source"]).copy()
    frame["symbol"] = frame["symbol"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    for column in PRICE_FIELDS:
        values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        usable = (values >= 0) & (values < 2.0**63) if column == "volume" else usable_price(values)
        frame[column] = values.where(usable)
    frame = frame.dropna(subset=["close", "adj_close"])
    return frame.drop_duplicates(["symbol", "date"], keep="last").reset_index(drop=True)


def changed_rows(frame: pd.DataFrame, stored: Columns) -> pd.DataFrame:
    """Rows of `frame` that are not in `stored` or differ from the stored row (NaN == NaN)."""
    incoming = pd.MultiIndex.from_arrays([frame["symbol"], np.asarray(frame["date"], dtype="datetime64[D]")])
    existing = pd.MultiIndex.from_arrays([stored.row_symbols(), stored.dates()])
    where = existing.get_indexer(incoming)
    found = where >= 0
    same = found.copy()
    for column in PRICE_FIELDS:  # six columns, each compared for every row at once
        new = frame[column].to_numpy(np.float64)[found]
        old = stored.values[column][where[found]]
        same[found] &= (new == old) | (np.isnan(new) & np.isnan(old))
    if stored.sources is not None:
        same[found] &= stored.sources[where[found]] == frame["source"].to_numpy(object)[found]
    return frame.loc[~same]


def price_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The upsert's frame (`BAR_COLUMNS` + source): NaN prices become NULL, volume an int or None."""
    out = frame[[*BAR_COLUMNS, "source"]].copy()
    volume = out["volume"].to_numpy(np.float64)
    cells = np.where(np.isnan(volume), 0, volume).astype(np.int64).astype(object)
    cells[np.isnan(volume)] = None
    out["volume"] = pd.Series(cells, index=out.index, dtype=object)
    out["source"] = out["source"].astype(str)
    return out
