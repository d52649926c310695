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


def test_the_betas_are_named_for_the_tables_that_join_them(data) -> None:
    returns, bench = data
    assert market_beta(returns, bench).name == "beta"
    assert rate_beta(returns, bench).name == "rate_beta"


def test_rolling_beta_keeps_the_frames_labels_and_needs_a_full_window(data) -> None:
    returns, bench = data
    short = rolling_beta(returns.iloc[:59], bench, 60)  # fewer rows than the window: all NaN, same labels
    assert short.shape == (59, 4) and short.isna().all().all()
    assert (short.dtypes == np.float64).all()  # a float frame of NaN, not an object one
    pd.testing.assert_index_equal(short.index, returns.index[:59])
    pd.testing.assert_index_equal(short.columns, returns.columns)
    exact = rolling_beta(returns.iloc[:60, :2], bench, 60)  # exactly one window: its last row only
    pd.testing.assert_index_equal(exact.index, returns.index[:60])
    assert exact.iloc[:59].isna().all().all()
    x, b = returns.iloc[:60, 1].to_numpy(), bench.iloc[:60].to_numpy()
    assert exact.iloc[59, 1] == pytest.approx(np.cov(x, b)[0, 1] / np.var(b, ddof=1), rel=1e-10)


def test_a_window_where_the_benchmark_does_not_move_has_no_beta() -> None:
    """A flat benchmark (a holiday stretch, a stale feed) has zero variance: NaN, as pandas gives,
    not the rounding residue of the running sums divided into a beta (this case gave 0.86, 1.08)."""
    rng = np.random.default_rng(0)
    index = pd.bdate_range("2014-01-01", periods=2600)
    bench = pd.Series(rng.normal(0.0, 0.02, 2600), index=index)
    bench.iloc[2000:2100] = 0.002  # 100 identical returns: the 60-day windows inside see no variance
    returns = pd.DataFrame({"A": 1.3 * bench + rng.normal(0.0, 0.005, 2600)}, index=index)
    ours = rolling_beta(returns, bench, 60)["A"]
    assert ours.iloc[2059:2100].isna().all()  # windows ending on rows 2059–2099 lie inside the flat stretch
    expected = returns["A"].rolling(60).cov(bench) / bench.rolling(60).var()
    outside = expected.notna() & (bench.rolling(60).var() > 1e-12)
    np.testing.assert_allclose(ours[outside], expected[outside], rtol=1e-9)


def test_a_constant_offset_such_as_gross_returns_leaves_the_rolling_beta_unchanged(
    data: tuple[pd.DataFrame, pd.Series],
) -> None:
    """The slope does not see a level: returns + 100 (the running sums' worst case) give the same betas."""
    returns, bench = data
    base = rolling_beta(returns, bench, 60)
    shifted = rolling_beta(returns + 100.0, bench + 100.0, 60)
    assert base.notna().sum().tolist() == [
        341,
        272,
        141,
        0,
    ]  # 400 − 59 windows; 69 fewer by the gap, 200 by the listing
    np.testing.assert_allclose(shifted.to_numpy(), base.to_numpy(), rtol=1e-9)


@pytest.mark.parametrize("scale", [1e-5, 1e3])
def test_scaling_returns_and_benchmark_together_leaves_the_rolling_beta_unchanged(
    data: tuple[pd.DataFrame, pd.Series], scale: float
) -> None:
    """β = cov(x, b) / var(b) is unit-free: basis-point-sized moves still have a beta (no zero-variance cut-off)."""
    returns, bench = data
    base = rolling_beta(returns, bench, 60)
    scaled = rolling_beta(returns * scale, bench * scale, 60)
    np.testing.assert_allclose(scaled.to_numpy(), base.to_numpy(), rtol=1e-9)
    assert scaled.notna().sum().sum() == 341 + 272 + 141


def test_nullable_float_inputs_with_missing_values_give_the_same_rolling_betas(
    data: tuple[pd.DataFrame, pd.Series],
) -> None:
    """Frames read with pandas' nullable dtypes (pd.NA for a missing return) are read as float64 with NaN."""
    returns, bench = data
    got = rolling_beta(returns.astype("Float64"), bench.astype("Float64"), 60)
    np.testing.assert_allclose(got.to_numpy(), rolling_beta(returns, bench, 60).to_numpy(), rtol=1e-15)
    assert (got.dtypes == np.float64).all()
