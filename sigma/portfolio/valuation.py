"""Valuation of a book at one date: market values, exposures, P&L and position Greeks.

Conventions (DOMAIN.md, "Positions and valuation" and "Options"):

- Quantity is positive; the sign comes from the type: +1 for LONG/LC/LP, −1 for SHORT/SC/SP.
- Stocks and ETFs: the multiplier is taken as 1 whatever is stored; market value = exposure =
  sign × qty × price; position delta = sign × qty (shares), other Greeks 0.
- Options: multiplier defaults to 100 when missing; priced with BSM
  (`sigma.instruments.options.bsm`); market value = sign × qty × multiplier × option price;
  exposure = dollar delta = sign × qty × multiplier × Δ × S; T = calendar days to expiry / 365.
- The rate is continuous: from ^IRX quoted in percent y, r = ln(1 + y/100) (`rate_from_yield`).
- Volatility: implied from a market option price when one is given (`options.implied_vol` on [1e-4, 5]);
  else the surface (`option_vol.model_vol`: k = ln(K/F), ATM levels `atm_short`/`atm_long`; without them,
  no VIX, the 30-day realized vol floored at 5 %). The choice is recorded per position in `vol_source`.
- Position Greeks = per-contract Greek × sign × qty × multiplier; theta in $ per calendar day,
  vega in $ per vol point; dollar gamma = gamma × S² / 100 (change of dollar delta for a 1 %
  move of the underlying).
- Expired options (expiry ≤ as_of) are valued at intrinsic, flagged, and carry no Greeks and no
  exposure.
- A position is open when entry_date ≤ as_of < exit_date (exit missing = still open). Closed
  positions (exit_date ≤ as_of) only carry realized P&L = sign × qty × multiplier × (exit − entry);
  positions not yet entered count for nothing. Neither enters NAV or exposure.
- Day P&L = sign × qty × multiplier × (price − prev price); a position opened on as_of uses its
  entry price as previous price. An option's previous price is re-priced at the previous spot
  with one more calendar day to expiry (or `prev_date`) and the same vol.
- Weights are exposure / NAV (NaN when NAV ≤ 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from sigma.conventions import CALENDAR_DAYS, OPTION_MULTIPLIER, PositionType
from sigma.errors import UnknownSymbol
from sigma.instruments.options import bsm, implied_vol, intrinsic
from sigma.instruments.surface import forward_moneyness
from sigma.portfolio.option_vol import VolSource, model_vol
from sigma.settings import VolSurfaceParams
from sigma.typing import AnyArray, FloatArray

OPTION_TYPES = [t.value for t in PositionType if t.is_option]
SHORT_TYPES = [t.value for t in PositionType if t.sign < 0]
CALLS = (PositionType.LC.value, PositionType.SC.value)


@dataclass(frozen=True)
class MarketInputs:
    """Market data for one valuation date. Series are indexed by symbol (or position id)."""

    prices: pd.Series  # latest close per symbol (stocks and option underlyings)
    prev_prices: pd.Series  # previous close per symbol
    as_of: date
    rate: float = 0.0  # continuous, see rate_from_yield
    vols: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # realized fallback per underlying
    atm_short: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # surface σ₀ per underlying
    atm_long: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # surface σ∞ per underlying
    surface: VolSurfaceParams = field(default_factory=VolSurfaceParams)
    dividend_yields: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # per underlying
    option_prices: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))  # market premium per id
    prev_date: date | None = None  # previous price date; default one calendar day before as_of


@dataclass(frozen=True)
class Valuation:
    """Per-position frame (indexed by position id) and book totals at `as_of`."""

    as_of: date
    positions: pd.DataFrame
    cash: float
    nav: float
    market_value: float
    long: float
    short: float
    gross: float
    net: float
    unrealized_pnl: float
    realized_pnl: float
    day_pnl: float
    delta_dollars: float
    gamma_dollars: float
    theta_dollars: float
    vega_dollars: float


def rate_from_yield(yield_percent: float) -> float:
    """Continuous rate from a yield quoted in percent points: r = ln(1 + y/100)."""
    return float(np.log1p(yield_percent / 100.0))


def call_put_signs(book: pd.DataFrame) -> FloatArray:
    """The sign w bsm takes per row: +1.0 for calls (LC, SC), -1.0 otherwise (puts)."""
    return np.where(book["position_type"].isin(CALLS).to_numpy(), 1.0, -1.0)


def _lookup(values: pd.Series, keys: pd.Series, what: str) -> np.ndarray:
    """Values for `keys` as floats; raise UnknownSymbol naming the missing ones."""
    out = keys.map(values).astype(float)
    missing = sorted(set(keys[out.isna()]))
    if missing:
        raise UnknownSymbol(missing, f"No {what} for them. Run: python -m jobs run market_data")
    return out.to_numpy()


def _choose_vol(
    book: pd.DataFrame, market: MarketInputs, spot: FloatArray, t: FloatArray, w: FloatArray, q: FloatArray
) -> tuple[FloatArray, AnyArray]:
    """Per-position vol and its source label (implied > surface > realized 30d > floor)."""
    realized, short, long = (
        book["underlying"].map(s).astype(float).to_numpy() for s in (market.vols, market.atm_short, market.atm_long)
    )
    k = forward_moneyness(book["strike"].to_numpy(float), spot, t, market.rate, q)
    vol, source = model_vol(k, t, short, long, realized, market.surface)
    premium = book.index.to_series().map(market.option_prices).astype(float).to_numpy()
    if (~np.isnan(premium)).any():  # implied_vol gives NaN for a missing premium and when T <= 0
        iv = implied_vol(premium, spot, book["strike"].to_numpy(float), t, market.rate, w, q)
        found = ~np.isnan(iv)
        vol, source = np.where(found, iv, vol), np.where(found, VolSource.IMPLIED, source)
    return vol, source


def _option_prices(book: pd.DataFrame, market: MarketInputs) -> pd.DataFrame:
    """Option price, previous price and per-contract Greeks for the option rows of `book`."""
    spot = _lookup(market.prices, book["underlying"], "price")
    prev_spot = _lookup(market.prev_prices, book["underlying"], "previous price")
    strike = book["strike"].to_numpy(float)
    expiry = pd.to_datetime(book["expiry"])
    t = np.asarray((expiry - pd.Timestamp(market.as_of)).dt.days / CALENDAR_DAYS, dtype=np.float64)
    prev_days = (market.as_of - (market.prev_date or market.as_of - pd.Timedelta(days=1))).days
    w = call_put_signs(book)
    q = np.asarray(book["underlying"].map(market.dividend_yields).astype(float).fillna(0.0), dtype=np.float64)
    vol, source = _choose_vol(book, market, spot, t, w, q)
    expired = t <= 0
    live_t = np.where(expired, 1.0, t)  # placeholder keeps bsm finite; overwritten below
    now = bsm(spot, strike, live_t, market.rate, vol, w, q)
    before = bsm(prev_spot, strike, live_t + prev_days / CALENDAR_DAYS, market.rate, vol, w, q)
    live = ~expired
    return pd.DataFrame(
        {
            "price": np.where(expired, intrinsic(spot, strike, w), now.price),
            "prev_price": np.where(expired, intrinsic(prev_spot, strike, w), before.price),
            "spot": spot,
            "unit_delta": np.where(live, now.delta, 0.0),
            "unit_gamma": np.where(live, now.gamma, 0.0),
            "unit_theta": np.where(live, now.theta_per_day, 0.0),
            "unit_vega": np.where(live, now.vega_per_point, 0.0),
            "expired": expired,
            "vol": np.where(live, vol, np.nan),
            "vol_source": pd.Series(source, dtype=object).where(live, None).to_numpy(),
        },
        index=book.index,
    )


def _stock_prices(book: pd.DataFrame, market: MarketInputs) -> pd.DataFrame:
    """Price, previous price and unit delta 1 for the stock rows of `book`."""
    price = _lookup(market.prices, book["symbol"], "price")
    return pd.DataFrame(
        {
            "price": price,
            "prev_price": _lookup(market.prev_prices, book["symbol"], "previous price"),
            "spot": price,
            "unit_delta": 1.0,
            "unit_gamma": 0.0,
            "unit_theta": 0.0,
            "unit_vega": 0.0,
            "expired": False,
            "vol": np.nan,
            "vol_source": None,
        },
        index=book.index,
    )


def _state(book: pd.DataFrame, as_of: date) -> tuple[pd.Series, pd.Series]:
    """Masks (open, closed) at `as_of`."""
    day = pd.Timestamp(as_of)
    entered = pd.to_datetime(book["entry_date"]) <= day
    closed = pd.to_datetime(book["exit_date"]) <= day  # NaT compares False
    return entered & ~closed, entered & closed


def signed_units(book: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(sign × qty × multiplier, is_option) per row; multiplier 1 for stocks, 100 when an option lacks one."""
    types = book["position_type"].to_numpy(str)
    is_option = np.isin(types, OPTION_TYPES)
    mult = np.where(is_option, np.nan_to_num(book["multiplier"].to_numpy(float), nan=OPTION_MULTIPLIER), 1.0)
    sign = np.where(np.isin(types, SHORT_TYPES), -1.0, 1.0)
    return sign * book["quantity"].to_numpy(float) * mult, is_option


