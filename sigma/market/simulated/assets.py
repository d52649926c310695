"""Asset prices of the simulated market from its factor paths: loadings, bonds, dividends, OHLCV.

Conventions: matrices are (days, assets) in universe order on the grid from `ORIGIN`. Equity-like
assets (stocks, ETFs, commodities, crypto) earn log returns `B f + idiosyncratic`; bond and cash
ETFs earn carry plus duration x yield change (and spread change for credit). `adj_close` is the
total-return series and `close` the price series, anchored to a fixed date (so neither changes when
the window moves); both equal the universe's `ref_price` on `ANCHOR_DATE`, and before it
`adj_close < close` by the dividends paid since (Yahoo's convention, with the anchor as the
latest date). Yields and the VIX are levels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from sigma.conventions import GICS_SECTORS, TRADING_DAYS
from sigma.market.simulated.factors import FACTOR_NAMES
from sigma.typing import BoolArray, FloatArray, IntArray

_COL = {name: i for i, name in enumerate(FACTOR_NAMES)}
SECTOR_LOADED_CLASSES: Final = ("equity", "etf", "reit_etf")
SECTOR_RATES: Final[dict[str, float]] = {  # return per +1 pp of the 10-year yield
    "Utilities": -0.05,
    "Real Estate": -0.07,
    "Financials": 0.03,
    "Information Technology": -0.02,
}
SECTOR_EXTRA: Final[dict[str, dict[str, float]]] = {"Energy": {"oil": 0.35}, "Materials": {"gold": 0.1}}
EXPOSURES: Final[dict[str, dict[str, float]]] = {  # beyond market beta and own sector
    "QQQ": {"Information Technology": 0.45, "Communication Services": 0.15, "value": -0.4},
    "IWM": {"size": 1.0, "value": 0.2},
    "DIA": {"value": 0.2, "Industrials": 0.2},
    "VTI": {"size": 0.1},
    "EFA": {"intl": 1.0, "value": 0.3},
    "EEM": {"intl": 1.3, "oil": 0.1},
    "ACWX": {"intl": 1.05},
    "IWD": {"value": 0.5},
    "IWF": {"value": -0.5},
    "MTUM": {"momentum": 1.0},
    "QUAL": {"quality": 1.0},
    "USMV": {"low_vol": 1.0},
    "VLUE": {"value": 1.0, "size": 0.1},
    "GLD": {"gold": 1.0},
    "SLV": {"gold": 1.3},
    "USO": {"oil": 1.0},
    "DBC": {"oil": 0.55, "gold": 0.15},
    "IBIT": {"crypto": 1.0},
    "ETHA": {"crypto": 1.25},
    "NEM": {"gold": 1.0},
}


@dataclass(frozen=True)
class BondSpec:
    """A bond ETF: curve tenor (years), modified duration, credit ("ig"/"hy"/None) and its weight."""

    tenor: float
    duration: float
    credit: str | None = None
    credit_weight: float = 0.0
    rate_weight: float = 1.0  # TIPS move with real yields, about half the nominal change


BONDS: Final[dict[str, BondSpec]] = {
    "BIL": BondSpec(0.25, 0.12),
    "SGOV": BondSpec(0.2, 0.08),
    "SHY": BondSpec(2.0, 1.9),
    "IEI": BondSpec(5.0, 4.2),
    "IEF": BondSpec(8.5, 7.4),
    "TLT": BondSpec(25.0, 16.8),
    "AGG": BondSpec(8.0, 6.0, "ig", 0.35),
    "LQD": BondSpec(12.0, 8.4, "ig", 1.0),
    "HYG": BondSpec(4.0, 3.2, "hy", 1.0),
    "TIP": BondSpec(8.0, 6.8, rate_weight=0.55),
}
MONTHLY_PAYERS: Final = ("O",)
BLENDS: Final[dict[str, tuple[str, float]]] = {"AOR": ("AGG", 0.4)}  # multi-asset fund: (bond fund, weight)
PRICE_PULL: Final = 0.08  # daily reversion of log price to the anchor after ANCHOR_DATE (half-life ~8 days)


def loadings(universe: pd.DataFrame) -> FloatArray:
    """Factor loadings (assets, FACTOR_NAMES); zero rows for indices, bonds carry only idiosyncratic noise.

    Stocks get style loadings from their profile: size from market cap (mega caps negative), value
    from dividend yield, low volatility from beta. ETFs get the baskets in EXPOSURES.
    """
    n = len(universe)
    b = np.zeros((n, len(FACTOR_NAMES)))
    b[:, _COL["market"]] = universe["beta"].fillna(0.0).to_numpy()
    sector = universe["sector"].fillna("").to_numpy(dtype=str)
    loaded = np.isin(sector, GICS_SECTORS) & universe["asset_class"].isin(SECTOR_LOADED_CLASSES).to_numpy()
    rows = np.flatnonzero(loaded)
    b[rows, [_COL[s] for s in sector[rows]]] = 1.0
    b[rows, _COL["rates"]] = [SECTOR_RATES.get(s, 0.0) for s in sector[rows]]
    for name, extras in SECTOR_EXTRA.items():  # a handful of config entries
        for factor, value in extras.items():
            b[loaded & (sector == name), _COL[factor]] += value
    stock = (universe["asset_class"] == "equity").to_numpy()
    cap = universe["market_cap"].where(stock, 2e11).to_numpy(dtype=float)
    b[stock, _COL["size"]] = np.clip(-0.3 * np.log10(cap / 2e11), -0.5, 0.5)[stock]
    b[stock, _COL["value"]] = np.clip(25.0 * (universe["dividend_yield"].to_numpy(dtype=float) - 0.015), -0.5, 0.8)[
        stock
    ]
    b[stock, _COL["low_vol"]] = np.clip(0.8 * (0.9 - b[:, _COL["market"]]), -0.5, 0.4)[stock]
    symbols = universe["symbol"].tolist()
    for symbol, exposures in EXPOSURES.items():  # ~20 baskets of reference data
        for factor, value in exposures.items():
            b[symbols.index(symbol), _COL[factor]] += value
    return b


def bond_returns(
    yields: FloatArray, ig: FloatArray, hy: FloatArray, specs: list[BondSpec]
) -> tuple[FloatArray, FloatArray]:
    """Daily simple returns and running yields (percent points) of bond ETFs, (days, bonds) each.

    `yields` holds the Treasury yield at each spec's tenor. Return = carry (yesterday's yield / 252)
    - duration x yield change + convexity, with credit spread carry and spread duration.
    """
    credit = np.column_stack([{"ig": ig, "hy": hy}.get(s.credit or "", np.zeros_like(ig)) for s in specs])
    weight = np.array([s.credit_weight for s in specs])
    duration = np.array([s.duration for s in specs])
    rate_weight = np.array([s.rate_weight for s in specs])
    running = yields + weight * credit
    dy = np.diff(yields, axis=0, prepend=yields[:1]) * rate_weight / 100.0
    ds = np.diff(credit, axis=0, prepend=credit[:1]) * weight / 100.0
    carry = np.vstack([running[:1], running[:-1]]) / 100.0 / TRADING_DAYS
    ret = carry - duration * (dy + ds) + 0.55 * duration**2 * dy**2
    return ret, running


def calendar_flags(
    days: npt.NDArray[np.datetime64],
) -> tuple[BoolArray, BoolArray, IntArray]:
    """Per grid day: first business day of its month, first on or after the 15th, month number 1-12."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    same_month = np.r_[False, month[1:] == month[:-1]]
    mid = d - month >= np.timedelta64(14, "D")
    first_mid = mid & ~(np.r_[False, mid[:-1]] & same_month)
    return ~same_month, first_mid, month.astype(np.int64) % 12 + 1


