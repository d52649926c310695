"""Performance metrics from daily simple returns, every column at once (DOMAIN.md, "Performance metrics").

Conventions: `returns` is a DataFrame of simple daily returns (dates x assets, fractions). Each
column uses its own non-NaN observations, so a late-listed column (leading NaN) is measured from
its first return; ±inf (a zero price) is treated as NaN and `performance_profile` says so in its
`note`. Annualisation uses `periods_per_year` (252). `rf` is an ANNUAL rate, turned into a daily
one as `rf_d = (1 + rf) ** (1 / periods_per_year) - 1`. VaR and CVaR are 1-day and reported as
positive losses; the historical quantile is numpy's default 'linear' interpolation
(`np.quantile(r, 1 - level)`). Ratios whose denominator is zero are NaN, never inf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory

MIN_OBS = 20
PROFILE_COLUMNS = (
    "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "calmar", "beta", "alpha",
    "tracking_error", "information_ratio", "var_95", "cvar_95", "var_99", "cvar_99", "n_obs",
)  # fmt: skip

FloatArray = np.ndarray


def _values(frame: pd.DataFrame | pd.Series) -> FloatArray:
    """Float64 2-D copy of the data with ±inf replaced by NaN."""
    x = np.array(frame, dtype=np.float64, ndmin=2, copy=True)
    if isinstance(frame, pd.Series):
        x = x.T
    x[np.isinf(x)] = np.nan
    return x


def _safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den with NaN wherever den is zero or NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num, dtype=np.float64) / den
    return np.where(np.asarray(den) == 0, np.nan, out)


def _series(values: FloatArray, frame: pd.DataFrame, name: str) -> pd.Series:
    return pd.Series(values, index=frame.columns, name=name, dtype=np.float64)


@dataclass(frozen=True)
class _Moments:
    """Shared per-column pieces: zero-filled values, observation counts, mean and std (ddof=1)."""

    x0: FloatArray
    n: FloatArray
    mean: FloatArray
    std: FloatArray

    @classmethod
    def of(cls, x: FloatArray) -> _Moments:
        obs = ~np.isnan(x)
        n = obs.sum(axis=0)
        x0 = np.where(obs, x, 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = x0.sum(axis=0) / n
            dev = np.where(obs, x - mean, 0.0)
            std = np.where(n > 1, np.sqrt(_colsq(dev, dev) / (n - 1)), np.nan)
        return cls(x0, n, mean, std)


def daily_rate(rf: float, periods_per_year: int = TRADING_DAYS) -> float:
    """Daily compounding equivalent of an annual rate: (1 + rf)^(1/252) − 1."""
    return float((1.0 + rf) ** (1.0 / periods_per_year) - 1.0)


def n_obs(returns: pd.DataFrame) -> pd.Series:
    """Number of finite returns per column."""
    return _series(np.sum(~np.isnan(_values(returns)), axis=0).astype(float), returns, "n_obs")


def _cagr(x: FloatArray, ppy: int) -> FloatArray:
    n = np.sum(~np.isnan(x), axis=0)
    growth = np.nanprod(1.0 + x, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = growth ** (ppy / n) - 1.0
    return np.where(n > 0, out, np.nan)


def cagr(returns: pd.DataFrame, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Compound annual growth rate: Π(1 + r)^(252/n) − 1 over each column's own observations."""
    return _series(_cagr(_values(returns), periods_per_year), returns, "cagr")