def priced_symbol(book: pd.DataFrame) -> pd.Series:
    """The symbol whose price values each position: the underlying for options (NaN when missing)."""
    return book["symbol"].where(~book["position_type"].isin(OPTION_TYPES), book["underlying"])


def symbols_to_price(book: pd.DataFrame) -> list[str]:
    """The priced symbols of a book, unique, in book order."""
    return list(dict.fromkeys(priced_symbol(book).dropna()))


def _amounts(book: pd.DataFrame, q: pd.DataFrame, open_: pd.Series, closed: pd.Series, as_of: date) -> pd.DataFrame:
    """Scale per-unit quotes to position amounts (zero for positions that are not open)."""
    all_units, _ = signed_units(book)
    units = np.where(open_, all_units, 0.0)
    entry = book["entry_price"].to_numpy(float)
    price, spot = q["price"].to_numpy(float), q["spot"].to_numpy(float)
    opened_today = (pd.to_datetime(book["entry_date"]) == pd.Timestamp(as_of)).to_numpy()
    prev = np.where(opened_today, entry, q["prev_price"].to_numpy(float))
    market_value, cost_basis = units * price, units * entry
    delta, gamma = units * q["unit_delta"].to_numpy(float), units * q["unit_gamma"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pnl_pct = np.where(cost_basis != 0, (market_value - cost_basis) / np.abs(cost_basis), np.nan)
        day_change = np.where(prev != 0, price / prev - 1.0, np.nan)
    realized = np.where(closed, all_units * (book["exit_price"].to_numpy(float) - entry), 0.0)
    columns = {
        "price": price,
        "prev_price": prev,
        "market_value": market_value,
        "cost_basis": cost_basis,
        "unrealized_pnl": market_value - cost_basis,
        "unrealized_pnl_pct": pnl_pct,
        "day_pnl": units * (price - prev),
        "day_change_pct": day_change,
        "exposure": delta * spot,
        "delta": delta,
        "gamma": gamma,
        "theta": units * q["unit_theta"].to_numpy(float),
        "vega": units * q["unit_vega"].to_numpy(float),
        "dollar_delta": delta * spot,
        "dollar_gamma": gamma * spot**2 / 100.0,
        "realized_pnl": realized,
        "expired": q["expired"].to_numpy(bool),
        "vol": q["vol"].to_numpy(float),
        "vol_source": q["vol_source"],
        "open": open_.to_numpy(bool),
        "closed": closed.to_numpy(bool),
    }
    return pd.DataFrame(columns, index=book.index)


def value_book(positions: pd.DataFrame, market: MarketInputs, cash: float = 0.0) -> Valuation:
    """Value every position at `market.as_of` and total the book (see the module docstring)."""
    book = positions.set_index("id", drop=False) if "id" in positions.columns else positions
    book = book.assign(
        **{
            c: np.nan
            for c in ("underlying", "strike", "expiry", "multiplier", "exit_date", "exit_price")
            if c not in book.columns
        }
    )
    open_, closed = _state(book, market.as_of)
    is_option = book["position_type"].isin(OPTION_TYPES)
    parts = [
        _stock_prices(book[open_ & ~is_option], market),
        _option_prices(book[open_ & is_option], market),
        _placeholder(book[~open_]),
    ]
    quotes = pd.concat([p for p in parts if len(p)]).reindex(book.index) if len(book) else _placeholder(book)
    frame = _amounts(book, quotes, open_, closed, market.as_of)
    for extra in ("symbol", "position_type", "asset_class", "sector", "tags"):
        if extra in book.columns:
            frame[extra] = book[extra]
    return _totals(frame, cash, market.as_of)


def _placeholder(book: pd.DataFrame) -> pd.DataFrame:
    """Zero quotes for rows that are not open (closed, or not yet entered)."""
    zeros = dict.fromkeys(("price", "prev_price", "spot", "unit_delta", "unit_gamma", "unit_theta", "unit_vega"), 0.0)
    return pd.DataFrame({**zeros, "expired": False, "vol": np.nan, "vol_source": None}, index=book.index)


def _totals(frame: pd.DataFrame, cash: float, as_of: date) -> Valuation:
    """Book totals from the per-position frame; adds the weight column."""
    exposure = frame["exposure"]
    market_value = float(frame["market_value"].sum())
    nav = cash + market_value
    frame["weight"] = exposure / nav if nav > 0 else np.nan
    long, short = float(exposure.clip(lower=0.0).sum()), float(exposure.clip(upper=0.0).sum())
    return Valuation(
        as_of=as_of,
        positions=frame,
        cash=cash,
        nav=nav,
        market_value=market_value,
        long=long,
        short=short,
        gross=long + abs(short),
        net=long + short,
        unrealized_pnl=float(frame["unrealized_pnl"].sum()),
        realized_pnl=float(frame["realized_pnl"].sum()),
        day_pnl=float(frame["day_pnl"].sum()),
        delta_dollars=float(frame["dollar_delta"].sum()),
        gamma_dollars=float(frame["dollar_gamma"].sum()),
        theta_dollars=float(frame["theta"].sum()),
        vega_dollars=float(frame["vega"].sum()),
    )
