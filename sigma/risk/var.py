"""Portfolio Value at Risk and CVaR: historical, parametric normal and Monte Carlo (DOMAIN.md).

Conventions: the asset axis is the columns of `returns` (simple daily returns, dates x assets).
`exposures` are linear $ exposures by asset (stocks: market value); options are an `OptionBook`
whose `underlying` holds column positions in `returns`. VaR and CVaR are positive losses in $,
also as a fraction of `nav`; CVaR = −mean(P&L ≤ −VaR); quantiles use numpy's 'linear' rule.
A horizon h is in trading days: options age by h / 252 years, implied vol unchanged.

- historical: P&L on each date = exposures · returns + Σ options' full BSM repricing at
  S·(1 + r_underlying). The h-day horizon uses overlapping h-day compounded returns (T − h + 1
  windows, autocorrelated). Only dates where every used column has a return are kept.
- parametric: zero-mean normal, σ = std(ddof = 1) of the historical P&L series of the
  delta-adjusted exposures (= √(eᵀΣe) with the sample covariance); VaR = z·σ·√h,
  CVaR = σ·φ(z)/(1 − level)·√h. Options enter by delta only.
- monte_carlo: multivariate Student-t returns with covariance Σ: z·√((ν − 2)/W), W ~ χ²ᵥ, one W
  per path shared by every coordinate (unit variance, fat tails, joint crashes). Σ is the
  factor model B F Bᵀ + D when a `factor_model` is given, else the sample covariance of the
  history. The h-day covariance is h·Σ with the same draws (√h scaling). Linear P&L is linear in
  the returns, so instead of a paths x assets matrix the simulation draws only the state it
  needs: the option underlyings' returns and the P&L of the other linear positions, whose joint
  covariance S Σ Sᵀ is exact (identical in distribution to simulating every asset). Options are
  fully repriced at the simulated spot. Draws come from `np.random.default_rng(seed)` in chunks
  of `CHUNK` paths, so a seed gives the same paths whatever the book.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.stats import norm

from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory, UnknownSymbol, ValidationError
from sigma.risk.option_book import OptionBook
from sigma.risk.simulation import covariance_root, student_t_draws
from sigma.risk.tail import sorted_tail
from sigma.typing import FloatArray, IntArray

CHUNK = 2_000
KEYS = ["method", "level", "horizon"]
Row = tuple[str, float, int, float, float]  # method, level, horizon, VaR $, CVaR $


class VarMethod(StrEnum):
    """VaR estimators."""

    HISTORICAL = "historical"
    PARAMETRIC = "parametric"
    MONTE_CARLO = "monte_carlo"


class FactorModel(Protocol):
    """What Monte Carlo needs of a factor fit (a `FactorFit` qualifies): daily B, F and D."""

    @property
    def betas(self) -> pd.DataFrame: ...
    @property
    def factor_cov(self) -> pd.DataFrame: ...
    @property
    def resid_var(self) -> pd.Series: ...


@dataclass(frozen=True)
class VarResult:
    """VaR/CVaR per (method, level, horizon) and the P&L samples behind them."""

    table: pd.DataFrame  # index (method, level, horizon); columns var, cvar ($), var_pct, cvar_pct (of NAV)
    distributions: Mapping[tuple[str, int], FloatArray]  # (method, horizon) -> P&L sample ($), ≤ sample_size
    nav: float
    notes: tuple[str, ...] = field(default=())

    def var(self, method: str, level: float, horizon: int) -> float:
        """VaR in $ (positive loss)."""
        return float(self.table.at[(method, level, horizon), "var"])  # type: ignore[arg-type]

    def cvar(self, method: str, level: float, horizon: int) -> float:
        """CVaR in $ (positive loss)."""
        return float(self.table.at[(method, level, horizon), "cvar"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Book:
    """The book on its used assets: exposures, state layout (underlyings, then 'rest of the book')."""

    cols: IntArray  # positions in `returns` of the used assets (held or an option underlying), ascending
    exposures: FloatArray  # by used asset
    under: IntArray  # unique underlyings, as positions among the used assets
    option_state: IntArray  # per option, its underlying's index in `under`
    options: OptionBook | None

    @property
    def rest(self) -> FloatArray:
        """Exposures of linear positions that are not option underlyings (their P&L is one state)."""
        rest = self.exposures.copy()
        rest[self.under] = 0.0
        return rest

    def pnl(self, state: FloatArray, horizon: int) -> FloatArray:
        """P&L per row from states [underlying returns..., rest-of-book P&L] at an h-day horizon."""
        total = state[:, : self.under.size] @ self.exposures[self.under] + state[:, -1]
        if self.options is not None:
            years = horizon / TRADING_DAYS
            for lo in range(0, len(state), CHUNK):  # chunks of rows bound the repricing temporaries
                part = state[lo : lo + CHUNK, self.option_state]
                total[lo : lo + CHUNK] += self.options.pnl(part, years).sum(axis=1)
        return np.asarray(total, dtype=np.float64)


def _book(exposures: pd.Series, columns: pd.Index, options: OptionBook | None) -> _Book:
    """The used assets (non-zero exposure or an option underlying), their exposures and the option
    state layout; unknown labels raise."""
    unknown = sorted(str(s) for s in exposures.index.difference(columns))
    if unknown:
        raise UnknownSymbol(unknown, "VaR needs a return history for every position.")
    e = exposures.reindex(columns).fillna(0.0).to_numpy(dtype=np.float64)
    book = options if options is not None and len(options.units) > 0 else None
    held = np.asarray(book.underlying if book is not None else [], dtype=np.int64)
    under, option_state = np.unique(held, return_inverse=True)
    used = e != 0
    used[under] = True
    cols = np.flatnonzero(used)
    return _Book(cols, e[cols], np.searchsorted(cols, under), option_state.ravel(), book)


def _history(returns: pd.DataFrame, book: _Book, min_obs: int) -> FloatArray:
    """Returns of the used assets on dates where all exist (a view of `returns` when nothing is dropped)."""
    x = returns.to_numpy(dtype=np.float64)
    x = x if book.cols.size == x.shape[1] else x[:, book.cols]
    rows = np.isfinite(x).all(axis=1)
    n = int(rows.sum())
    if n < min_obs:
        raise InsufficientHistory(
            f"VaR needs {min_obs} dates on which every position has a return; found {n}. "
            "Load more history: python -m jobs run market_data"
        )
    return x if n == len(x) else x[rows]


def _compounded(x: FloatArray, h: int) -> FloatArray:
    """Overlapping h-day compounded returns (rows T − h + 1)."""
    if h == 1:
        return x
    logs = np.vstack([np.zeros((1, x.shape[1])), np.cumsum(np.log1p(x), axis=0)])
    return np.asarray(np.expm1(logs[h:] - logs[:-h]), dtype=np.float64)


def _state(x: FloatArray, book: _Book) -> FloatArray:
    """States [underlying returns..., P&L of the rest of the book] from asset returns."""
    return np.column_stack([x[:, book.under], x @ book.rest])


def _historical(hist: FloatArray, book: _Book, horizons: Sequence[int]) -> dict[int, FloatArray]:
    if len(hist) < max(horizons) + 1:
        raise InsufficientHistory(f"Historical VaR at {max(horizons)} days needs more dates than {len(hist)}.")
    return {h: book.pnl(_state(_compounded(hist, h), book), h) for h in horizons}


def _parametric_sigma(hist: FloatArray, book: _Book) -> float:
    """Daily $ std of the delta-adjusted book (sample covariance, ddof = 1)."""
    e = book.exposures.copy()
    if book.options is not None:
        np.add.at(e, book.under[book.option_state], book.options.delta_exposure())
    return float(np.std(hist @ e, ddof=1))


def _state_cov(hist: FloatArray | None, book: _Book, model: FactorModel | None, columns: pd.Index) -> FloatArray:
    """Daily covariance of the simulated state: S Σ Sᵀ under the factor model, else the sample one."""
    if model is None:
        assert hist is not None
        return np.atleast_2d(np.cov(_state(hist, book), rowvar=False, ddof=1))
    b = model.betas.reindex(columns[book.cols]).to_numpy(dtype=np.float64)
    d = model.resid_var.reindex(columns[book.cols]).to_numpy(dtype=np.float64)
    if np.isnan(b).any() or np.isnan(d).any():
        raise InsufficientHistory("The factor model has no exposures for some positions; fit it on more history.")
    rest = book.rest
    loadings = np.vstack([b[book.under], rest @ b])  # S B
    specific = np.diag(np.append(d[book.under], rest**2 @ d))  # S D Sᵀ (the two blocks share no asset)
    cov = loadings @ model.factor_cov.to_numpy(dtype=np.float64) @ loadings.T + specific
    return np.asarray(cov, dtype=np.float64)


def _monte_carlo(
    cov: FloatArray, book: _Book, horizons: Sequence[int], n_paths: int, seed: int | None, nu: float
) -> tuple[dict[int, FloatArray], str]:
    """Simulated P&L per horizon: multivariate t (unit variance) state draws, options repriced."""
    root, note = covariance_root(cov)
    rng = np.random.default_rng(seed)
    out = {h: np.empty(n_paths) for h in horizons}
    for lo in range(0, n_paths, CHUNK):  # chunks of paths bound memory; draws are sequential in rng
        size = min(CHUNK, n_paths - lo)
        state = student_t_draws(rng, root, size, nu)
        for h in horizons:
            out[h][lo : lo + size] = book.pnl(state * np.sqrt(h), h)
    return out, note


def _rows(method: VarMethod, pnl: Mapping[int, FloatArray], levels: Sequence[float]) -> list[Row]:
    """Table rows from P&L samples (the historical quantile and tail mean of sigma.risk.tail, one sort)."""
    rows = []
    for h, sample in pnl.items():  # a couple of horizons
        ordered = np.sort(sample)[:, None]
        for level in levels:
            var, cvar = sorted_tail(ordered, level)
            rows.append((str(method), level, h, float(var[0]), float(cvar[0])))
    return rows


def _table(rows: list[Row], nav: float) -> pd.DataFrame:
    """VaR and CVaR in $ and as fractions of NAV, indexed by (method, level, horizon) in sorted order.
    The index is built from codes: pandas' set_index + sort_index took longer than a linear simulation."""
    columns = list(zip(*sorted(rows, key=lambda r: r[:3]), strict=True))
    uniques = [sorted(set(c)) for c in columns[:3]]
    codes = [[u.index(v) for v in c] for u, c in zip(uniques, columns, strict=False)]
    index = pd.MultiIndex(levels=[pd.Index(u) for u in uniques], codes=codes, names=KEYS, verify_integrity=False)
    var, cvar = np.asarray(columns[3], dtype=np.float64), np.asarray(columns[4], dtype=np.float64)
    return pd.DataFrame({"var": var, "cvar": cvar, "var_pct": var / nav, "cvar_pct": cvar / nav}, index=index)


