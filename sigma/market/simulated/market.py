"""The simulated market: Sigma's embedded default, a seeded multi-factor market of ~150 symbols.

How it moves (DOMAIN.md, "The simulated market"): a market factor with GJR-GARCH(1,1)
volatility, Student-t shocks (nu = 5), a calm/crisis regime switch and crash episodes pinned to
historical peak-to-trough figures (sigma.market.simulated.calendar); sector and style factors;
commodity, crypto and international factors; a Nelson-Siegel yield curve mean-reverting around
historical anchors, driving bond ETFs through duration and carry, with credit spreads that
widen when stocks fall; a VIX as a log-OU around the market's conditional vol, rising when it
falls; fat-tailed idiosyncratic noise; ETFs as baskets of their exposures (AOR blends equity and
AGG); dividends; OHLC and volume. The market replays the S&P 500's history up to the anchor
date, then prices revert to their late-2025 references until `PULL_END`; no symbol has prices
before its inception date (NaN in `close`, no rows in `bars`).

Conventions: business days (Mon-Fri); `close` of `SimulatedMarket` is the wide frame of
adjusted closes (total return), yields and the VIX as levels in percent points (^TNX 4.25 =
4.25 %). Deterministic for (seed, end) and prefix-stable: the grid always starts at `ORIGIN`
and each component draws from its own Generator in date order, so a date's prices do not depend
on `end`. Everything per symbol is a matrix operation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from sigma.conventions import TRADING_DAYS
from sigma.errors import UnknownSymbol, ValidationError
from sigma.market.simulated import assets, calendar, factors
from sigma.market.standard import BAR_COLUMNS, PRICE_FIELDS, PROFILE_COLUMNS
from sigma.market.universe import VIX_SYMBOL, YIELD_TENORS, load_universe
from sigma.typing import AnyArray, BoolArray, FloatArray

STREAMS = ("future", "market", "regime", "vix", "sectors", "styles", "rates", "credit")
IDIO_CODE, OHLCV_CODE = 101, 102  # per-asset shocks: one Generator per (seed, code, calendar year)
JUMP_PROB, JUMP_SCALE = 0.04, 3.0  # idiosyncratic shocks: a normal scale mixture, excess kurtosis ~4
TURNOVER = {
    "equity": 0.004,
    "etf": 0.03,
    "bond_etf": 0.02,
    "cash_etf": 0.01,
    "commodity_etf": 0.03,
    "crypto_etf": 0.04,
    "reit_etf": 0.01,
    "index": 0.0,
}  # daily traded value / market cap
IDIO_POWER = 0.25  # idiosyncratic vol scales with (market vol / calm vol) ** IDIO_POWER
RATE_VOL, YIELD_BAR_VOL, VIX_BAR_VOL = 0.06, 0.015, 0.06  # daily: pp of the 10y; relative ranges of levels


@dataclass(frozen=True, eq=False)
class SimulatedMarket:
    """A simulated market window: wide adjusted closes plus the bars behind them."""

    seed: int
    start: date
    end: date
    close: pd.DataFrame
    profiles: pd.DataFrame
    _bars: assets.Ohlcv = field(repr=False)

    @property
    def symbols(self) -> list[str]:
        """Every simulated symbol, in universe order."""
        return [str(c) for c in self.close.columns]

    def bars(
        self, symbols: Sequence[str] | None = None, *, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """The long standard bars frame (BAR_COLUMNS) for `symbols` (all when None), by symbol then date.

        `start`/`end` (inclusive) narrow the dates; an unknown symbol raises UnknownSymbol naming it.
        """
        names = self.symbols if symbols is None else list(dict.fromkeys(symbols))
        position = {s: i for i, s in enumerate(self.symbols)}
        unknown = [s for s in names if s not in position]
        if unknown:
            raise UnknownSymbol(unknown, "The simulated market carries the universe in sigma/market/data/universe.csv.")
        cols = np.array([position[s] for s in names], dtype=np.int64)
        index = self.close.index
        lo = 0 if start is None else int(index.searchsorted(pd.Timestamp(start), side="left"))
        hi = len(index) if end is None else int(index.searchsorted(pd.Timestamp(end), side="right"))
        dates = np.array([d.date() for d in index[lo:hi]], dtype=object)
        b = self._bars
        frame = {"symbol": np.repeat(np.array(names, dtype=object), len(dates)), "date": np.tile(dates, len(names))}
        for name in PRICE_FIELDS:
            frame[name] = getattr(b, name)[lo:hi, cols].T.ravel()
        listed = ~np.isnan(frame["close"])  # no rows before a symbol's inception
        out = pd.DataFrame(frame, columns=list(BAR_COLUMNS))
        return out if listed.all() else out.loc[listed].reset_index(drop=True)


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


def _business_days(first: date, last: date) -> npt.NDArray[np.datetime64]:
    days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + 1)
    return days[np.is_busday(days)]


def _yearly_draws(
    seed: int,
    code: int,
    days: npt.NDArray[np.datetime64],
    rows: slice,
    draw: Callable[[np.random.Generator, int], AnyArray],
) -> AnyArray:
    """Per-asset shocks for grid `rows`, one Generator per calendar year drawing that whole year.

    Whole-year blocks make a date's shocks independent of the window, and skip the years before it.
    """
    year = days.astype("datetime64[Y]")
    out: AnyArray | None = None
    for y in np.unique(year[rows]):  # ~11 blocks for a decade; each block is one vectorised draw
        first = int(np.searchsorted(year, y))
        size = int(np.busday_count(y.astype("datetime64[D]"), (y + 1).astype("datetime64[D]")))
        block = draw(np.random.default_rng([seed, code, int(y.astype(np.int64)) + 1970]), size)
        lo, hi = max(rows.start, first), min(rows.stop, first + size)
        if out is None:
            out = np.empty((rows.stop - rows.start, *block.shape[1:]), dtype=block.dtype)
        out[lo - rows.start : hi - rows.start] = block[lo - first : hi - first]
    if out is None:
        raise ValueError(f"no grid rows in {rows}: an empty window has no shocks")
    return out


def _idio_draw(n_assets: int) -> Callable[[np.random.Generator, int], FloatArray]:
    def draw(rng: np.random.Generator, size: int) -> FloatArray:
        z = rng.standard_normal((size, n_assets))
        jump = rng.random((size, n_assets)) < JUMP_PROB
        shocks: FloatArray = z * np.where(jump, JUMP_SCALE, 1.0) / np.sqrt(1.0 + JUMP_PROB * (JUMP_SCALE**2 - 1.0))
        return shocks

    return draw


def _asset_sigma(b: FloatArray, factor_sd: FloatArray, idio_sd: FloatArray, rate_sd: FloatArray) -> FloatArray:
    """Approximate daily vol per asset and day (factor correlations ignored): sizes the OHLC ranges."""
    var = factor_sd**2 @ (b[:, :-1] ** 2).T + np.outer(rate_sd**2, b[:, -1] ** 2) + idio_sd**2
    return np.asarray(np.sqrt(var))


@dataclass(frozen=True)
class _Paths:
    """Everything on the full grid from ORIGIN: dates, market, factor returns, curve, spreads."""

    days: npt.NDArray[np.datetime64]
    anchor: int  # row of ANCHOR_DATE
    pull_stop: int  # first row after PULL_END: prices revert to their anchor on rows (anchor, pull_stop)
    market: factors.MarketPath
    factors: FloatArray  # (days, FACTOR_NAMES) log returns; rates = daily change of ^TNX in pp
    curve: FloatArray  # yields at YIELD_TENORS then at each bond's tenor
    ig: FloatArray
    hy: FloatArray


def _paths(seed: int, end: date, bond_tenors: list[float], vix_ref: float) -> _Paths:
    rngs = _streams(seed)
    episodes = calendar.HISTORICAL_EPISODES + calendar.calm_episodes() + calendar.future_episodes(rngs["future"])
    days = _business_days(calendar.ORIGIN, calendar.horizon(end, episodes))
    anchor = int(np.searchsorted(days, np.datetime64(calendar.ANCHOR_DATE, "D"), side="right")) - 1
    pull_stop = int(np.searchsorted(days, np.datetime64(calendar.PULL_END, "D"), side="right"))
    pull = (np.arange(len(days)) > anchor) & (np.arange(len(days)) < pull_stop)
    market = factors.simulate_market(rngs, calendar.episode_arrays(days, episodes), np.where(pull, vix_ref, np.nan))
    tenors = np.array([*YIELD_TENORS.values(), *bond_tenors])
    curve = factors.simulate_curve(rngs, market, calendar.yield_anchors(days), tenors, pull)
    tnx = curve[:, list(YIELD_TENORS).index("^TNX")]
    returns = np.column_stack([factors.simulate_factors(rngs, market), np.diff(tnx, prepend=tnx[0])])
    return _Paths(days, anchor, pull_stop, market, returns, curve, *factors.simulate_spreads(rngs, market))


def _window(days: npt.NDArray[np.datetime64], end: date, years: int) -> slice:
    last = int(np.searchsorted(days, np.datetime64(end, "D"), side="right")) - 1
    first_day = (pd.Timestamp(end) - pd.DateOffset(years=years)).date()
    first = int(np.searchsorted(days, np.datetime64(max(first_day, calendar.ORIGIN), "D"), side="left"))
    return slice(first, last + 1)


def _simulate(seed: int, end: date, window_years: int) -> tuple[npt.NDArray[np.datetime64], assets.Ohlcv, pd.DataFrame]:
    """Bars of every symbol over the window, plus its dates and the universe.

    Per-asset work covers only the rows between the window (and one day before it) and the anchor.
    """
    uni = load_universe()
    is_bond = uni["symbol"].isin(list(assets.BONDS)).to_numpy()
    specs = [assets.BONDS[s] for s in uni["symbol"][is_bond]]
    vix_ref = float(uni.loc[uni["symbol"] == VIX_SYMBOL, "ref_price"].iloc[0])
    p = _paths(seed, end, [s.tenor for s in specs], vix_ref)
    win = _window(p.days, end, window_years)
    rows = slice(max(min(win.start, p.anchor) - 1, 0), max(win.stop, p.anchor + 1))
    b = assets.loadings(uni)
    idio_sd = uni["idio_vol"].fillna(0.0).to_numpy() / np.sqrt(TRADING_DAYS) * p.market.scaler[rows, None] ** IDIO_POWER
    log_ret, bond_yield = _log_returns(seed, p, uni, b, idio_sd, rows, specs)
    payout = _payout(p.days, uni, is_bond, bond_yield, rows)
    pulled = uni["asset_class"].ne("index").to_numpy() & ~is_bond
    after = slice(p.anchor + 1 - rows.start, max(min(p.pull_stop, rows.stop) - rows.start, p.anchor + 1 - rows.start))
    log_ret = assets.anchor_pull(log_ret, payout, after, pulled)
    ref = uni["ref_price"].where(uni["asset_class"] != "index", 1.0).to_numpy()
    close, adj = assets.prices(log_ret, payout, ref, p.anchor - rows.start)
    sigma = _asset_sigma(b, factors.factor_vols(p.market)[rows], idio_sd, RATE_VOL * p.market.scaler[rows] ** 0.3)
    sigma[:, is_bond] += np.array([s.duration * s.rate_weight for s in specs]) * RATE_VOL / 100.0
    _set_levels(uni, close, adj, sigma, p, rows)
    turnover = np.array([TURNOVER[c] for c in uni["asset_class"]])
    base_volume = turnover * uni["market_cap"].fillna(0.0).to_numpy() / ref
    noise = _yearly_draws(
        seed, OHLCV_CODE, p.days, rows, lambda rng, size: rng.random((size, 4, len(uni)), dtype=np.float32)
    )
    cut = slice(win.start - rows.start, win.stop - rows.start)
    bars = _window_bars(cut, close, adj, sigma, base_volume, noise)
    return p.days[win], assets.unlisted_to_nan(bars, p.days[win], uni["inception"].to_numpy(dtype="datetime64[D]")), uni


def _log_returns(
    seed: int,
    p: _Paths,
    uni: pd.DataFrame,
    b: FloatArray,
    idio_sd: FloatArray,
    rows: slice,
    specs: list[assets.BondSpec],
) -> tuple[FloatArray, FloatArray]:
    """Daily log total returns over `rows`, (rows, assets), and the bond funds' running yields on the full grid."""
    log_ret = p.factors[rows] @ b.T + idio_sd * _yearly_draws(seed, IDIO_CODE, p.days, rows, _idio_draw(len(uni)))
    bond_ret, bond_yield = assets.bond_returns(p.curve[:, len(YIELD_TENORS) :], p.ig, p.hy, specs)
    bond_log = np.log1p(bond_ret[rows])
    symbols = uni["symbol"].tolist()
    bond_symbols = [s for s in symbols if s in assets.BONDS]
    log_ret[:, [symbols.index(s) for s in bond_symbols]] += bond_log
    for fund, (bond, weight) in assets.BLENDS.items():  # one multi-asset fund
        log_ret[:, symbols.index(fund)] += weight * bond_log[:, bond_symbols.index(bond)]
    return log_ret, bond_yield


