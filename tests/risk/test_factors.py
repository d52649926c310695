"""Factor exposures against statsmodels OLS and sklearn Ridge (1e-10); decomposition by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

from sigma.errors import InsufficientHistory, UnknownSymbol
from sigma.risk.factors import FactorFit, FitMethod, factor_attribution, factor_exposures, risk_decomposition
from sigma.risk.style import build_style_factors

DAYS = pd.bdate_range("2024-01-02", periods=300)
NAMES = ["Market", "Size", "Value"]


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(5)
    factors = pd.DataFrame(0.01 * rng.standard_t(5, (len(DAYS), 3)), index=DAYS, columns=NAMES) + 0.0005
    factors["Size"] += 0.4 * factors["Market"]  # correlated factors
    loadings = rng.normal(0.5, 0.5, (3, 5))
    returns = pd.DataFrame(factors.to_numpy() @ loadings + 0.01 * rng.standard_normal((len(DAYS), 5)), index=DAYS)
    returns.columns = ["A", "B", "C", "D", "E"]
    returns.iloc[:120, 1] = np.nan  # listed late: 180 of the 252 window dates
    returns.iloc[280:285, 2] = np.nan  # a gap
    returns.iloc[:250, 3] = np.nan  # 50 returns: fewer than min_obs
    factors.iloc[290, 1] = np.nan  # a missing factor value drops that date for everyone
    return returns, factors


def _statsmodels(
    returns: pd.DataFrame, factors: pd.DataFrame, col: str
) -> sm.regression.linear_model.RegressionResults:
    window = pd.concat([returns[col], factors], axis=1).iloc[-252:].dropna()
    return sm.OLS(window[col], sm.add_constant(window[NAMES])).fit()


def test_ols_betas_std_errors_and_t_stats_match_statsmodels_within_1e_10(data) -> None:
    returns, factors = data
    fit = factor_exposures(returns, factors)
    for col in ["A", "B", "C", "E"]:
        ref = _statsmodels(returns, factors, col)
        np.testing.assert_allclose(fit.betas.loc[col], ref.params[NAMES], atol=1e-10)
        np.testing.assert_allclose(fit.stderr.loc[col], ref.bse[NAMES], atol=1e-10)
        np.testing.assert_allclose(fit.tstats.loc[col], ref.tvalues[NAMES], atol=1e-10)
        assert fit.r2[col] == pytest.approx(ref.rsquared, abs=1e-10)
        assert fit.alpha[col] == pytest.approx(ref.params["const"] * 252, abs=1e-10)
        assert fit.resid_vol[col] == pytest.approx(np.sqrt(ref.scale * 252), rel=1e-10)  # scale = RSS/(n−k−1)
        assert fit.n_obs[col] == ref.nobs


def test_an_asset_below_min_obs_is_nan_and_listed_as_insufficient(data) -> None:
    returns, factors = data
    fit = factor_exposures(returns, factors)
    assert fit.insufficient == ("D",)
    assert fit.betas.loc["D"].isna().all() and np.isnan(fit.r2["D"])
    assert fit.n_obs["D"] == 49  # 50 returns, one date without a Size value


def test_ridge_matches_sklearn_on_standardized_factors_within_1e_10(data) -> None:
    returns, factors = data
    fit = factor_exposures(returns, factors, method="ridge", alpha=5.0)
    assert fit.method is FitMethod.RIDGE
    for col in ["A", "B"]:
        window = pd.concat([returns[col], factors], axis=1).iloc[-252:].dropna()
        x = window[NAMES].to_numpy()
        mean, std = x.mean(axis=0), x.std(axis=0)  # ddof = 0, as StandardScaler
        model = Ridge(alpha=5.0).fit((x - mean) / std, window[col].to_numpy())
        np.testing.assert_allclose(fit.betas.loc[col], model.coef_ / std, atol=1e-10)
        intercept = model.intercept_ - (model.coef_ / std) @ mean
        assert fit.alpha[col] / 252 == pytest.approx(intercept, abs=1e-10)


def test_ridge_with_zero_penalty_is_ols(data) -> None:
    returns, factors = data
    ols, ridge = factor_exposures(returns, factors), factor_exposures(returns, factors, method="ridge", alpha=0.0)
    np.testing.assert_allclose(ridge.betas, ols.betas, atol=1e-12)
    np.testing.assert_allclose(ridge.tstats, ols.tstats, atol=1e-9)


def test_summary_has_one_row_per_asset_with_betas_and_t_stats(data) -> None:
    returns, factors = data
    summary = factor_exposures(returns, factors).summary()
    assert list(summary.index) == list(returns.columns)
    assert {"Market", "t_Market", "r2", "resid_vol", "alpha", "n_obs"} <= set(summary.columns)


def test_style_factors_are_etf_return_spreads() -> None:
    close = pd.DataFrame({"SPY": [100.0, 101.0, 99.99], "IWM": [50.0, 51.0, 51.0]}, index=DAYS[:3])
    got = build_style_factors(close, [("Market", "SPY", None), ("Size", "IWM", "SPY")])
    # day 1: SPY +1 %, IWM +2 % -> Size = 1 %; day 2: SPY 99.99/101 − 1 = −1 %, IWM 0 -> Size = +1 %
    np.testing.assert_allclose(got["Market"], [0.01, -0.01], atol=1e-12)
    np.testing.assert_allclose(got["Size"], [0.01, 0.01], atol=1e-12)
    with pytest.raises(UnknownSymbol, match="IWD"):
        build_style_factors(close, [("Value", "IWD", "IWF")])


def _hand_fit() -> FactorFit:
    idx, names = pd.Index(["A", "B"]), pd.Index(["Market"])
    nan = pd.Series(np.nan, index=idx)
    return FactorFit(
        betas=pd.DataFrame({"Market": [1.0, 0.5]}, index=idx),
        tstats=pd.DataFrame({"Market": [np.nan, np.nan]}, index=idx),
        stderr=pd.DataFrame({"Market": [np.nan, np.nan]}, index=idx),
        r2=nan,
        resid_vol=nan,
        alpha=nan,
        n_obs=nan,
        resid_var=pd.Series([1e-4, 4e-4], index=idx),
        factor_cov=pd.DataFrame([[1e-4]], index=names, columns=names),
        method=FitMethod.OLS,
    )


def test_risk_decomposition_of_two_assets_and_one_factor_by_hand() -> None:
    # w = (0.6, 0.4), β = (1, 0.5), F = 1e-4, D = (1e-4, 4e-4), per period (periods_per_year = 1)
    # x = 0.6 + 0.2 = 0.8; factor var = 0.64e-4; specific = 0.36e-4 + 0.16·4e-4 = 1.0e-4; total 1.64e-4
    # Σw = βFx + Dw = (0.8e-4, 0.4e-4) + (0.6e-4, 1.6e-4) = (1.4e-4, 2.0e-4)
    # percent = (0.84e-4, 0.8e-4) / 1.64e-4 = (0.5122, 0.4878)
    got = risk_decomposition(pd.Series({"A": 0.6, "B": 0.4}), _hand_fit(), periods_per_year=1)
    assert got.total_vol == pytest.approx(np.sqrt(1.64e-4))
    assert got.factor_share == pytest.approx(0.64 / 1.64) and got.specific_share == pytest.approx(1.0 / 1.64)
    assert got.exposures["Market"] == pytest.approx(0.8)
    np.testing.assert_allclose(got.percent, [0.84 / 1.64, 0.8 / 1.64])
    np.testing.assert_allclose(got.marginal, np.array([1.4e-4, 2.0e-4]) / np.sqrt(1.64e-4))
    assert got.percent.sum() == pytest.approx(1.0)
    assert got.factor_contribution.sum() + got.specific_share == pytest.approx(1.0)


def test_risk_decomposition_refuses_a_position_without_exposures(data) -> None:
    returns, factors = data
    fit = factor_exposures(returns, factors)
    with pytest.raises(InsufficientHistory, match="D"):
        risk_decomposition(pd.Series({"A": 0.5, "D": 0.5}), fit)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-2.0, 2.0), min_size=2, max_size=2).filter(lambda w: abs(w[0]) + abs(w[1]) > 1e-3))
def test_percentage_contributions_always_sum_to_one(w) -> None:
    got = risk_decomposition(pd.Series({"A": w[0], "B": w[1]}), _hand_fit())
    assert got.percent.sum() == pytest.approx(1.0)


def test_factor_attribution_is_exposure_times_compounded_factor_return() -> None:
    factor_returns = pd.DataFrame({"Market": [0.10, -0.05], "Size": [0.0, 0.02]}, index=DAYS[:2])
    betas = pd.DataFrame({"Market": [1.0, 2.0], "Size": [0.5, -1.0]}, index=["A", "B"])
    portfolio = pd.Series([0.12, -0.06], index=DAYS[:2])
    got = factor_attribution(pd.Series({"A": 0.5, "B": 0.5}), betas, factor_returns, DAYS[0], DAYS[1], portfolio)
    # exposures: Market 1.5, Size −0.25; cumulative: Market 1.1·0.95 − 1 = 0.045, Size 0.02
    # contributions 0.0675 and −0.005; portfolio 1.12·0.94 − 1 = 0.0528; residual 0.0528 − 0.0625 = −0.0097
    assert got.loc["Market", "contribution"] == pytest.approx(0.0675)
    assert got.loc["Size", "contribution"] == pytest.approx(-0.005)
    assert got.loc["total", "contribution"] == pytest.approx(0.0528)
    assert got.loc["residual", "contribution"] == pytest.approx(-0.0097)


def _slow_ols(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The obvious reference for one asset: lstsq with an intercept, classical standard errors."""
    design = np.column_stack([np.ones(len(x)), x])
    coef, rss, *_ = np.linalg.lstsq(design, y, rcond=None)
    sigma2 = rss[0] / (len(y) - design.shape[1])
    return coef, np.sqrt(sigma2 * np.diag(np.linalg.inv(design.T @ design)))


def test_exposures_match_a_slow_per_asset_reference(data) -> None:
    # the masked-moment fit (one BLAS thread) against one lstsq per asset on its usable window rows
    from threadpoolctl import threadpool_info

    returns, factors = data
    threads = [p["num_threads"] for p in threadpool_info()]
    fit = factor_exposures(returns, factors)
    assert [p["num_threads"] for p in threadpool_info()] == threads  # the BLAS limit is lifted after the fit
    window = pd.concat([returns, factors], axis=1).iloc[-252:]
    for col in ["A", "B", "C", "E"]:
        rows = window[[col, *NAMES]].dropna().to_numpy()
        coef, se = _slow_ols(rows[:, 0], rows[:, 1:])
        np.testing.assert_allclose(fit.betas.loc[col].to_numpy(), coef[1:], rtol=1e-9)
        np.testing.assert_allclose(fit.tstats.loc[col].to_numpy(), (coef / se)[1:], rtol=1e-9)
        assert fit.alpha[col] == pytest.approx(coef[0] * 252, rel=1e-9)
    assert fit.insufficient == ("D",)
