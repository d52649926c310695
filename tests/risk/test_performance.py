"""Performance metrics: reference values, peers (quantstats, empyrical, statsmodels), invariants."""

from __future__ import annotations

import empyrical as ep
import numpy as np
import pandas as pd
import pytest
import quantstats as qs
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sigma.errors import InsufficientHistory
from sigma.risk import performance as perf

DAYS = pd.bdate_range("2024-01-01", periods=300)


def frame(**cols: list[float]) -> pd.DataFrame:
    return pd.DataFrame(cols, index=DAYS[: len(next(iter(cols.values())))])


@pytest.fixture(scope="module")
def sample() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(3)
    bench = pd.Series(0.01 * rng.standard_t(4, len(DAYS)), index=DAYS, name="SPY")
    data = {f"S{i}": 0.5 * i * bench + 0.012 * rng.standard_t(4, len(DAYS)) for i in range(4)}
    returns = pd.DataFrame(data)
    returns.iloc[:70, 3] = np.nan  # listed late
    return returns, bench


def test_max_drawdown_reference_value() -> None:
    # wealth 1.0 -> 1.10 -> 0.825: 0.825 / 1.10 - 1 = -25 %
    assert perf.max_drawdown(frame(a=[0.10, -0.25]))["a"] == pytest.approx(-0.25)


def test_a_first_day_loss_counts_as_drawdown() -> None:
    # wealth 1.0 -> 0.90 -> 0.945: the peak is the starting 1.0, so MDD = -10 %
    assert perf.max_drawdown(frame(a=[-0.10, 0.05]))["a"] == pytest.approx(-0.10)


def test_cagr_volatility_and_sortino_reference_values() -> None:
    # CAGR with 2 periods a year: (1.1 * 1.1)^(2/2) - 1 = 0.21
    assert perf.cagr(frame(a=[0.1, 0.1]), periods_per_year=2)["a"] == pytest.approx(0.21)
    # std([0.01, -0.01], ddof=1) = sqrt(2e-4) = 0.0141421; x sqrt(252) = 0.224499
    assert perf.annualised_vol(frame(a=[0.01, -0.01]))["a"] == pytest.approx(0.2244994, rel=1e-6)
    # mean 0.005; DD = sqrt((0.01^2 + 0.02^2) / 4) = 0.0111803; 0.005 / 0.0111803 * sqrt(252) = 7.09930
    assert perf.sortino(frame(a=[0.03, -0.01, 0.02, -0.02]))["a"] == pytest.approx(7.099296, rel=1e-6)


def test_sharpe_uses_the_daily_equivalent_of_an_annual_rate() -> None:
    r = frame(a=[0.01, 0.02, -0.005, 0.0])
    rf_d = 1.05 ** (1 / 252) - 1  # 5 % a year -> 0.01936 % a day
    expected = (r["a"] - rf_d).mean() / (r["a"] - rf_d).std() * np.sqrt(252)
    assert perf.sharpe(r, rf=0.05)["a"] == pytest.approx(expected, rel=1e-12)


def test_historical_var_and_cvar_reference_values() -> None:
    r = frame(a=[k / 100 for k in range(-10, 11)])  # -0.10 ... 0.10, n = 21
    # 95 %: virtual index 20 * 0.05 = 1.0 -> sorted[1] = -0.09; CVaR = -mean(-0.10, -0.09) = 0.095
    assert perf.historical_var(r, 0.95)["a"] == pytest.approx(0.09)
    assert perf.historical_cvar(r, 0.95)["a"] == pytest.approx(0.095)
    # 99 %: index 0.2 -> -0.10 + 0.2 * 0.01 = -0.098; tail is {-0.10}: CVaR 0.10
    assert perf.historical_var(r, 0.99)["a"] == pytest.approx(0.098)
    assert perf.historical_cvar(r, 0.99)["a"] == pytest.approx(0.10)


def test_beta_and_alpha_reference_values() -> None:
    b = pd.Series([0.01, -0.02, 0.015, 0.0, -0.005] * 5, index=DAYS[:25])
    r = (0.001 + 2.0 * b).to_frame("a")
    # r = 0.001 + 2b exactly: beta 2, alpha = (mean r - 2 mean b) * 252 = 0.001 * 252 = 0.252
    assert perf.beta(r, b)["a"] == pytest.approx(2.0)
    profile = perf.performance_profile(r, b)
    assert profile.loc["a", "alpha"] == pytest.approx(0.252)
    assert np.isnan(perf.performance_profile(r).loc["a", "beta"])  # no benchmark, no beta


