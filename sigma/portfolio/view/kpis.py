"""KPIs of the Portfolio view: valuation at the latest price date, beta, health and expected return.

Conventions: the book is valued with `valuation.value_book` at the latest price date (prices
forward-filled, the previous price is the previous price date's); cash is the snapshot cash of
that date. Day P&L comes from the last two snapshots (NaN % without a previous NAV). Portfolio
returns are the time-weighted daily returns of the snapshots (`history.equity_curve`); beta is
the 252-day OLS slope on the benchmark's returns (`risk.beta.market_beta`, ≥ 60 pairs);
volatility the annualized std (ddof=1) of the last 252 returns (≥ 20). Health (`health_inputs`)
scores beta and volatility against the book's own benchmark (the book's and the benchmark's vol
on their last 252 common dates, ≥ 20), weights wᵢ = net delta-adjusted exposure of priced symbol
i / NAV (HHI = Σ wᵢ², largest = max |wᵢ|, the diversification ratio of wᵢ with their 252-day
return covariance, pairs ≥ 60) and leverage = gross / NAV. Expected return = Σ exposure × (target EOY / spot − 1) /
NAV over open positions with a target (exposure is delta-adjusted, so shorts gain when the
target is below the spot).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sigma.config import HealthThresholds
from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory
from sigma.portfolio.health import HealthInputs, HealthScore, diversified_funds, health_score, nav_concentration
from sigma.portfolio.history import equity_curve
from sigma.portfolio.inputs import PriceInputs
from sigma.portfolio.model import Kpis
from sigma.portfolio.option_vol import surface_levels, trailing_vol
from sigma.portfolio.valuation import MarketInputs, Valuation, value_book
from sigma.risk.beta import MARKET_MIN_OBS, MARKET_WINDOW, market_beta
from sigma.risk.concentration import diversification_of_returns

MIN_VOL_OBS = 20


def value_at_latest(positions: pd.DataFrame, prices: PriceInputs, cash: float) -> Valuation:
    """Value the book at the last date of the close frame (options off the vol surface, `option_vol`)."""
    close = prices.close.ffill()
    underlyings = set(positions.get("underlying", pd.Series(dtype=object)).dropna()) & set(close.columns)
    atm_short, atm_long = surface_levels(close, underlyings, prices.surface).latest()
    prev = close.iloc[-2] if len(close) > 1 else close.iloc[-1]
    market = MarketInputs(
        prices=close.iloc[-1],
        prev_prices=prev,
        as_of=close.index[-1].date(),
        rate=prices.latest_rate(),
        vols=trailing_vol(close),
        atm_short=atm_short,
        atm_long=atm_long,
        surface=prices.surface,
        dividend_yields=prices.dividend_yields,
        prev_date=close.index[-2].date() if len(close) > 1 else None,
    )
    return value_book(positions, market, cash=cash)


def book_returns(snapshots: pd.DataFrame) -> pd.Series:
    """Daily time-weighted returns of the book by date (first snapshot day dropped)."""
    if len(snapshots) < 2:
        return pd.Series(dtype=float)
    returns = equity_curve(snapshots)["return"].iloc[1:]
    return returns.set_axis(pd.to_datetime(returns.index))


def beta_of(returns: pd.Series, benchmark: pd.Series) -> tuple[float | None, str | None]:
    """Market beta of the book, or None with the reason."""
    bench = benchmark.pct_change()
    paired = pd.concat([returns, bench], axis=1, join="inner").dropna().iloc[-MARKET_WINDOW:]
    if len(paired) < MARKET_MIN_OBS:
        return None, f"Beta needs {MARKET_MIN_OBS} daily returns; the book has {len(paired)} so far."
    value = market_beta(returns.to_frame("book"), bench)["book"]
    return float(value), None


def symbol_exposure(val: Valuation, positions: pd.DataFrame) -> pd.Series:
    """Net delta-adjusted exposure of the open positions by priced symbol (zeros dropped)."""
    open_ = val.positions["open"].to_numpy(bool)
    exposure = pd.Series(val.positions["exposure"].to_numpy(float)[open_], index=positions["priced"][open_])
    by_symbol = exposure.groupby(level=0).sum()
    return by_symbol[by_symbol != 0]


def _diversification(weights: pd.Series, prices: PriceInputs) -> float:
    """Diversification ratio of the symbol weights with their 252-day returns (NaN when not computable)."""
    if weights.empty:
        return math.nan
    returns = prices.close[list(weights.index)].pct_change().iloc[-MARKET_WINDOW:]
    return diversification_of_returns(weights, returns, MARKET_MIN_OBS).ratio


def paired_vols(returns: pd.Series, benchmark: pd.Series) -> tuple[float, float]:
    """Annualized vol (ddof=1) of the book and of the benchmark on their last 252 common dates (NaN < 20)."""
    bench = benchmark.pct_change(fill_method=None)
    paired = pd.concat([returns, bench], axis=1, join="inner").dropna().iloc[-MARKET_WINDOW:]
    if len(paired) < MIN_VOL_OBS:
        return math.nan, math.nan
    vols = paired.std(ddof=1).to_numpy(float) * math.sqrt(TRADING_DAYS)
    return float(vols[0]), float(vols[1])


def health_inputs(
    val: Valuation, positions: pd.DataFrame, prices: PriceInputs, returns: pd.Series, beta: float | None, benchmark: str
) -> HealthInputs:
    """The inputs of the health score: beta and vol against `benchmark`, NAV weights, DR and leverage."""
    bench = prices.close[benchmark] if benchmark in prices.close.columns else pd.Series(dtype=float)
    vol, bench_vol = paired_vols(returns, bench)
    exposure = symbol_exposure(val, positions)
    conc = nav_concentration(exposure, val.nav, diversified_funds(prices.profiles))
    return HealthInputs(
        beta=math.nan if beta is None else beta,
        volatility=vol,
        benchmark_volatility=bench_vol,
        hhi=conc.hhi,
        largest_weight=conc.largest_weight,
        diversification=_diversification(exposure / val.nav if val.nav > 0 else exposure.iloc[:0], prices),
        leverage=val.gross / val.nav if val.nav > 0 else math.nan,
        benchmark=benchmark,
        largest_symbol=conc.largest_symbol,
    )


def health_of(
    val: Valuation,
    positions: pd.DataFrame,
    prices: PriceInputs,
    returns: pd.Series,
    beta: float | None,
    benchmark: str,
    thresholds: HealthThresholds,
) -> tuple[HealthScore | None, str | None]:
    """Health score of the book against its benchmark, or None with the reason."""
    try:
        return health_score(health_inputs(val, positions, prices, returns, beta, benchmark), thresholds), None
    except InsufficientHistory as exc:
        return None, str(exc)


def expected_return(val: Valuation, positions: pd.DataFrame, spot: pd.Series) -> tuple[float | None, float]:
    """(Σ exposure × (target/spot − 1) / NAV over open positions with a target, share of gross covered)."""
    frame = val.positions
    open_ = frame["open"].to_numpy(bool)
    target = positions["target_eoy"].to_numpy(float)
    upside = target / positions["priced"].map(spot).to_numpy(float) - 1.0
    has = open_ & np.isfinite(upside)
    exposure = frame["exposure"].to_numpy(float)
    covered = float(np.abs(exposure[has]).sum() / val.gross) if val.gross > 0 else 0.0
    if not has.any() or not val.nav > 0:
        return None, covered
    return float((exposure[has] * upside[has]).sum() / val.nav), covered


def kpis(
    val: Valuation,
    positions: pd.DataFrame,
    prices: PriceInputs,
    snapshots: pd.DataFrame,
    benchmark: str,
    thresholds: HealthThresholds,
) -> Kpis:
    """The KPI block of the whole book."""
    returns = book_returns(snapshots)
    bench = prices.close[benchmark] if benchmark in prices.close.columns else pd.Series(dtype=float)
    beta, beta_reason = beta_of(returns, bench) if len(bench) else (None, f"No prices for the benchmark {benchmark}.")
    health, health_reason = health_of(val, positions, prices, returns, beta, benchmark, thresholds)
    same_day = len(snapshots) and snapshots["date"].iloc[-1] == val.as_of
    day_pnl = float(snapshots["day_pnl"].iloc[-1]) if same_day else val.day_pnl
    prev_nav = float(snapshots["nav"].iloc[-2]) if same_day and len(snapshots) > 1 else math.nan
    spot = prices.close.ffill().iloc[-1]
    exp_ret, coverage = expected_return(val, positions, spot)
    nav = val.nav
    pct = (lambda x: x / nav) if nav > 0 else (lambda x: math.nan)
    return Kpis(
        nav=nav,
        cash=val.cash,
        day_pnl=day_pnl,
        day_pnl_pct=day_pnl / prev_nav if prev_nav > 0 else math.nan,
        unrealized_pnl=val.unrealized_pnl,
        realized_pnl=val.realized_pnl,
        long=val.long,
        short=val.short,
        gross=val.gross,
        net=val.net,
        long_pct=pct(val.long),
        short_pct=pct(val.short),
        gross_pct=pct(val.gross),
        net_pct=pct(val.net),
        beta=beta,
        beta_reason=beta_reason,
        health=health,
        health_reason=health_reason,
        expected_return=exp_ret,
        target_coverage=coverage,
        delta_dollars=val.delta_dollars,
        gamma_dollars=val.gamma_dollars,
        theta_dollars=val.theta_dollars,
        vega_dollars=val.vega_dollars,
    )


def empty_kpis(cash: float) -> Kpis:
    """KPIs of a book without positions: NAV = cash."""
    zero = 0.0
    return Kpis(
        nav=cash,
        cash=cash,
        day_pnl=zero,
        day_pnl_pct=math.nan,
        unrealized_pnl=zero,
        realized_pnl=zero,
        long=zero,
        short=zero,
        gross=zero,
        net=zero,
        long_pct=zero,
        short_pct=zero,
        gross_pct=zero,
        net_pct=zero,
        beta=None,
        beta_reason="The book has no positions yet.",
        health=None,
        health_reason="The book has no positions yet.",
        expected_return=None,
        target_coverage=zero,
        delta_dollars=zero,
        gamma_dollars=zero,
        theta_dollars=zero,
        vega_dollars=zero,
    )