def _nanmean(x: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.nansum(x, axis=0) / np.sum(~np.isnan(x), axis=0)


def _nanstd(x: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        n = np.sum(~np.isnan(x), axis=0)
        mean = np.nansum(x, axis=0) / n
        ss = np.nansum((x - mean) ** 2, axis=0)
        return np.where(n > 1, np.sqrt(ss / (n - 1)), np.nan)


def annualised_vol(returns: pd.DataFrame, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Annualised volatility: std(r, ddof=1) × √252."""
    return _series(_nanstd(_values(returns)) * np.sqrt(periods_per_year), returns, "volatility")


def _sharpe(x: FloatArray, rf_d: float, ppy: int) -> FloatArray:
    excess = x - rf_d
    return _safe_div(_nanmean(excess), _nanstd(excess)) * np.sqrt(ppy)


def sharpe(returns: pd.DataFrame, rf: float = 0.0, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Sharpe ratio of excess returns over the daily rate of the annual `rf`, annualised by √252."""
    x = _values(returns)
    return _series(_sharpe(x, daily_rate(rf, periods_per_year), periods_per_year), returns, "sharpe")


def _sortino(x: FloatArray, target: float, ppy: int) -> FloatArray:
    if x.shape[0] == 0:
        return np.full(x.shape[1], np.nan)
    excess = x - target
    with np.errstate(invalid="ignore"):
        downside = np.sqrt(_nanmean(np.where(np.isnan(excess), np.nan, np.minimum(excess, 0.0) ** 2)))
    return _safe_div(_nanmean(excess), downside) * np.sqrt(ppy)


def sortino(returns: pd.DataFrame, target: float = 0.0, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Sortino ratio: mean(r − t) / sqrt(mean(min(r − t, 0)²)) × √252, target t daily (0)."""
    return _series(_sortino(_values(returns), target, periods_per_year), returns, "sortino")


def _drawdown(x: FloatArray) -> FloatArray:
    wealth = np.cumprod(1.0 + np.nan_to_num(x, nan=0.0), axis=0)
    peak = np.maximum(np.maximum.accumulate(wealth, axis=0), 1.0)  # the starting 1.0 is a peak too
    return np.where(np.isnan(x), np.nan, wealth / peak - 1.0)


def drawdown(returns: pd.DataFrame) -> pd.DataFrame:
    """Drawdown (≤ 0) of a wealth index that starts at 1.0, per date; NaN where the return is NaN."""
    return pd.DataFrame(_drawdown(_values(returns)), index=returns.index, columns=returns.columns)


def _max_drawdown(x: FloatArray) -> FloatArray:
    # NaN days leave the wealth unchanged, so their drawdown repeats a value already seen
    wealth = np.nan_to_num(x, nan=0.0)
    wealth += 1.0
    np.cumprod(wealth, axis=0, out=wealth)
    peak = np.maximum.accumulate(wealth, axis=0)
    np.maximum(peak, 1.0, out=peak)  # the starting 1.0 is a peak too
    np.divide(wealth, peak, out=wealth)
    out = wealth.min(axis=0, initial=1.0) - 1.0
    return np.where(np.isnan(x).all(axis=0), np.nan, out)


def max_drawdown(returns: pd.DataFrame) -> pd.Series:
    """Maximum drawdown min(W / cummax(W) − 1), W starting at 1 so a first-day loss counts."""
    return _series(_max_drawdown(_values(returns)), returns, "max_drawdown")


def _colsq(a: FloatArray, b: FloatArray) -> FloatArray:
    """Column sums of a·b in one pass, without a temporary."""
    return np.einsum("ij,ij->j", a, b)


def _paired_moments(x: FloatArray, b: FloatArray) -> tuple[FloatArray, ...]:
    """Per column over the dates where both x and b exist: n, mean x, mean b, cov, var b, std(x − b)."""
    mask = ~np.isnan(x) & ~np.isnan(b)
    n = mask.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mx, mb = np.where(mask, x, 0.0).sum(axis=0) / n, np.where(mask, b, 0.0).sum(axis=0) / n
        dx, db = np.where(mask, x - mx, 0.0), np.where(mask, b - mb, 0.0)
        cov, var_b = _colsq(dx, db) / (n - 1), _colsq(db, db) / (n - 1)
        dx -= db  # centred active return, computed directly so TE of a benchmark copy is exactly 0
        te = np.sqrt(_colsq(dx, dx) / (n - 1))
    few = n < 2
    return n, mx, mb, np.where(few, np.nan, cov), np.where(few, np.nan, var_b), np.where(few, np.nan, te)


def _benchmark_column(returns: pd.DataFrame, benchmark: pd.Series) -> FloatArray:
    return _values(benchmark.reindex(returns.index))


def beta(returns: pd.DataFrame, benchmark: pd.Series, min_obs: int = 2) -> pd.Series:
    """OLS beta cov(r, b) / var(b) (ddof=1 both) on the dates where both exist; NaN below `min_obs`."""
    n, _, _, cov, var_b, _ = _paired_moments(_values(returns), _benchmark_column(returns, benchmark))
    return _series(np.where(n >= min_obs, _safe_div(cov, var_b), np.nan), returns, "beta")


def _relative(x: FloatArray, b: FloatArray, rf_d: float, ppy: int) -> tuple[FloatArray, ...]:
    """Beta, annualised arithmetic alpha, tracking error and information ratio against b."""
    _, mx, mb, cov, var_b, te_d = _paired_moments(x, b)
    beta_ = _safe_div(cov, var_b)
    alpha = ((mx - rf_d) - beta_ * (mb - rf_d)) * ppy
    te = te_d * np.sqrt(ppy)
    info = _safe_div((mx - mb) * ppy, te)
    return beta_, alpha, te, info


def _sorted_tail(x: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """Historical VaR and CVaR (positive losses) from columns sorted ascending with NaN last."""
    n = np.sum(~np.isnan(x), axis=0)
    pos = (n - 1) * (1.0 - level)  # numpy 'linear': virtual index (n − 1)·q
    lo = np.clip(np.floor(pos).astype(np.int64), 0, max(x.shape[0] - 1, 0))
    hi = np.clip(lo + 1, 0, np.maximum(n - 1, 0))
    cols = np.arange(x.shape[1])
    if x.shape[0] == 0:
        return np.full(x.shape[1], np.nan), np.full(x.shape[1], np.nan)
    a, b, t = x[lo, cols], x[hi, cols], pos - lo
    quantile = np.where(t >= 0.5, b - (b - a) * (1.0 - t), a + (b - a) * t)  # numpy's _lerp
    with np.errstate(invalid="ignore"):
        tail = x <= quantile
        cvar = -_safe_div(np.where(tail, x, 0.0).sum(axis=0), tail.sum(axis=0))
    ok = n > 0
    return np.where(ok, -quantile, np.nan), np.where(ok, cvar, np.nan)


def historical_var(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Historical 1-day VaR as a positive loss: −quantile(r, 1 − level), numpy 'linear' interpolation."""
    var, _ = _sorted_tail(np.sort(_values(returns), axis=0), level)
    return _series(var, returns, f"var_{round(level * 100)}")


def historical_cvar(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Historical 1-day CVaR as a positive loss: −mean(r[r ≤ −VaR]); always ≥ VaR."""
    _, cvar = _sorted_tail(np.sort(_values(returns), axis=0), level)
    return _series(cvar, returns, f"cvar_{round(level * 100)}")


def parametric_var(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Normal 1-day VaR as a positive loss: −(μ + z_{1−level}·σ), σ with ddof=1."""
    x = _values(returns)
    out = -(_nanmean(x) + norm.ppf(1.0 - level) * _nanstd(x))
    return _series(out, returns, f"pvar_{round(level * 100)}")


def parametric_cvar(returns: pd.DataFrame, level: float = 0.95) -> pd.Series:
    """Normal 1-day CVaR (expected shortfall) as a positive loss: −μ + σ·φ(z)/(1 − level)."""
    x = _values(returns)
    z = norm.ppf(1.0 - level)
    out = -_nanmean(x) + _nanstd(x) * norm.pdf(z) / (1.0 - level)
    return _series(out, returns, f"pcvar_{round(level * 100)}")


def require_history(returns: pd.DataFrame, min_obs: int = 60) -> None:
    """Raise InsufficientHistory naming every column with fewer than `min_obs` returns."""
    counts = n_obs(returns)
    short = counts[counts < min_obs]
    if short.empty:
        return
    parts = [f"{col} has {int(k)} daily returns" for col, k in short.items()]
    raise InsufficientHistory(
        f"{'; '.join(parts)}; at least {min_obs} are needed. Load more history: python -m jobs run market_data"
    )


def _notes(x_raw: FloatArray, n: FloatArray) -> list[str]:
    infs = np.isinf(x_raw).sum(axis=0)
    notes = []
    for k, count in zip(infs, n, strict=True):  # one short string per column, not a numeric hot path
        text = f"{int(k)} infinite returns ignored (zero price?)" if k else ""
        if count < MIN_OBS:
            text = "; ".join(filter(None, [text, f"only {int(count)} returns (< {MIN_OBS}): metrics omitted"]))
        notes.append(text)
    return notes


def performance_profile(
    returns: pd.DataFrame,
    benchmark: pd.Series | None = None,
    rf: float = 0.0,
    periods_per_year: int = TRADING_DAYS,
) -> pd.DataFrame:
    """One row of performance and tail metrics per column of `returns` (see PROFILE_COLUMNS).

    Beta, alpha, tracking error and information ratio use the dates where the column and the
    benchmark both exist (NaN without a benchmark). Alpha is arithmetic and annualised:
    (mean(r − rf_d) − β·mean(b − rf_d))·252. Rows with fewer than MIN_OBS returns are NaN with a
    `note`; the service calls `require_history` when it needs to refuse instead.
    """
    x_raw = np.array(returns, dtype=np.float64, ndmin=2)
    x = _values(returns)
    ppy, rf_d = periods_per_year, daily_rate(rf, periods_per_year)
    m = _Moments.of(x)
    cagr_ = np.where(m.n > 0, np.prod(1.0 + m.x0, axis=0) ** (ppy / np.maximum(m.n, 1)) - 1.0, np.nan)
    mdd = _max_drawdown(x)
    losses = np.minimum(m.x0, 0.0)
    downside = np.sqrt(_safe_div(_colsq(losses, losses), m.n))
    cols: dict[str, FloatArray] = {
        "cagr": cagr_,
        "volatility": m.std * np.sqrt(ppy),
        "sharpe": _safe_div(m.mean - rf_d, m.std) * np.sqrt(ppy),  # std(r − rf_d) = std(r)
        "sortino": _safe_div(m.mean, downside) * np.sqrt(ppy),
        "max_drawdown": mdd,
        "calmar": _safe_div(cagr_, np.abs(mdd)),
    }
    nan_col = np.full(x.shape[1], np.nan)
    rel = _relative(x, _benchmark_column(returns, benchmark), rf_d, ppy) if benchmark is not None else (nan_col,) * 4
    cols.update(zip(("beta", "alpha", "tracking_error", "information_ratio"), rel, strict=True))
    ordered = np.sort(x, axis=0)
    for level in (0.95, 0.99):
        cols[f"var_{round(level * 100)}"], cols[f"cvar_{round(level * 100)}"] = _sorted_tail(ordered, level)
    frame = pd.DataFrame(cols, index=returns.columns)[list(PROFILE_COLUMNS[:-1])]
    frame.loc[m.n < MIN_OBS, :] = np.nan
    frame["n_obs"] = m.n
    frame["note"] = _notes(x_raw, m.n)
    return frame