def test_profile_agrees_with_quantstats_where_definitions_match(sample) -> None:
    returns, bench = sample
    got = perf.performance_profile(returns, bench)
    s = qs.stats
    greeks = pd.DataFrame({c: s.greeks(returns[c], bench) for c in returns}).T
    expected = {
        "cagr": s.cagr(returns),
        "volatility": s.volatility(returns),
        "sharpe": s.sharpe(returns),
        "sortino": s.sortino(returns),
        "max_drawdown": s.max_drawdown(returns),
        "calmar": s.calmar(returns),
        "beta": greeks["beta"],
        "alpha": greeks["alpha"],
        "cvar_95": -s.conditional_value_at_risk(returns, confidence=0.95, method="historical"),
    }
    for name, values in expected.items():
        np.testing.assert_allclose(got[name], values.reindex(got.index), rtol=1e-12, atol=1e-14, err_msg=name)
    # quantstats' value_at_risk is parametric (normal, sign negative): compare with ours
    np.testing.assert_allclose(perf.parametric_var(returns), -s.value_at_risk(returns), rtol=1e-12)


def test_profile_agrees_with_empyrical_on_fully_observed_columns(sample) -> None:
    returns, bench = sample
    full = returns.iloc[:, :3]
    x = full.to_numpy()
    got = perf.performance_profile(full, bench)
    np.testing.assert_allclose(got["cagr"], ep.annual_return(x), rtol=1e-12)
    np.testing.assert_allclose(got["volatility"], ep.annual_volatility(x), rtol=1e-12)
    np.testing.assert_allclose(got["sharpe"], ep.sharpe_ratio(x), rtol=1e-12)
    np.testing.assert_allclose(got["sortino"], ep.sortino_ratio(x), rtol=1e-12)
    np.testing.assert_allclose(got["max_drawdown"], ep.max_drawdown(x), rtol=1e-12)
    np.testing.assert_allclose(got["var_95"], [-ep.value_at_risk(x[:, i], 0.05) for i in range(3)], rtol=1e-12)
    # empyrical's CVaR averages the floor((n-1)*5 %) + 1 lowest returns; ours averages r <= quantile
    for i, col in enumerate(full):
        _alpha, beta = ep.alpha_beta_aligned(x[:, i], bench.to_numpy())
        assert got.loc[col, "beta"] == pytest.approx(beta, rel=1e-12)  # empyrical's alpha is compounded


def test_beta_agrees_with_statsmodels_ols_on_paired_dates(sample) -> None:
    returns, bench = sample
    late = returns["S3"].dropna()
    fit = sm.OLS(late, sm.add_constant(bench.loc[late.index])).fit()
    assert perf.beta(returns, bench)["S3"] == pytest.approx(fit.params["SPY"], rel=1e-12)


def test_a_late_listed_column_is_measured_on_its_own_span(sample) -> None:
    returns, bench = sample
    whole = perf.performance_profile(returns, bench).loc["S3"]
    alone = perf.performance_profile(returns[["S3"]].dropna(), bench).loc["S3"]
    pd.testing.assert_series_equal(whole, alone, rtol=1e-13)
    assert whole["n_obs"] == 230


def test_a_series_equal_to_the_benchmark_has_beta_one_and_no_tracking_error(sample) -> None:
    _, bench = sample
    profile = perf.performance_profile(bench.to_frame("copy"), bench)
    assert profile.loc["copy", "beta"] == pytest.approx(1.0, rel=1e-14)
    assert profile.loc["copy", "tracking_error"] == 0.0
    assert profile.loc["copy", "alpha"] == pytest.approx(0.0, abs=1e-15)


def test_a_constant_series_has_zero_vol_and_nan_ratios_not_inf() -> None:
    profile = perf.performance_profile(frame(c=[0.001] * 30))
    assert profile.loc["c", "volatility"] == pytest.approx(0.0, abs=1e-15)
    assert np.isnan(profile.loc["c", "sortino"])
    flat = perf.performance_profile(frame(c=[0.0] * 30))
    assert np.isnan(flat.loc["c", "sharpe"]) and np.isnan(flat.loc["c", "calmar"])


def test_short_all_nan_and_infinite_columns_get_nan_rows_with_a_note() -> None:
    r = frame(ok=list(np.linspace(-0.02, 0.02, 40)), empty=[np.nan] * 40, short=[np.nan] * 30 + [0.01] * 10)
    r.iloc[5, 0] = np.inf  # a zero price the day before
    profile = perf.performance_profile(r)
    assert profile.loc["ok", "n_obs"] == 39 and "1 infinite" in profile.loc["ok", "note"]
    assert np.isfinite(profile.loc["ok", "volatility"])
    assert profile.loc[["empty", "short"], "cagr"].isna().all()
    assert "only 10 returns" in profile.loc["short", "note"]


