"""Factor exposures (multivariate OLS or ridge) and the risk decomposition and attribution they give.

Conventions: `returns` and `factors` are DataFrames of simple daily returns (dates x assets,
dates x factors), aligned on their common dates. Each asset is fitted on the last `window`
common dates where the asset and every factor exist, with an intercept; fewer than `min_obs`
such rows (or not more rows than parameters) leave the asset's row NaN and list it in
`FactorFit.insufficient`. Standard errors are classical: σ̂² = RSS / (n − k − 1). R² is centred.
`alpha` is the intercept annualised arithmetically (× 252); `resid_vol` is √σ̂² × √252;
`resid_var` is σ̂² per day and `factor_cov` the factors' daily covariance (ddof = 1) over the
window's dates where every factor exists: together the daily model Σ = B F Bᵀ + D.

Ridge ("ridge") standardizes each asset's factor columns on its own rows (mean, std with
ddof = 0), solves (ZᵀZ + αI) b = Zᵀ(y − ȳ) (sklearn's `Ridge(alpha)` with an intercept) and maps
b back to raw units (β = b / std). Its standard errors are the sandwich σ̂² A⁻¹ZᵀZA⁻¹ (A = ZᵀZ + αI),
in raw units, with the OLS σ̂²: indicative only, ridge is biased.

All assets are fitted at once from masked moments (matrix products with the 0/1 matrix of
usable rows, then one batched k x k inverse per asset); factors are centred on the window and
standardized per asset before solving, which keeps the normal equations well conditioned
(agreement with statsmodels ~1e-13). The products are small (500 assets x 252 dates x 36): BLAS
runs them on ONE thread, because waking its other threads costs more than they save and, on a
busy machine, stalls the fit ~5x (measured on 2 cores: 8 ms against 50 ms median; `bench/risk_models.py`).
The style factors themselves are built in `sigma.risk.style`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController

from sigma.conventions import TRADING_DAYS
from sigma.errors import InsufficientHistory


class FitMethod(StrEnum):
    """Estimators for factor exposures."""

    OLS = "ols"
    RIDGE = "ridge"


@dataclass(frozen=True)
class FactorFit:
    """Exposures of assets to factors with their statistics (see the module docstring for units)."""

    betas: pd.DataFrame
    tstats: pd.DataFrame
    stderr: pd.DataFrame
    r2: pd.Series
    resid_vol: pd.Series
    resid_var: pd.Series
    alpha: pd.Series
    n_obs: pd.Series
    factor_cov: pd.DataFrame
    method: FitMethod
    insufficient: tuple[str, ...] = ()

    def summary(self) -> pd.DataFrame:
        """One row per asset: betas, t-stats (prefixed "t_"), R², residual vol, alpha and n_obs."""
        stats = pd.DataFrame({"r2": self.r2, "resid_vol": self.resid_vol, "alpha": self.alpha, "n_obs": self.n_obs})
        return pd.concat([self.betas, self.tstats.add_prefix("t_"), stats], axis=1)


def _window(returns: pd.DataFrame, factors: pd.DataFrame, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Returns and factor values on the last `window` common dates (±inf as NaN)."""
    if returns.index.equals(factors.index):
        y, f = (
            returns.iloc[-window:].to_numpy(np.float64, copy=True),
            factors.iloc[-window:].to_numpy(np.float64, copy=True),
        )
    else:
        dates = returns.index.intersection(factors.index).sort_values()[-window:]
        y = returns.loc[dates].to_numpy(dtype=np.float64, copy=True)
        f = factors.loc[dates].to_numpy(dtype=np.float64, copy=True)
    y[np.isinf(y)], f[np.isinf(f)] = np.nan, np.nan
    return y, f


@dataclass(frozen=True)
class _Moments:
    """Per-asset sums over its usable rows: counts, means, centred cross-products (assets first)."""

    n: np.ndarray  # (m,)
    x_mean: np.ndarray  # (m, k) raw factor means
    y_mean: np.ndarray  # (m,)
    sxx: np.ndarray  # (m, k, k) Σ (x − x̄)(x − x̄)ᵀ
    sxy: np.ndarray  # (m, k) Σ (x − x̄)(y − ȳ)
    y_c: np.ndarray  # (T, m) y − ȳ on usable rows, 0 elsewhere
    x_c: np.ndarray  # (T, k) factors minus their window mean, 0 on incomplete rows
    centre: np.ndarray  # (k,) that window mean
    usable: np.ndarray  # (T, m) rows where the asset and every factor exist


