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

from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory
from sigma.risk.columns import nanmean, nanstd, safe_div, series, values
from sigma.risk.tail import historical_cvar as historical_cvar  # re-exported
from sigma.risk.tail import historical_var as historical_var  # re-exported
from sigma.risk.tail import parametric_cvar as parametric_cvar  # re-exported: one module of return metrics
from sigma.risk.tail import parametric_var as parametric_var  # re-exported
from sigma.risk.tail import sorted_tail
from sigma.typing import BoolArray, FloatArray, IntArray

MIN_OBS = 20
PROFILE_COLUMNS = (
    "cagr",
    "volatility",
    "sharpe",
    "sortino",
    "max_drawdown",
    "calmar",
    "beta",
    "alpha",
    "tracking_error",
    "information_ratio",
    "var_95",
    "cvar_95",
    "var_99",
    "cvar_99",
    "n_obs",
)


def daily_rate(rf: float, periods_per_year: int = TRADING_DAYS) -> float:
    """Daily compounding equivalent of an annual rate: (1 + rf)^(1/252) − 1."""
    return float((1.0 + rf) ** (1.0 / periods_per_year) - 1.0)


def n_obs(returns: pd.DataFrame) -> pd.Series:
    """Number of finite returns per column."""
    return series(np.sum(~np.isnan(values(returns)), axis=0).astype(float), returns, "n_obs")


@dataclass(frozen=True)
class _Panel:
    """One pass over returns that the measures share: NaN mask, counts, zero-filled and centred values."""

    x: FloatArray  # dates x assets, NaN where missing (±inf as NaN)
    ok: BoolArray  # finite entries
    n: IntArray  # finite entries per column
    x0: FloatArray  # x with 0 where missing
    mean: FloatArray  # per column, NaN when empty
    dev: FloatArray  # x − mean, 0 where missing
    std: FloatArray  # ddof = 1, NaN below two observations