def _payout(
    days: npt.NDArray[np.datetime64], uni: pd.DataFrame, is_bond: BoolArray, bond_yield: FloatArray, rows: slice
) -> FloatArray:
    """Dividend paid on each ex-date as a fraction of the price, (rows, assets); bond funds pay their yield."""
    first_of_month, first_mid, month_no = assets.calendar_flags(days)
    per_year = assets.dividend_events((first_of_month[rows], first_mid[rows], month_no[rows]), uni, is_bond)
    rate = np.repeat(uni["dividend_yield"].fillna(0.0).to_numpy()[None, :], len(per_year), axis=0)
    rate[:, is_bond] = bond_yield[rows] / 100.0
    payout: FloatArray = np.divide(rate, per_year, out=np.zeros_like(rate), where=per_year > 0)
    return payout


def _window_bars(
    cut: slice, close: FloatArray, adj: FloatArray, sigma: FloatArray, base_volume: FloatArray, noise: AnyArray
) -> assets.Ohlcv:
    """OHLCV of the window rows `cut`, using the row before it for the previous close."""
    pad = slice(cut.start - 1 if cut.start > 0 else 0, cut.stop)
    bars = assets.ohlcv(close[pad], adj[pad], sigma[pad], base_volume, noise[pad])
    if cut.start == 0:  # the window opens on the origin date: no previous close, the day opens flat
        bars = assets.prepend_first(bars, close[0], adj[0], base_volume)
    return bars