def test_require_history_raises_with_advice() -> None:
    r = frame(XLK=[0.01] * 12, SPY=[0.01] * 12)
    with pytest.raises(InsufficientHistory, match=r"XLK has 12 daily returns; .*at least 60 .*python -m jobs"):
        perf.require_history(r, 60)
    perf.require_history(r, 12)  # enough: no error


returns_arrays = arrays(
    np.float64, st.integers(25, 60), elements=st.floats(-0.2, 0.2, allow_nan=False, allow_subnormal=False)
)


@settings(max_examples=40, deadline=None)
@given(returns_arrays)
def test_cvar_is_never_below_var(values: np.ndarray) -> None:
    r = pd.DataFrame({"a": values})
    for level in (0.95, 0.99):
        assert perf.historical_cvar(r, level)["a"] >= perf.historical_var(r, level)["a"] - 1e-15
        assert perf.parametric_cvar(r, level)["a"] >= perf.parametric_var(r, level)["a"] - 1e-15


@settings(max_examples=40, deadline=None)
@given(returns_arrays, st.floats(0.0, 0.05))
def test_shifting_returns_up_never_worsens_drawdown(values: np.ndarray, shift: float) -> None:
    r = pd.DataFrame({"a": values})
    assert perf.max_drawdown(r + shift)["a"] >= perf.max_drawdown(r)["a"] - 1e-15


@settings(max_examples=30, deadline=None)
@given(returns_arrays)
def test_the_profile_matches_the_building_blocks(values: np.ndarray) -> None:
    r = pd.DataFrame({"a": values})
    profile = perf.performance_profile(r)
    assert profile.loc["a", "sharpe"] == pytest.approx(perf.sharpe(r)["a"], rel=1e-9, nan_ok=True)
    assert profile.loc["a", "cvar_99"] == pytest.approx(perf.historical_cvar(r, 0.99)["a"], rel=1e-12)
    assert -1.0 <= profile.loc["a", "max_drawdown"] <= 0.0


def _slow_profile(r: pd.Series, b: pd.Series, rf: float) -> dict[str, float]:
    """The obvious reference, one column at a time, on its own non-NaN (finite) days."""
    x = r.replace([np.inf, -np.inf], np.nan).dropna()
    rf_d, n = (1 + rf) ** (1 / 252) - 1, len(x)
    wealth = np.cumprod(np.r_[1.0, 1 + x.to_numpy()])
    growth, worst = wealth[-1] ** (252 / n) - 1, float(np.min(wealth / np.maximum.accumulate(wealth)) - 1)
    both = pd.concat([x, b], axis=1, join="inner").dropna().to_numpy()
    beta = np.cov(both[:, 0], both[:, 1], ddof=1)[0, 1] / np.var(both[:, 1], ddof=1)
    te = np.std(both[:, 0] - both[:, 1], ddof=1) * np.sqrt(252)
    mx, mb = both.mean(axis=0)
    out = {
        "cagr": growth,
        "volatility": x.std() * np.sqrt(252),
        "sharpe": (x - rf_d).mean() / (x - rf_d).std() * np.sqrt(252),
        "sortino": x.mean() / np.sqrt(np.mean(np.minimum(x, 0) ** 2)) * np.sqrt(252),
        "max_drawdown": worst,
        "calmar": growth / abs(worst),
        "beta": beta,
        "alpha": ((mx - rf_d) - beta * (mb - rf_d)) * 252,
        "tracking_error": te,
        "information_ratio": (mx - mb) * 252 / te,
    }
    for level in (0.95, 0.99):
        q = np.quantile(x, 1 - level)
        out |= {f"var_{round(level * 100)}": -q, f"cvar_{round(level * 100)}": -x[x <= q].mean()}
    return out | {"n_obs": float(n)}


def test_the_profile_matches_a_slow_per_column_reference(sample) -> None:
    # the one-pass profile (shared mask, counts and centred values) against per-column pandas/numpy,
    # with a late listing, an infinite return, a gap in the benchmark and a non-zero rf
    returns, bench = sample
    returns = returns.assign(INF=returns["S1"].where(np.arange(len(returns)) != 200, np.inf))
    gappy = bench.where(np.arange(len(bench)) != 150)
    profile = perf.performance_profile(returns, gappy, rf=0.03)
    for col in returns.columns:
        for key, value in _slow_profile(returns[col], gappy, 0.03).items():
            assert profile.loc[col, key] == pytest.approx(value, rel=1e-10), (col, key)
    assert profile.loc["INF", "note"] == "1 infinite returns ignored (zero price?)"