def dividend_events(
    flags: tuple[BoolArray, BoolArray, IntArray],
    universe: pd.DataFrame,
    bond_mask: BoolArray,
) -> FloatArray:
    """Payments per year on each ex-date, 0 elsewhere, (days, assets): monthly, or quarterly staggered by stock."""
    first_of_month, first_mid, month_no = flags
    offset = np.where(universe["asset_class"].to_numpy() == "equity", np.arange(len(universe)) % 3, 0)
    quarterly = first_mid[:, None] & ((month_no[:, None] - offset[None, :]) % 3 == 0)
    monthly = bond_mask | universe["symbol"].isin(MONTHLY_PAYERS).to_numpy()
    events = np.where(monthly[None, :], first_of_month[:, None], quarterly)
    return np.where(events, np.where(monthly, 12.0, 4.0)[None, :], 0.0)


def anchor_pull(log_ret: FloatArray, payout: FloatArray, rows: slice, pulled: BoolArray) -> FloatArray:
    """`log_ret` with the `pulled` columns' log price mean-reverting to its level at row `rows.start - 1`.

    Over `rows` the price deviation D (log price minus its anchor) follows D_t = (1 - PRICE_PULL)
    D_(t-1) + u_t, u the day's price return, i.e. each log return loses PRICE_PULL x D_(t-1).
    Causal, so a row's value does not depend on how many rows follow.
    """
    if rows.stop <= rows.start or not pulled.any():
        return log_ret
    from scipy.signal import lfilter  # lazily: scipy.signal costs ~1 s of every process start

    u = log_ret[rows][:, pulled] + np.log1p(-payout[rows][:, pulled])
    dev = np.asarray(lfilter([1.0], [1.0, -(1.0 - PRICE_PULL)], u, axis=0))
    out = log_ret.copy()
    out[rows.start + 1 : rows.stop, pulled] -= PRICE_PULL * dev[:-1]
    return out


