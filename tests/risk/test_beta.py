"""Betas: statsmodels OLS for market beta, pandas for rolling beta (1e-12), rate beta by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from sigma.risk.beta import market_beta, rate_beta, rolling_beta

DAYS = pd.bdate_range("2023-01-02", periods=400)


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(8)
    bench = pd.Series(0.01 * rng.standard_t(4, len(DAYS)), index=DAYS, name="SPY")
    returns = pd.DataFrame({f"S{i}": 0.4 * i * bench + 0.01 * rng.standard_t(4, len(DAYS)) for i in range(4)})
    returns.iloc[:200, 2] = np.nan  # listed late
    returns.iloc[300:310, 1] = np.nan  # a gap
    returns.iloc[:360, 3] = np.nan  # 40 returns: fewer than min_obs
    return returns + 0.02, bench + 0.02  # offsets stress cancellation in the cumulative sums


def test_market_beta_is_the_ols_slope_over_the_last_252_days(data) -> None:
    returns, bench = data
    got = market_beta(returns, bench)
    recent = returns.iloc[-252:]
    for col in ["S0", "S1", "S2"]:
        y = recent[col].dropna()
        fit = sm.OLS(y, sm.add_constant(bench.loc[y.index])).fit()
        assert got[col] == pytest.approx(fit.params["SPY"], rel=1e-12)
    assert np.isnan(got["S3"])  # 40 pairs < 60


def test_rolling_beta_matches_pandas_rolling_cov_over_var_within_1e_12(data) -> None:
    returns, bench = data
    got = rolling_beta(returns, bench, window=60)
    expected = returns.rolling(60).cov(bench).div(bench.rolling(60).var(), axis=0)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-12)
    assert got["S1"].iloc[305:369].isna().all()  # windows touching the gap


def test_rate_beta_is_return_per_100_bp() -> None:
    rng = np.random.default_rng(2)
    dy = pd.Series(0.05 * rng.normal(size=100), index=DAYS[:100])  # daily 10-year changes in percent points
    returns = pd.DataFrame({"TLT": -0.17 * dy, "XLF": 0.03 * dy})
    # returns = -0.17 x change: a +1.00 pp (+100 bp) move costs 17 %, so the rate beta is -0.17
    got = rate_beta(returns, dy)
    assert got["TLT"] == pytest.approx(-0.17) and got["XLF"] == pytest.approx(0.03)
    assert rate_beta(returns.iloc[:50], dy).isna().all()  # 50 < min_obs 60


def test_a_benchmark_copy_has_rolling_beta_one(data) -> None:
    _, bench = data
    got = rolling_beta(bench.to_frame("copy"), bench, window=60)["copy"].dropna()
    np.testing.assert_allclose(got.to_numpy(), 1.0, atol=1e-12)
    assert len(got) == len(bench) - 59
