"""Validation of a provider's bars before they reach the store.

Input: a long frame with the standard `BAR_COLUMNS` (dates as anything `pd.to_datetime` reads;
`volume` may be missing). Output: the standard frame, sorted by (symbol, date), one row per
(symbol, date), `date` as `datetime.date`, prices float64 and positive, volume float64 (NaN when
unknown), `high >= max(open, close)` and `low <= min(open, close)`.

Rules, each reported per symbol as a warning (the row is fixed or dropped) or an error (nothing
usable is left for the symbol):
- rows whose close or adj_close is missing, non-finite (inf, NaN), not above 0 or above
  `MAX_BAR_PRICE` are dropped (never stored: the prices table's CHECK constraints refuse them);
- duplicated dates keep the last row;
- missing, non-finite, non-positive or absurd open/high/low are filled from close, then high and low are widened to
  contain open and close;
- a daily close move beyond 40 % that adj_close does not share, or whose ratio is near a split
  ratio (2, 3, ..., 1/2, 1/3, ...), is flagged as a possible unadjusted split (kept as is).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigma.conventions import Source
from sigma.market.standard import BAR_COLUMNS, FetchResult

PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close", "adj_close")
JUMP_THRESHOLD = 0.40  # |close_t / close_{t-1} - 1| beyond which a move is split-like
ADJ_AGREEMENT = 0.05  # adj_close "agrees" when its gross return is within 5 % of close's
SPLIT_RATIO_TOLERANCE = 0.03  # a ratio within 3 % of n or 1/n (n = 2..10) looks like a split
_SPLIT_RATIOS = np.array([n for k in range(2, 11) for n in (float(k), 1.0 / k)])
NO_USABLE_PRICES = "no usable prices returned"
MAX_BAR_PRICE = 1e9  # per share; above it a price is a data error (adjusted histories reach 1e7)


def usable_price(values: pd.Series) -> pd.Series:
    """True where a price is finite and in (0, MAX_BAR_PRICE] (NaN and inf are False)."""
    return (values > 0) & (values <= MAX_BAR_PRICE)


def validate_bars(frame: pd.DataFrame, source: Source) -> FetchResult:
    """Clean a long bars frame and report, per symbol, what was dropped, repaired or suspicious."""
    notes: dict[str, list[str]] = {}
    bars = _normalise(frame)
    bars = _drop_bad_closes(bars, notes)
    bars = _drop_duplicates(bars, notes)
    bars = _repair_ohlc(bars, notes)
    _flag_splits(bars, notes)
    present = set(bars["symbol"].unique())
    errors = {s: NO_USABLE_PRICES for s in pd.unique(frame["symbol"].astype(str).str.strip()) if s not in present}
    warnings = {s: "; ".join(msgs) for s, msgs in notes.items() if s not in errors}
    bars = bars.assign(date=bars["date"].dt.date)[list(BAR_COLUMNS)].reset_index(drop=True)
    return FetchResult(bars=bars, source=source, errors=errors, warnings=warnings)


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Standard columns and dtypes, sorted by (symbol, date); dates still datetime64 here."""
    missing = [c for c in BAR_COLUMNS if c not in frame.columns and c != "volume"]
    if missing:
        raise ValueError(f"bars frame lacks columns {missing}")
    out = pd.DataFrame({"symbol": frame["symbol"].astype(str).str.strip()})
    out["date"] = pd.to_datetime(frame["date"]).dt.tz_localize(None).dt.normalize().astype("datetime64[s]")
    for column in PRICE_COLUMNS:
        out[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    volume = frame["volume"] if "volume" in frame.columns else pd.Series(np.nan, index=frame.index)
    out["volume"] = pd.to_numeric(volume, errors="coerce").astype("float64").where(lambda v: v >= 0)
    out = out[out["date"].notna()]
    return out.sort_values(["symbol", "date"], kind="stable").reset_index(drop=True)


def _drop_bad_closes(bars: pd.DataFrame, notes: dict[str, list[str]]) -> pd.DataFrame:
    close, adj = bars["close"], bars["adj_close"]
    low = ~((close > 0) & (adj > 0))  # NaN compares False: missing counts here
    high = ~low & ~(usable_price(close) & usable_price(adj))  # inf or above MAX_BAR_PRICE
    _note(notes, bars[low], "dropped {n} row{s} with a missing or non-positive close (first {first})")
    template = f"dropped {{n}} row{{s}} with an infinite close or one above {MAX_BAR_PRICE:,.0f} (first {{first}})"
    _note(notes, bars[high], template)
    bad = low | high
    return bars[~bad]


def _drop_duplicates(bars: pd.DataFrame, notes: dict[str, list[str]]) -> pd.DataFrame:
    dup = bars.duplicated(["symbol", "date"], keep="last")
    _note(notes, bars[dup], "{n} duplicated date{s} (first {first}); kept the last row")
    return bars[~dup]


def _repair_ohlc(bars: pd.DataFrame, notes: dict[str, list[str]]) -> pd.DataFrame:
    close = bars["close"]
    filled = {c: bars[c].where(usable_price(bars[c]), close) for c in ("open", "high", "low")}
    high = np.maximum(filled["high"], np.maximum(filled["open"], close))
    low = np.minimum(filled["low"], np.minimum(filled["open"], close))
    changed = (bars["open"] != filled["open"]) | (bars["high"] != high) | (bars["low"] != low)
    _note(notes, bars[changed], "repaired open/high/low on {n} row{s} (first {first})")
    return bars.assign(open=filled["open"], high=high, low=low)


def _flag_splits(bars: pd.DataFrame, notes: dict[str, list[str]]) -> None:
    first_of_symbol = bars["symbol"].ne(bars["symbol"].shift())
    ratio = (bars["close"] / bars["close"].shift()).mask(first_of_symbol)
    adj_ratio = (bars["adj_close"] / bars["adj_close"].shift()).mask(first_of_symbol)
    jump = (ratio - 1.0).abs() > JUMP_THRESHOLD
    disagrees = (ratio / adj_ratio - 1.0).abs() > ADJ_AGREEMENT
    # distance to the nearest split ratio, computed on the (rare) jumps only
    distance = np.abs(ratio[jump].to_numpy()[:, None] / _SPLIT_RATIOS[None, :] - 1.0).min(axis=1, initial=np.inf)
    near_split = pd.Series(False, index=bars.index)
    near_split[jump] = distance < SPLIT_RATIO_TOLERANCE
    _note(notes, bars[jump & (disagrees | near_split)], "possible unadjusted split on {first}{more}")


def _note(notes: dict[str, list[str]], rows: pd.DataFrame, template: str) -> None:
    """Add one message per symbol present in `rows` (already sorted by date within a symbol)."""
    if rows.empty:
        return
    summary = rows.groupby("symbol", sort=True)["date"].agg(["size", "min"])
    # One message per affected symbol: the loop runs over symbols with a problem, not the data.
    for symbol, n, first in summary.itertuples(name=None):
        more = f" (and {n - 1} more)" if n > 1 else ""
        text = template.format(n=n, s="" if n == 1 else "s", first=f"{first:%Y-%m-%d}", more=more)
        notes.setdefault(str(symbol), []).append(text)