def _parametric(
    sigma: float, horizons: Sequence[int], levels: Sequence[float], size: int
) -> tuple[list[Row], dict[int, FloatArray]]:
    """Normal VaR/CVaR rows and evenly spaced normal quantiles as the plotted distribution."""
    rows = []
    grid = norm.ppf((np.arange(size) + 0.5) / size)
    for h in horizons:
        s = sigma * np.sqrt(h)
        for level in levels:
            z = norm.ppf(level)
            rows.append(("parametric", level, h, float(z * s), float(s * norm.pdf(z) / (1.0 - level))))
    return rows, {h: sigma * np.sqrt(h) * grid for h in horizons}


def _thin(sample: FloatArray, size: int) -> FloatArray:
    """At most `size` values: evenly spaced order statistics of a larger sample."""
    if len(sample) <= size:
        return sample
    return np.sort(sample)[np.linspace(0, len(sample) - 1, size).round().astype(np.intp)]


NOTES = {
    VarMethod.HISTORICAL: "historical: full repricing of options; h-day from overlapping h-day compounded returns",
    VarMethod.PARAMETRIC: "parametric: zero-mean normal, options delta-adjusted, σ·√h",
    VarMethod.MONTE_CARLO: "monte carlo: multivariate t (ν={nu}), h-day covariance h·Σ, options fully repriced",
}


