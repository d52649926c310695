"""Volatility: realized and EWMA by hand, HAR against arch (1e-10 relative), cones, edge cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from arch.univariate import HARX

from sigma.errors import InsufficientHistory
from sigma.risk import volatility as vol

DAYS = pd.bdate_range("2022-01-03", periods=700)


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    scale = np.exp(np.cumsum(0.05 * rng.normal(size=(700, 3)), axis=0) / 5)  # drifting volatility
    frame = pd.DataFrame(0.01 * scale * rng.standard_t(5, (700, 3)), index=DAYS, columns=["A", "B", "C"])
    frame.iloc[:400, 1] = np.nan  # B: 300 returns, C: 700 (fit on the last 500)
    return frame


def test_realized_vol_is_rolling_std_annualised() -> None:
    r = pd.DataFrame({"a": [0.01, -0.01, 0.02]})
    # window 2 on the last pair: std([-0.01, 0.02], ddof=1) = 0.0212132; x sqrt(252) = 0.336749
    assert vol.realized_vol(r, window=2)["a"].iloc[-1] == pytest.approx(0.3367492, rel=1e-6)


def test_ewma_follows_the_riskmetrics_recursion() -> None:
    r = pd.DataFrame({"a": [0.01, -0.02, 0.03]})
    # sigma2 on day 2 = r1^2 = 1e-4; day 3 = 0.94 * 1e-4 + 0.06 * 4e-4 = 1.18e-4
    out = vol.ewma_vol(r)["a"]
    assert np.isnan(out.iloc[0])
    assert out.iloc[1] == pytest.approx(np.sqrt(1e-4 * 252))
    assert out.iloc[2] == pytest.approx(np.sqrt(1.18e-4 * 252))


def _arch_reference(rv: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    y = rv.dropna().to_numpy()[-vol.HAR_WINDOW :]
    res = HARX(y, lags=[1, 5, 22], rescale=False).fit(disp="off")
    return res.params.to_numpy()[:4], res.forecast(horizon=22, reindex=False).mean.to_numpy()[0]


def test_har_parameters_and_forecasts_match_arch_within_1e_10(returns) -> None:
    rv = returns**2
    params = vol.har_params(rv)
    forecast = vol.har_forecast(returns)
    for col in ["A", "B", "C"]:
        arch_params, arch_mean = _arch_reference(rv[col])
        np.testing.assert_allclose(params.loc[col].to_numpy(), arch_params, rtol=1e-10)
        assert np.all(arch_mean > 0)  # so no flooring: our iterated recursion is arch's mean forecast
        for h in (1, 5, 22):
            expected = np.sqrt(arch_mean[:h].mean() * 252)
            assert forecast.loc[col, f"h{h}"] == pytest.approx(expected, rel=1e-10)


def test_har_forecast_shape_percentile_and_notes(returns) -> None:
    data = returns.assign(SHORT=np.r_[np.full(500, np.nan), np.full(200, 0.01)])
    out = vol.har_forecast(data)
    assert list(out.columns) == ["h1", "h5", "h22", "percentile", "n_obs", "note"]
    assert out.loc[["A", "B", "C"], ["h1", "h5", "h22"]].gt(0).all().all()
    assert out.loc[["A", "B", "C"], "percentile"].between(0, 100).all()
    assert out.loc["B", "n_obs"] == 300 and out.loc["A", "n_obs"] == 500
    assert np.isnan(out.loc["SHORT", "h1"]) and "fewer than 250" in out.loc["SHORT", "note"]


def test_har_raises_when_no_column_has_enough_history() -> None:
    short = pd.DataFrame({"XLK": np.full(100, 0.01)})
    with pytest.raises(InsufficientHistory, match="at least 250"):
        vol.har_forecast(short)


def test_parkinson_variance_reference_value() -> None:
    # ln(110 / 100)^2 / (4 ln 2) = 0.0090840 / 2.7725887 = 0.00327637
    out = vol.parkinson_variance(pd.DataFrame({"a": [110.0]}), pd.DataFrame({"a": [100.0]}))
    assert out["a"].iloc[0] == pytest.approx(0.00327637, rel=1e-5)


def test_har_uses_the_range_estimator_when_high_and_low_are_given(returns) -> None:
    close = 100 * (1 + returns.fillna(0)).cumprod()
    high, low = close * 1.01, close * 0.99
    out = vol.har_forecast(returns, high=high, low=low)
    # a constant range gives a constant RV: every forecast is sqrt(ln(1.01/0.99)^2 / (4 ln 2) * 252)
    expected = np.sqrt(np.log(1.01 / 0.99) ** 2 / (4 * np.log(2)) * 252)
    assert out.loc["A", "h22"] == pytest.approx(expected, rel=1e-6)


def test_volatility_cone_is_ordered_and_current_is_the_last_value(returns) -> None:
    cone = vol.volatility_cone(returns["A"])
    assert list(cone.index) == [10, 20, 60, 120, 252]
    ordered = cone[["min", "p25", "median", "p75", "max"]].to_numpy()
    assert np.all(np.diff(ordered, axis=1) >= 0)
    assert cone.loc[20, "current"] == pytest.approx(vol.realized_vol(returns[["A"]], 20)["A"].iloc[-1])


def test_vol_percentile_reference_value() -> None:
    # 2 of the 4 finite values are <= 0.2: 50 %
    assert vol.vol_percentile(pd.Series([0.1, 0.2, 0.3, 0.4, np.nan]), 0.2) == 50.0


def _slow_har(returns: pd.Series) -> dict[str, float]:
    """The obvious reference, one column, plain loops: design row by row, lstsq, iterated forecast."""
    rv = (returns**2).to_numpy()[-vol.HAR_WINDOW :]
    y = rv[np.flatnonzero(~np.isfinite(rv)).max(initial=-1) + 1 :]  # trailing run of finite RVs
    rows = [[1.0, y[t - 1], np.mean(y[t - 5 : t]), np.mean(y[t - 22 : t])] for t in range(22, len(y))]
    params = np.linalg.lstsq(np.array(rows), y[22:], rcond=None)[0]
    hist, daily = list(y[-22:]), []
    for _ in range(22):
        nxt = params @ [1.0, hist[-1], np.mean(hist[-5:]), np.mean(hist[-22:])]
        daily.append(max(nxt, y[y > 0].min()))  # floored at the smallest positive RV
        hist.append(nxt)
    fitted = np.array(rows) @ params
    out = {f"h{h}": float(np.sqrt(np.mean(daily[:h]) * 252)) for h in (1, 5, 22)}
    return out | {"percentile": 100.0 * float(np.mean(fitted <= daily[0])), "n_obs": float(len(y))}


def test_har_forecast_matches_a_slow_per_column_reference(returns) -> None:
    # the optimised design (running sums of shifted panels, built once, reused for the percentile)
    # against plain loops; C2 has a gap on day 300 (fit on its last 399 RVs), D a zero price on day
    # 600 (99 returns after it: no forecast)
    rows = np.arange(len(returns))
    data = returns.assign(C2=returns["C"].where(rows != 300), D=returns["A"].where(rows != 600, np.inf))
    out = vol.har_forecast(data)
    for col in ["A", "B", "C", "C2"]:
        for key, value in _slow_har(data[col]).items():
            assert out.loc[col, key] == pytest.approx(value, rel=1e-9), (col, key)
    assert out.loc["C2", "n_obs"] == 399 and out.loc["D", "n_obs"] == 99 and np.isnan(out.loc["D", "h1"])


def test_har_params_are_named_by_lag(returns: pd.DataFrame) -> None:
    rv = returns**2
    params = vol.har_params(rv)
    assert list(params.columns) == ["const", "daily", "weekly", "monthly"]
    arch_params, _ = _arch_reference(rv["C"])  # arch orders them constant, lag 1, lag 5, lag 22
    assert list(params.loc["C", ["const", "daily", "weekly", "monthly"]]) == pytest.approx(arch_params, rel=1e-10)


def test_a_minus_infinite_return_is_missing_in_every_estimator(returns: pd.DataFrame) -> None:
    broken, gap = returns.copy(), returns.copy()
    broken.iloc[650, 0], gap.iloc[650, 0] = -np.inf, np.nan
    pd.testing.assert_frame_equal(vol.realized_vol(broken), vol.realized_vol(gap))
    pd.testing.assert_frame_equal(vol.ewma_vol(broken), vol.ewma_vol(gap))
    pd.testing.assert_frame_equal(vol.har_forecast(broken), vol.har_forecast(gap))
    assert vol.ewma_vol(broken).iloc[-1].notna().all()


def test_a_forecast_row_has_an_empty_note_and_high_without_low_falls_back_to_squared_returns(
    returns: pd.DataFrame,
) -> None:
    out = vol.har_forecast(returns, high=returns.abs() + 1.0)  # no `low`: no range estimator
    pd.testing.assert_frame_equal(out, vol.har_forecast(returns))
    assert out["note"].tolist() == ["", "", ""]


def test_no_history_at_all_says_zero_returns() -> None:
    with pytest.raises(InsufficientHistory, match=r"the longest history here has 0\. Load"):
        vol.har_forecast(pd.DataFrame({"XLK": np.full(30, np.nan)}))


def test_the_cone_annualises_with_the_given_periods(returns: pd.DataFrame) -> None:
    monthly = vol.volatility_cone(returns["A"], windows=(20,), periods_per_year=12)
    rolling = vol.realized_vol(returns[["A"]], 20, 12)["A"].dropna()
    assert list(monthly.loc[20, ["min", "max", "current"]]) == pytest.approx(
        [rolling.min(), rolling.max(), rolling.iloc[-1]], rel=1e-12
    )