def _panel(x: FloatArray) -> _Panel:
    ok = ~np.isnan(x)
    n = ok.sum(axis=0)
    x0 = np.where(ok, x, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = x0.sum(axis=0) / n
        dev = np.where(ok, x - mean, 0.0)
        std = np.where(n > 1, np.sqrt(_colsq(dev, dev) / (n - 1)), np.nan)
    return _Panel(x, ok, n, x0, mean, dev, std)


def _cagr(x: FloatArray, ppy: int) -> FloatArray:
    return _cagr_filled(np.nan_to_num(x, nan=0.0), np.sum(~np.isnan(x), axis=0), ppy)


def _cagr_filled(x0: FloatArray, n: IntArray, ppy: int) -> FloatArray:
    """CAGR from returns with 0 on missing days (a missing day leaves wealth unchanged)."""
    growth = np.prod(1.0 + x0, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = growth ** (ppy / n) - 1.0
    return np.where(n > 0, out, np.nan)


def cagr(returns: pd.DataFrame, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Compound annual growth rate: Π(1 + r)^(252/n) − 1 over each column's own observations."""
    return series(_cagr(values(returns), periods_per_year), returns, "cagr")


def annualised_vol(returns: pd.DataFrame, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Annualised volatility: std(r, ddof=1) × √252."""
    return series(nanstd(values(returns)) * np.sqrt(periods_per_year), returns, "volatility")


def _sharpe(x: FloatArray, rf_d: float, ppy: int) -> FloatArray:
    excess = x - rf_d
    return np.asarray(safe_div(nanmean(excess), nanstd(excess)) * np.sqrt(ppy), dtype=np.float64)


def sharpe(returns: pd.DataFrame, rf: float = 0.0, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Sharpe ratio of excess returns over the daily rate of the annual `rf`, annualised by √252."""
    x = values(returns)
    return series(_sharpe(x, daily_rate(rf, periods_per_year), periods_per_year), returns, "sharpe")


def _sortino(x: FloatArray, target: float, ppy: int) -> FloatArray:
    if x.shape[0] == 0:
        return np.full(x.shape[1], np.nan)
    ok = ~np.isnan(x)
    excess0 = np.where(ok, x - target, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = excess0.sum(axis=0) / ok.sum(axis=0)
    return _sortino_filled(mean, excess0, ok.sum(axis=0), ppy)


def _sortino_filled(mean: FloatArray, excess0: FloatArray, n: IntArray, ppy: int) -> FloatArray:
    """Sortino from the mean excess and the excess returns with 0 on missing days."""
    down = np.minimum(excess0, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        downside = np.sqrt(_colsq(down, down) / n)
    return np.asarray(safe_div(mean, downside) * np.sqrt(ppy), dtype=np.float64)


def sortino(returns: pd.DataFrame, target: float = 0.0, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Sortino ratio: mean(r − t) / sqrt(mean(min(r − t, 0)²)) × √252, target t daily (0)."""
    return series(_sortino(values(returns), target, periods_per_year), returns, "sortino")


def _drawdown(x: FloatArray) -> FloatArray:
    wealth = np.cumprod(1.0 + np.nan_to_num(x, nan=0.0), axis=0)
    peak = np.maximum(np.maximum.accumulate(wealth, axis=0), 1.0)  # the starting 1.0 is a peak too
    return np.where(np.isnan(x), np.nan, wealth / peak - 1.0)


def drawdown(returns: pd.DataFrame) -> pd.DataFrame:
    """Drawdown (≤ 0) of a wealth index that starts at 1.0, per date; NaN where the return is NaN."""
    return pd.DataFrame(_drawdown(values(returns)), index=returns.index, columns=returns.columns)


def _max_drawdown(x: FloatArray) -> FloatArray:
    return _max_drawdown_filled(np.nan_to_num(x, nan=0.0), np.asarray(np.isnan(x).all(axis=0)))


def _max_drawdown_filled(x0: FloatArray, empty: BoolArray) -> FloatArray:
    """Max drawdown from returns with 0 on missing days (their drawdown repeats one already seen)."""
    wealth = x0 + 1.0
    np.cumprod(wealth, axis=0, out=wealth)
    peak = np.maximum.accumulate(wealth, axis=0)
    np.maximum(peak, 1.0, out=peak)  # the starting 1.0 is a peak too
    np.divide(wealth, peak, out=wealth)
    out = wealth.min(axis=0, initial=1.0) - 1.0
    return np.where(empty, np.nan, out)


def max_drawdown(returns: pd.DataFrame) -> pd.Series:
    """Maximum drawdown min(W / cummax(W) − 1), W starting at 1 so a first-day loss counts."""
    return series(_max_drawdown(values(returns)), returns, "max_drawdown")


def _colsq(a: FloatArray, b: FloatArray) -> FloatArray:
    """Column sums of a·b in one pass, without a temporary."""
    return np.asarray(np.einsum("ij,ij->j", a, b), dtype=np.float64)


def _paired_moments(
    x: FloatArray, b: FloatArray, panel: _Panel | None = None
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per column over the dates where both x and b exist: n, mean x, mean b, cov, var b, std(x − b).

    `panel` is x's own panel, reused when the benchmark exists on every date.
    """
    p = panel if panel is not None and not np.isnan(b).any() else _panel(np.where(np.isnan(b), np.nan, x))
    n, bb = p.n, np.broadcast_to(b, p.x.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        mb = np.where(p.ok, bb, 0.0).sum(axis=0) / n
        db = np.where(p.ok, bb - mb, 0.0)
        cov, var_b = _colsq(p.dev, db) / (n - 1), _colsq(db, db) / (n - 1)
        active = p.dev - db  # centred active return, computed directly so TE of a benchmark copy is exactly 0
        te = np.sqrt(_colsq(active, active) / (n - 1))
    mx = p.mean
    few = n < 2
    return n, mx, mb, np.where(few, np.nan, cov), np.where(few, np.nan, var_b), np.where(few, np.nan, te)


def _benchmark_column(returns: pd.DataFrame, benchmark: pd.Series) -> FloatArray:
    return values(benchmark.reindex(returns.index))


def beta(returns: pd.DataFrame, benchmark: pd.Series, min_obs: int = 2) -> pd.Series:
    """OLS beta cov(r, b) / var(b) (ddof=1 both) on the dates where both exist; NaN below `min_obs`."""
    n, _, _, cov, var_b, _ = _paired_moments(values(returns), _benchmark_column(returns, benchmark))
    return series(np.where(n >= min_obs, safe_div(cov, var_b), np.nan), returns, "beta")


RELATIVE_COLUMNS = ("beta", "alpha", "tracking_error", "information_ratio")


def relative_metrics(
    returns: pd.DataFrame, benchmark: pd.Series, rf: float = 0.0, periods_per_year: int = TRADING_DAYS
) -> pd.DataFrame:
    """Beta, annualised arithmetic alpha, tracking error and information ratio against `benchmark`.

    Each column uses the dates where it and the benchmark both exist. Alpha is
    (mean(r − rf_d) − β·mean(b − rf_d))·252; TE is std(r − b)·√252; IR is (mean(r) − mean(b))·252 / TE.
    """
    x = values(returns)
    metrics = _relative(x, _benchmark_column(returns, benchmark), daily_rate(rf, periods_per_year), periods_per_year)
    return pd.DataFrame(dict(zip(RELATIVE_COLUMNS, metrics, strict=True)), index=returns.columns)


def _relative(x: FloatArray, b: FloatArray, rf_d: float, ppy: int, panel: _Panel | None = None) -> list[FloatArray]:
    """Beta, alpha, tracking error and information ratio arrays (see `relative_metrics`)."""
    _, mx, mb, cov, var_b, te_d = _paired_moments(x, b, panel)
    beta_ = safe_div(cov, var_b)
    te = te_d * np.sqrt(ppy)
    return [beta_, ((mx - rf_d) - beta_ * (mb - rf_d)) * ppy, te, safe_div((mx - mb) * ppy, te)]


def tracking_error(returns: pd.DataFrame, benchmark: pd.Series, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Annualised tracking error std(r − b)·√252 (ddof = 1) on the dates where both exist."""
    return relative_metrics(returns, benchmark, 0.0, periods_per_year)["tracking_error"]


def information_ratio(returns: pd.DataFrame, benchmark: pd.Series, periods_per_year: int = TRADING_DAYS) -> pd.Series:
    """Information ratio (mean(r) − mean(b))·252 / tracking error, on the dates where both exist."""
    return relative_metrics(returns, benchmark, 0.0, periods_per_year)["information_ratio"]


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


def _notes(infs: IntArray, n: IntArray) -> list[str]:
    notes = [""] * len(n)
    for i in np.flatnonzero((infs > 0) | (n < MIN_OBS)):  # only the flagged columns get a string
        text = f"{int(infs[i])} infinite returns ignored (zero price?)" if infs[i] else ""
        if n[i] < MIN_OBS:
            text = "; ".join(filter(None, [text, f"only {int(n[i])} returns (< {MIN_OBS}): metrics omitted"]))
        notes[i] = text
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
    `note`; the service calls `require_history` when it needs to refuse instead. The measures are
    the same private functions as the public ones, fed one shared pass over the data (`_Panel`).
    """
    ppy, rf_d, root = periods_per_year, daily_rate(rf, periods_per_year), np.sqrt(periods_per_year)
    raw = np.array(returns, dtype=np.float64, ndmin=2, copy=True)
    infinite = np.isinf(raw)
    raw[infinite] = np.nan
    p = _panel(raw)
    growth, worst = _cagr_filled(p.x0, p.n, ppy), _max_drawdown_filled(p.x0, p.n == 0)
    columns = [growth, p.std * root, safe_div(p.mean - rf_d, p.std) * root, _sortino_filled(p.mean, p.x0, p.n, ppy)]
    columns += [worst, safe_div(growth, np.abs(worst))]
    if benchmark is None:
        columns += [np.full(len(p.n), np.nan)] * len(RELATIVE_COLUMNS)
    else:
        columns += _relative(raw, _benchmark_column(returns, benchmark), rf_d, ppy, p)
    ordered = np.sort(raw, axis=0)
    for level in (0.95, 0.99):
        columns += list(sorted_tail(ordered, level))
    table = np.column_stack(columns)
    table[p.n < MIN_OBS] = np.nan
    frame = pd.DataFrame(table, index=returns.columns, columns=list(PROFILE_COLUMNS[:-1]))
    frame["n_obs"] = p.n.astype(np.int64)
    frame["note"] = _notes(infinite.sum(axis=0), p.n)
    return frame