def _moments(y: np.ndarray, f: np.ndarray, usable: np.ndarray) -> _Moments:
    """Masked moments for every asset at once (matrix products with the 0/1 mask, no loop)."""
    complete = np.isfinite(f).all(axis=1)
    centre = f[complete].mean(axis=0) if complete.any() else np.zeros(f.shape[1])
    x = np.where(complete[:, None], f - centre, 0.0)  # centring first keeps the cancellation below small
    m = usable.astype(np.float64)
    n = m.sum(axis=0)
    k = x.shape[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        x_mean = (m.T @ x) / n[:, None]
        y_mean = np.where(usable, y, 0.0).sum(axis=0) / n
    outer = (x[:, :, None] * x[:, None, :]).reshape(len(x), k * k)
    sxx = (m.T @ outer).reshape(-1, k, k) - n[:, None, None] * x_mean[:, :, None] * x_mean[:, None, :]
    y_c = np.where(usable, y - y_mean, 0.0)
    return _Moments(n, x_mean + centre, y_mean, sxx, y_c.T @ x, y_c, x, centre, usable)


def _solve(mo: _Moments, ok: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients (intercept first), standard errors and RSS, each (k+1, assets); NaN where not ok.

    Solved on standardized factors Z (ZᵀZ = S / ssᵀ, s the std): (ZᵀZ + αI) b = Sxy / s, β = b / s.
    With α = 0 this is OLS and the sandwich below reduces to the classical σ̂²(S⁻¹)ⱼⱼ.
    """
    k, n_assets = mo.sxy.shape[1], len(mo.n)
    coef, se, rss = np.full((k + 1, n_assets), np.nan), np.full((k + 1, n_assets), np.nan), np.full(n_assets, np.nan)
    if not ok.any():
        return coef, se, rss
    sxx, sxy, n = mo.sxx[ok], mo.sxy[ok], mo.n[ok]
    s = np.sqrt(np.diagonal(sxx, axis1=1, axis2=2) / n[:, None])  # std (ddof = 0) on the asset's rows
    corr = sxx / (s[:, :, None] * s[:, None, :])  # ZᵀZ of the standardized factors
    a_inv = np.linalg.inv(corr + alpha * np.eye(k))
    beta = np.einsum("akl,al->ak", a_inv, sxy / s) / s
    x_mean = mo.x_mean[ok]
    centred_fit = mo.x_c @ beta.T - np.sum((x_mean - mo.centre) * beta, axis=1)  # (x − x̄ₐ)·βₐ per row
    resid = np.where(mo.usable[:, ok], mo.y_c[:, ok] - centred_fit, 0.0)
    rss_ok = np.sum(resid**2, axis=0)
    sigma2 = rss_ok / (n - k - 1)
    sandwich = np.einsum("akl,alm,amk->ak", a_inv, corr, a_inv) / s**2
    coef[0, ok], coef[1:, ok] = mo.y_mean[ok] - np.sum(x_mean * beta, axis=1), beta.T
    se[1:, ok] = np.sqrt(sandwich * sigma2[:, None]).T
    if alpha == 0.0:  # intercept variance σ̂²(1/n + x̄ᵀS⁻¹x̄), from the inverse of the full design
        s_inv = a_inv / (s[:, :, None] * s[:, None, :])
        se[0, ok] = np.sqrt(sigma2 * (1.0 / n + np.einsum("ak,akl,al->a", x_mean, s_inv, x_mean)))
    rss[ok] = rss_ok
    return coef, se, rss


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded in this process (looked up once)."""
    return ThreadpoolController()


def factor_exposures(
    returns: pd.DataFrame,
    factors: pd.DataFrame,
    method: str = "ols",
    alpha: float = 1.0,
    window: int = 252,
    min_obs: int = 126,
) -> FactorFit:
    """Multivariate exposures of every asset to every factor (OLS or ridge), with statistics."""
    how = FitMethod(method)
    y, f = _window(returns, factors, window)
    k = f.shape[1]
    usable = np.isfinite(y) & np.isfinite(f).all(axis=1)[:, None]
    with _blas().limit(limits=1, user_api="blas"):  # small products: one BLAS thread (module docstring)
        mo = _moments(y, f, usable)
        ok = (mo.n >= min_obs) & (mo.n > k + 1)
        coef, se, rss = _solve(mo, ok, alpha if how is FitMethod.RIDGE else 0.0)
    tss = np.where(ok, np.sum(mo.y_c**2, axis=0), np.nan)
    return _fit_result(returns.columns, factors.columns, coef, se, rss, tss, mo.n, f, how)


def _fit_result(
    assets: pd.Index,
    names: pd.Index,
    coef: np.ndarray,
    se: np.ndarray,
    rss: np.ndarray,
    tss: np.ndarray,
    n: np.ndarray,
    f: np.ndarray,
    how: FitMethod,
) -> FactorFit:
    """Assemble the FactorFit frames from the stacked solutions."""
    k = len(names)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = rss / (n - k - 1)
        r2 = 1.0 - rss / tss
        tstats = coef / se
    complete = f[np.isfinite(f).all(axis=1)]
    cov = np.cov(complete, rowvar=False, ddof=1).reshape(k, k) if len(complete) > 1 else np.full((k, k), np.nan)

    def frame(a: np.ndarray) -> pd.DataFrame:
        return pd.DataFrame(a[1:].T, index=assets, columns=names)

    def series(a: np.ndarray, name: str) -> pd.Series:
        return pd.Series(a, index=assets, name=name, dtype=np.float64)

    return FactorFit(
        betas=frame(coef),
        tstats=frame(tstats),
        stderr=frame(se),
        r2=series(r2, "r2"),
        resid_vol=series(np.sqrt(sigma2 * TRADING_DAYS), "resid_vol"),
        resid_var=series(sigma2, "resid_var"),
        alpha=series(coef[0] * TRADING_DAYS, "alpha"),
        n_obs=series(n.astype(np.float64), "n_obs"),
        factor_cov=pd.DataFrame(cov, index=names, columns=names),
        method=how,
        insufficient=tuple(str(a) for a in assets[np.isnan(coef[1:]).any(axis=0)]),
    )


@dataclass(frozen=True)
class RiskDecomposition:
    """Annualised portfolio risk split into factor and specific parts, per position and per factor.

    Vols are annualised fractions of NAV (weights are exposure / NAV). `marginal` is (Σw)ᵢ / σ_p and
    `percent` is wᵢ(Σw)ᵢ / wᵀΣw (sums to 1); `factor_contribution` is xⱼ(Fx)ⱼ / wᵀΣw with x = Bᵀw, and
    together with `specific_share` it sums to 1.
    """

    total_vol: float
    factor_vol: float
    specific_vol: float
    factor_share: float
    specific_share: float
    exposures: pd.Series
    marginal: pd.Series
    percent: pd.Series
    factor_contribution: pd.Series


def risk_decomposition(weights: pd.Series, fit: FactorFit, periods_per_year: int = TRADING_DAYS) -> RiskDecomposition:
    """Decompose the risk of a book with weights (exposure / NAV, delta-adjusted) under Σ = B F Bᵀ + D."""
    active = weights[weights != 0]
    missing = sorted(str(a) for a in active.index if a not in fit.betas.index or a in fit.insufficient)
    if missing:
        raise InsufficientHistory(
            f"No factor exposures for {', '.join(missing)} (too little history). "
            "Load more history: python -m jobs run market_data"
        )
    w = weights.to_numpy(dtype=np.float64)
    b = fit.betas.reindex(weights.index).fillna(0.0).to_numpy(dtype=np.float64)
    d = fit.resid_var.reindex(weights.index).fillna(0.0).to_numpy(dtype=np.float64)
    cov_f = fit.factor_cov.to_numpy(dtype=np.float64) * periods_per_year
    d = d * periods_per_year
    x = b.T @ w
    fx = cov_f @ x
    sigma_w = b @ fx + d * w  # Σw without forming Σ (assets x assets)
    factor_var, specific_var = float(x @ fx), float(w @ (d * w))
    total = factor_var + specific_var
    vol = np.sqrt(total)
    with np.errstate(invalid="ignore", divide="ignore"):
        percent, contrib = w * sigma_w / total, x * fx / total
        marginal = sigma_w / vol
    names = fit.betas.columns
    return RiskDecomposition(
        total_vol=float(vol),
        factor_vol=float(np.sqrt(factor_var)),
        specific_vol=float(np.sqrt(specific_var)),
        factor_share=factor_var / total if total > 0 else float("nan"),
        specific_share=specific_var / total if total > 0 else float("nan"),
        exposures=pd.Series(x, index=names, name="exposure"),
        marginal=pd.Series(marginal, index=weights.index, name="marginal"),
        percent=pd.Series(percent, index=weights.index, name="percent"),
        factor_contribution=pd.Series(contrib, index=names, name="contribution"),
    )


def factor_attribution(
    weights: pd.Series,
    betas: pd.DataFrame,
    factor_returns: pd.DataFrame,
    start: object,
    end: object,
    portfolio_returns: pd.Series | None = None,
) -> pd.DataFrame:
    """Return attribution over [start, end]: exposure × cumulative factor return, plus residual and total.

    Rows: one per factor, then "residual" (portfolio return − Σ factor contributions; NaN without
    `portfolio_returns`) and "total" (the compounded portfolio return). Columns: exposure
    (Σ wᵢβᵢ), factor_return (compounded over the window) and contribution.
    """
    if isinstance(factor_returns.index, pd.DatetimeIndex):
        start, end = pd.Timestamp(start), pd.Timestamp(end)  # type: ignore[arg-type]
    window = factor_returns.loc[start:end]  # type: ignore[misc]
    if window.empty:
        raise InsufficientHistory(f"No factor returns between {start} and {end}.")
    exposure = betas.reindex(weights.index).fillna(0.0).T @ weights
    cumulative = (1.0 + window).prod() - 1.0
    frame = pd.DataFrame({"exposure": exposure, "factor_return": cumulative.reindex(exposure.index)})
    frame["contribution"] = frame["exposure"] * frame["factor_return"]
    total = float("nan")
    if portfolio_returns is not None:
        window_returns = portfolio_returns.loc[start:end].to_numpy(dtype=np.float64)  # type: ignore[misc]
        total = float(np.prod(1.0 + window_returns) - 1.0)
    frame.loc["residual"] = [np.nan, np.nan, total - frame["contribution"].sum()]
    frame.loc["total"] = [np.nan, np.nan, total]
    return frame
