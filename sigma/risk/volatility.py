"""Volatility: rolling realized, EWMA (RiskMetrics), HAR-RV forecasts, volatility cones.

Conventions: `returns` is a DataFrame of simple daily returns (dates x assets); every output
volatility is annualised (× √252) and a fraction. Daily variances are per day.

HAR-RV (Corsi 2009): RV_t = r_t², or the Parkinson range estimator ln(H/L)² / (4 ln 2) when
`high` and `low` frames are given. For each column the last `HAR_WINDOW` (500) RVs of its
trailing contiguous span are the sample y (at least `HAR_MIN_OBS` = 250); the regression is
y_t = β0 + βd·y_{t−1} + βw·mean(y_{t−5..t−1}) + βm·mean(y_{t−22..t−1}) on t = 22 … len(y) − 1,
exactly `arch.univariate.HARX(y, lags=[1, 5, 22]).fit()`. All columns are fitted at once with
a batched QR (numpy on a stack of design matrices). An h-day forecast iterates the recursion
feeding forecasts back in (as arch's `forecast` does) and reports the annualised volatility of
the AVERAGE forecast variance over days 1 … h. Each daily variance forecast is floored at the
smallest positive RV in the sample before averaging.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory

EWMA_LAMBDA = 0.94
HAR_LAGS = (1, 5, 22)
HAR_WINDOW = 500
HAR_MIN_OBS = 250
CONE_WINDOWS = (10, 20, 60, 120, 252)


def realized_vol(returns: pd.DataFrame, window: int = 20, periods_per_year: int = TRADING_DAYS) -> pd.DataFrame:
    """Rolling `window`-day standard deviation (ddof=1) × √252; NaN until the window is full."""
    clean = returns.replace([np.inf, -np.inf], np.nan)
    vol: pd.DataFrame = clean.rolling(window, min_periods=window).std() * np.sqrt(periods_per_year)
    return vol


def ewma_vol(returns: pd.DataFrame, lam: float = EWMA_LAMBDA, periods_per_year: int = TRADING_DAYS) -> pd.DataFrame:
    """RiskMetrics EWMA volatility σ²_t = λσ²_{t−1} + (1−λ)r²_{t−1}, annualised.

    The value on date t uses returns up to t−1. Initialisation: σ² on a column's second
    observation is its first squared return; missing days leave the state unchanged.
    """
    squared = returns.replace([np.inf, -np.inf], np.nan) ** 2
    state = squared.ewm(alpha=1.0 - lam, adjust=False, ignore_na=True).mean()
    return (state.shift(1) * periods_per_year) ** 0.5


def parkinson_variance(high: pd.DataFrame, low: pd.DataFrame) -> pd.DataFrame:
    """Parkinson daily variance ln(H/L)² / (4 ln 2) per date and column."""
    variance: pd.DataFrame = np.log(high / low) ** 2 / (4.0 * np.log(2.0))
    return variance


def _trailing_span(y: np.ndarray) -> np.ndarray:
    """Row index where each column's trailing run of finite values starts (len(y) if none)."""
    bad = ~np.isfinite(y)
    rows = np.arange(len(y))[:, None]
    last_bad = np.max(np.where(bad, rows, -1), axis=0, initial=-1)
    return np.asarray(last_bad + 1)