def _set_levels(
    uni: pd.DataFrame, close: FloatArray, adj: FloatArray, sigma: FloatArray, p: _Paths, rows: slice
) -> None:
    """Write the yields and the VIX (levels, not prices) into their columns, in place."""
    levels = {**{s: p.curve[rows, i] for i, s in enumerate(YIELD_TENORS)}, VIX_SYMBOL: p.market.vix[rows]}
    symbols = uni["symbol"].tolist()
    for symbol, level in levels.items():  # five index columns
        j = symbols.index(symbol)
        close[:, j] = adj[:, j] = level
        sigma[:, j] = VIX_BAR_VOL if symbol == VIX_SYMBOL else YIELD_BAR_VOL


def simulated_market(*, end: date, years: int = 10, seed: int = 1) -> SimulatedMarket:
    """A seeded simulated market of `years` years ending on the last business day on or before `end`.

    Starts no earlier than the simulation origin (2005-01-03). Raises ValidationError for an
    `end` before the origin, `years` < 1 or a negative seed.
    """
    if end < calendar.ORIGIN or years < 1 or seed < 0:
        raise ValidationError(
            f"The simulated market needs end >= {calendar.ORIGIN}, years >= 1 and seed >= 0 "
            f"(got {end}, {years}, {seed})."
        )
    days, bars, uni = _simulate(seed, end, years)
    index = pd.DatetimeIndex(days.astype("datetime64[ns]"), name="date")
    close = pd.DataFrame(bars.adj_close, index=index, columns=pd.Index(uni["symbol"].tolist(), name="symbol"))
    profiles = uni.loc[:, list(PROFILE_COLUMNS)].reset_index(drop=True)
    return SimulatedMarket(seed, index[0].date(), index[-1].date(), close, profiles, bars)