def prices(
    log_ret: FloatArray, payout: FloatArray, ref_price: FloatArray, anchor: int
) -> tuple[FloatArray, FloatArray]:
    """Close (price) and adjusted close (total return), both equal to `ref_price` on row `anchor`."""
    log_tr = np.cumsum(log_ret, axis=0)
    log_div = np.cumsum(np.log1p(-payout), axis=0)
    log_adj = log_tr + (np.log(ref_price) - log_tr[anchor])
    return np.exp(log_adj + (log_div - log_div[anchor])), np.exp(log_adj)


@dataclass(frozen=True)
class Ohlcv:
    """Daily open, high, low, close, adjusted close and volume, (days, assets) each."""

    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    adj_close: FloatArray
    volume: IntArray


def ohlcv(close: FloatArray, adj: FloatArray, sigma: FloatArray, base_volume: FloatArray, noise: FloatArray) -> Ohlcv:
    """Bars consistent with the close and the day's vol: low <= min(open, close) <= max(open, close) <= high.

    Row 0 only seeds the previous close and is dropped. `sigma` is each asset's daily vol (a
    fraction), `noise` uniforms on [0, 1) shaped (days, 4, assets): gap, high, low, volume.
    """
    ratio = close / adj
    div_drop = ratio[1:] / ratio[:-1]  # the open reflects an ex-dividend drop
    prev, close, adj, sigma, noise = close[:-1], close[1:], adj[1:], sigma[1:], noise[1:]
    open_ = prev * div_drop * np.exp(1.2 * sigma * (noise[:, 0] - 0.5))  # gap sd ~0.35 sigma
    high = np.maximum(open_, close) * np.exp(0.8 * sigma * noise[:, 1])
    low = np.minimum(open_, close) * np.exp(-0.8 * sigma * noise[:, 2])
    surprise = np.minimum(np.abs(close / prev - 1.0) / np.maximum(sigma, 1e-6), 6.0)
    volume = base_volume * np.exp(noise[:, 3] - 0.5) * (0.7 + 0.3 * surprise)
    return Ohlcv(open_, high, low, close, adj, np.rint(volume).astype(np.int64))


def unlisted_to_nan(bars: Ohlcv, days: npt.NDArray[np.datetime64], inception: npt.NDArray[np.datetime64]) -> Ohlcv:
    """Prices before each asset's `inception` become NaN and its volume 0: no history before listing.

    `inception` holds one date per asset (NaT: listed before the grid starts).
    """
    before = days.astype("datetime64[D]")[:, None] < inception[None, :]  # NaT compares False: listed throughout
    if not before.any():
        return bars
    nan = {f: np.where(before, np.nan, getattr(bars, f)) for f in ("open", "high", "low", "close", "adj_close")}
    return Ohlcv(**nan, volume=np.where(before, 0, bars.volume))


def prepend_first(bars: Ohlcv, close: FloatArray, adj: FloatArray, base_volume: FloatArray) -> Ohlcv:
    """Add the origin day's bar (open = high = low = close) in front of bars that start the day after."""
    vol = np.rint(base_volume).astype(np.int64)
    flat = np.vstack([close[None, :], bars.close])
    return Ohlcv(
        open=np.vstack([close[None, :], bars.open]),
        high=np.vstack([close[None, :], bars.high]),
        low=np.vstack([close[None, :], bars.low]),
        close=flat,
        adj_close=np.vstack([adj[None, :], bars.adj_close]),
        volume=np.vstack([vol[None, :], bars.volume]),
    )