def _design(y: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HAR design tensor (assets x T x 4), target (assets x T) and usable rows (assets x T).

    Built once, assets first, from shifted views: the weekly and monthly regressors are running
    sums of lags 1 … 5 and 1 … 22 (added in that order, then divided), no (22 x T x assets) stack.
    """
    y0 = np.where(np.isfinite(y), y, 0.0).T  # assets x T
    n_assets, t_len = y0.shape
    usable = np.arange(t_len)[None, :] >= start[:, None] + max(HAR_LAGS)
    x = np.zeros((n_assets, t_len, 4))
    x[..., 0] = 1.0
    running = np.zeros((n_assets, t_len))
    for k in range(1, max(HAR_LAGS) + 1):  # 22 shifted adds over the whole panel, not a loop over assets
        running[:, k:] += y0[:, : t_len - k]
        if k in HAR_LAGS:
            x[..., HAR_LAGS.index(k) + 1] = running / k
    x[~usable] = 0.0
    return x, np.where(usable, y0, 0.0), usable


def _fit(x: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Least-squares coefficients for a stack of problems, via batched QR (rows of zeros are inert)."""
    q, r = np.linalg.qr(x)
    qty = np.einsum("atk,at->ak", q, target)
    return np.linalg.solve(r, qty[..., None])[..., 0]


@dataclass(frozen=True)
class _HarFit:
    """Every column's fit: coefficients (NaN when too short), window RVs, sample sizes, design."""

    params: np.ndarray  # assets x 4
    window: np.ndarray  # T x assets, NaN before the trailing span
    n: np.ndarray  # assets
    x: np.ndarray  # assets x T x 4, zero rows where unusable
    usable: np.ndarray  # assets x T


def har_params(rv: pd.DataFrame) -> pd.DataFrame:
    """HAR coefficients (const, daily, weekly, monthly) per column, fitted on its last 500 RVs."""
    return pd.DataFrame(_fit_frame(rv).params, index=rv.columns, columns=["const", "daily", "weekly", "monthly"])


def _fit_frame(rv: pd.DataFrame) -> _HarFit:
    """Coefficients, window RVs, sample sizes and the design for every column (NaN rows when too short)."""
    y = rv.to_numpy(dtype=np.float64)[-HAR_WINDOW:]
    start = _trailing_span(y)
    n = len(y) - start
    x, target, usable = _design(y, start)
    ok = n >= HAR_MIN_OBS
    params = np.full((y.shape[1], 4), np.nan)
    if ok.any():
        params[ok] = _fit(x[ok], target[ok])
    window = np.where(np.arange(len(y))[:, None] >= start, y, np.nan)
    return _HarFit(params, window, n, x, usable)


def _iterate(params: np.ndarray, window: np.ndarray, horizon: int) -> np.ndarray:
    """Iterated daily variance forecasts (assets x horizon); the horizon loop is inherently sequential."""
    hist = np.nan_to_num(window[-22:].T)  # assets x 22, most recent last
    out = np.empty((params.shape[0], horizon))
    for step in range(horizon):
        nxt = (
            params[:, 0]
            + params[:, 1] * hist[:, -1]
            + params[:, 2] * hist[:, -5:].mean(1)
            + params[:, 3] * hist.mean(1)
        )
        out[:, step] = nxt
        hist = np.concatenate([hist[:, 1:], nxt[:, None]], axis=1)
    return out


def har_forecast(
    returns: pd.DataFrame,
    horizons: tuple[int, ...] = HAR_LAGS,
    high: pd.DataFrame | None = None,
    low: pd.DataFrame | None = None,
    periods_per_year: int = TRADING_DAYS,
) -> pd.DataFrame:
    """HAR-RV volatility forecasts, one row per column of `returns`.

    Columns: "h1", "h5", "h22" (one per horizon: annualised vol of the mean forecast variance
    over the next h days), "percentile" (0–100: share of the column's own in-sample one-day
    fitted forecasts at or below today's), "n_obs" (RVs used) and "note". Columns with fewer than
    250 usable RVs are NaN with a note; raises InsufficientHistory when no column has enough.
    """
    clean = returns.replace([np.inf, -np.inf], np.nan)
    rv = clean**2 if high is None or low is None else parkinson_variance(high, low).reindex_like(clean)
    fit = _fit_frame(rv)
    params, window, n = fit.params, fit.window, fit.n
    ok = n >= HAR_MIN_OBS
    if not ok.any():
        raise InsufficientHistory(
            f"HAR needs at least {HAR_MIN_OBS} daily returns per asset; the longest history here has "
            f"{int(n.max(initial=0))}. Load more history: python -m jobs run market_data"
        )
    floor = np.nanmin(np.where(window > 0, window, np.nan), axis=0, initial=np.inf)
    daily = np.maximum(_iterate(params, window, max(horizons)), floor[:, None])
    frame = pd.DataFrame(index=returns.columns)
    for h in horizons:
        frame[f"h{h}"] = np.sqrt(daily[:, :h].mean(axis=1) * periods_per_year)
    frame["percentile"] = _fitted_percentile(fit, daily[:, 0])
    frame["n_obs"] = n
    frame.loc[~ok, [f"h{h}" for h in horizons] + ["percentile"]] = np.nan
    frame["note"] = np.where(ok, "", f"fewer than {HAR_MIN_OBS} returns: no HAR forecast")
    return frame


def _fitted_percentile(fit: _HarFit, today: np.ndarray) -> np.ndarray:
    """Percentile of today's one-day forecast among the in-sample fitted one-day forecasts."""
    fitted = np.einsum("atk,ak->at", fit.x, np.nan_to_num(fit.params))
    below = np.sum((fitted <= today[:, None]) & fit.usable, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(100.0 * below / fit.usable.sum(axis=1))


def volatility_cone(
    returns: pd.Series, windows: tuple[int, ...] = CONE_WINDOWS, periods_per_year: int = TRADING_DAYS
) -> pd.DataFrame:
    """Distribution of rolling realized vol per window: min, 25 %, median, 75 %, max and current."""
    rows = {}
    for w in windows:  # a handful of windows, each vectorised over dates by pandas
        vol = realized_vol(returns.to_frame(), w, periods_per_year).iloc[:, 0].dropna()
        q = vol.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).to_numpy() if len(vol) else np.full(5, np.nan)
        rows[w] = [*q, vol.iloc[-1] if len(vol) else np.nan]
    cols = ["min", "p25", "median", "p75", "max", "current"]
    return pd.DataFrame.from_dict(rows, orient="index", columns=cols).rename_axis("window")


def vol_percentile(series: pd.Series, value: float) -> float:
    """Percent (0–100) of the series' non-NaN values at or below `value`."""
    clean = series.to_numpy(dtype=np.float64)
    clean = clean[np.isfinite(clean)]
    return float(100.0 * np.mean(clean <= value)) if clean.size else float("nan")