def value_at_risk(
    exposures: pd.Series,
    returns: pd.DataFrame,
    nav: float,
    *,
    options: OptionBook | None = None,
    method: str | Sequence[str] = "historical",
    levels: Sequence[float] = (0.95, 0.99),
    horizons: Sequence[int] = (1, 10),
    n_paths: int = 10_000,
    seed: int | None = 0,
    nu: float = 5.0,
    factor_model: FactorModel | None = None,
    min_obs: int = 60,
    sample_size: int = 10_000,
) -> VarResult:
    """VaR and CVaR of a book of linear exposures and options, by one or several methods."""
    if not nav > 0:
        raise ValidationError(f"NAV must be positive to express VaR as a share of it; got {nav}.")
    methods = [VarMethod(m) for m in ([method] if isinstance(method, str) else method)]
    book = _book(exposures, returns.columns, options)
    needs_history = methods != [VarMethod.MONTE_CARLO] or factor_model is None
    hist = _history(returns, book, min_obs) if needs_history else None
    rows: list[Row] = []
    dists: dict[tuple[str, int], FloatArray] = {}
    notes = []
    for m in methods:  # at most three methods
        if m is VarMethod.PARAMETRIC:
            assert hist is not None
            new_rows, pnl = _parametric(_parametric_sigma(hist, book), horizons, levels, sample_size)
        else:
            if m is VarMethod.HISTORICAL:
                assert hist is not None
                pnl, note = _historical(hist, book, horizons), ""
            else:
                cov = _state_cov(hist, book, factor_model, returns.columns)
                pnl, note = _monte_carlo(cov, book, horizons, n_paths, seed, nu)
            new_rows = _rows(m, pnl, levels)
            notes += [note] if note else []
        rows += new_rows
        dists.update({(str(m), h): _thin(p, sample_size) for h, p in pnl.items()})
        notes.append(NOTES[m].format(nu=nu))
    return VarResult(table=_table(rows, nav), distributions=dists, nav=float(nav), notes=tuple(notes))
