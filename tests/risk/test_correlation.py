"""Correlation: agreement with pandas (1e-12), clustering, invariants, edge cases."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

from sigma.risk.correlation import (
    average_pairwise_correlation,
    cluster_order,
    correlation_matrix,
    rolling_correlation,
)


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    common = rng.standard_t(4, (400, 2))
    loads = rng.uniform(-1, 1, (2, 12))
    frame = pd.DataFrame(0.01 * (common @ loads + rng.standard_t(4, (400, 12))), columns=[f"C{i}" for i in range(12)])
    frame.iloc[:150, 3] = np.nan  # listed late
    frame.iloc[:370, 7] = np.nan  # only 30 observations: below min_periods
    frame.iloc[200:220, 5] = np.nan  # a gap
    return frame + 0.05  # an offset makes naive sums cancel; centring must cope


def test_pearson_matches_pandas_pairwise_complete_within_1e_12(returns) -> None:
    got = correlation_matrix(returns, min_periods=60, cluster=False)
    expected = returns.corr(min_periods=60)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-12)


def test_spearman_matches_pandas_when_nothing_is_missing(returns) -> None:
    full = returns.drop(columns=["C3", "C5", "C7"])
    got = correlation_matrix(full, method="spearman", cluster=False)
    np.testing.assert_allclose(got.to_numpy(), full.corr(method="spearman").to_numpy(), atol=1e-12)


def test_short_and_constant_columns_are_nan_even_on_the_diagonal(returns) -> None:
    data = returns.assign(FLAT=0.001)
    corr = correlation_matrix(data, cluster=False)
    assert corr["C7"].isna().all()  # 30 observations < 60
    assert corr["FLAT"].isna().all()
    assert corr.loc["C0", "C0"] == 1.0


def test_clustering_orders_blocks_together() -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(300, 1)), rng.normal(size=(300, 1))
    noise = 0.3 * rng.normal(size=(300, 6))
    data = pd.DataFrame(np.hstack([a, b, a, b, a, b]) + noise, columns=["a1", "b1", "a2", "b2", "a3", "b3"])
    order = list(correlation_matrix(data).index)
    assert {order[0][0], order[-1][0]} == {"a", "b"}
    assert len({name[0] for name in order[:3]}) == 1


def test_cluster_order_is_scipy_average_linkage_on_one_minus_rho(returns) -> None:
    corr = correlation_matrix(returns, cluster=False)
    dist = 1.0 - corr.fillna(0.0).to_numpy()
    np.fill_diagonal(dist, 0.0)
    expected = leaves_list(linkage(squareform(dist, checks=False), method="average"))
    assert cluster_order(corr) == [corr.columns[i] for i in expected]


def test_rolling_correlation_matches_pandas(returns) -> None:
    got = rolling_correlation(returns["C0"], returns["C1"], window=60)
    expected = returns["C0"].rolling(60).corr(returns["C1"])
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), atol=1e-12)


def test_average_pairwise_correlation_reference_value() -> None:
    names = ["x", "y", "z"]
    corr = pd.DataFrame([[1, 0.5, 0.1], [0.5, 1, 0.3], [0.1, 0.3, 1]], index=names, columns=names)
    # (0.5 + 0.1 + 0.3) / 3 = 0.3; with weights (1, 1, 0) only the x-y pair counts: 0.5
    assert average_pairwise_correlation(corr) == pytest.approx(0.3)
    assert average_pairwise_correlation(corr, pd.Series([1.0, -1.0, 0.0], index=names)) == pytest.approx(0.5)


@settings(max_examples=30, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(5, 40), st.integers(2, 6)), elements=st.floats(-1, 1, allow_subnormal=False)
    ),
    st.integers(2, 10),
)
def test_matrices_are_symmetric_unit_diagonal_and_bounded(values: np.ndarray, min_periods: int) -> None:
    data = pd.DataFrame(values, columns=[f"c{i}" for i in range(values.shape[1])])
    corr = correlation_matrix(data, min_periods=min_periods).to_numpy()
    np.testing.assert_array_equal(np.isnan(corr), np.isnan(corr.T))
    np.testing.assert_allclose(corr, corr.T, equal_nan=True)
    finite = corr[np.isfinite(corr)]
    assert np.all((finite >= -1.0) & (finite <= 1.0))
    diag = np.diag(corr)
    assert np.all(np.isnan(diag) | (diag == 1.0))


def test_a_level_offset_and_a_change_of_units_leave_the_matrix_unchanged(returns: pd.DataFrame) -> None:
    """ρ is unit-free and blind to levels: returns + 100 and returns × 1e-13 give the same matrix
    (the centring keeps the sums exact; the zero-variance floor scales with the data)."""
    base = correlation_matrix(returns, cluster=False)
    for moved in (returns + 100.0, returns * 1e-13, returns * 1e6):
        np.testing.assert_allclose(correlation_matrix(moved, cluster=False).to_numpy(), base.to_numpy(), rtol=1e-9)


def test_exactly_linear_columns_correlate_at_exactly_plus_or_minus_one() -> None:
    x = np.random.default_rng(0).normal(size=30)
    data = pd.DataFrame(
        {"x": x, "up": 3.0 * x + 0.3, "down": -7.0 * x, "small": 0.1 * x, "flip": 0.3 - 3.0 * x, "tiny": -0.1 * x}
    )
    corr = correlation_matrix(data, min_periods=10, cluster=False)
    # rounding alone would put some entries a hair beyond ±1 (1.0000000000000002): they are clipped
    signs = np.array([1.0, 1.0, -1.0, 1.0, -1.0, -1.0])
    np.testing.assert_array_equal(np.abs(corr.to_numpy()) <= 1.0, True)
    np.testing.assert_allclose(corr.to_numpy(), np.outer(signs, signs), rtol=1e-15)


def test_min_periods_is_the_least_overlap_that_still_gets_a_correlation() -> None:
    data = pd.DataFrame({"a": [0.01, -0.02, 0.03, 0.00, 0.02], "b": [0.02, -0.01, 0.05, 0.01, 0.00]})
    assert correlation_matrix(data, min_periods=5).loc["a", "b"] == pytest.approx(data["a"].corr(data["b"]))
    assert np.isnan(correlation_matrix(data, min_periods=6).to_numpy()[0, 1])  # a-b
    two = data.iloc[:2]  # two points always lie on a line: ρ = ±1 once min_periods allows it
    assert correlation_matrix(two, min_periods=2).loc["a", "b"] == pytest.approx(1.0)
    sixty = pd.DataFrame(np.random.default_rng(1).normal(size=(60, 2)), columns=["a", "b"])
    assert correlation_matrix(sixty).notna().all().all()  # the default minimum overlap is 60 dates


def test_three_columns_are_already_clustered() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=200)
    data = pd.DataFrame({"A": a, "B": rng.normal(size=200), "C": a + 0.1 * rng.normal(size=200)})
    order = list(correlation_matrix(data).index)
    assert abs(order.index("A") - order.index("C")) == 1 and order != ["A", "B", "C"]  # A and C side by side
    assert cluster_order(correlation_matrix(data, cluster=False)) == order


def test_rolling_correlation_treats_infinities_as_missing_and_names_the_pair() -> None:
    rng = np.random.default_rng(4)
    days = pd.bdate_range("2024-01-01", periods=80)
    a = pd.Series(rng.normal(size=80), index=days, name="A")
    b = pd.Series(0.5 * a.to_numpy() + rng.normal(size=80), index=days, name="B")
    broken = a.copy()
    broken.iloc[70] = -np.inf
    got = rolling_correlation(broken, b)
    expected = a.drop(days[70]).rolling(60).corr(b.drop(days[70]))  # the default window is 60 dates
    assert got.name == "A~B"
    pd.testing.assert_series_equal(got, expected.rename("A~B"), rtol=1e-12)


def test_average_pairwise_correlation_aligns_weights_skips_nan_pairs_and_has_no_pairs_at_all() -> None:
    names = ["x", "y", "z"]
    corr = pd.DataFrame([[1, 0.5, np.nan], [0.5, 1, 0.3], [np.nan, 0.3, 1]], index=names, columns=names)
    # pairs x-y (w 0.5·0.25) and y-z (w 0.25·0.25); x-z is NaN and skipped: (0.125·0.5 + 0.0625·0.3) / 0.1875
    weights = pd.Series({"z": 0.25, "y": -0.25, "x": 0.5})  # out of order; signs do not matter
    assert average_pairwise_correlation(corr, weights) == pytest.approx((0.0625 + 0.01875) / 0.1875)
    # a missing weight is zero: only x-y is left
    assert average_pairwise_correlation(corr, pd.Series({"x": 0.5, "y": 0.25})) == pytest.approx(0.5)
    assert average_pairwise_correlation(corr) == pytest.approx(0.4)  # NaN pair skipped: (0.5 + 0.3) / 2
    assert np.isnan(average_pairwise_correlation(corr.loc[["x"], ["x"]]))  # one asset: no pair


def test_a_nullable_float_frame_gives_the_same_matrix_as_a_float64_one(returns: pd.DataFrame) -> None:
    full = returns.drop(columns=["C3", "C5", "C7"])  # no missing values: pd.NA is not accepted here
    got = correlation_matrix(full.astype("Float64"), cluster=False)
    np.testing.assert_allclose(got.to_numpy(), correlation_matrix(full, cluster=False).to_numpy(), rtol=1e-15)


def test_no_dates_give_a_nan_matrix_not_an_error() -> None:
    empty = pd.DataFrame({"a": [], "b": [], "c": []}, dtype=float)
    got = correlation_matrix(empty, min_periods=2)
    assert got.shape == (3, 3) and got.isna().all().all()


def test_short_empty_and_flat_columns_and_pairless_averages_raise_no_runtime_warnings(returns: pd.DataFrame) -> None:
    """0/0 on a column without data is the expected NaN, computed quietly (no warnings in the logs)."""
    data = returns.assign(EMPTY=np.nan, FLAT=0.001)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        corr = correlation_matrix(data, cluster=False)
        alone = average_pairwise_correlation(corr.loc[["C0"], ["C0"]])
    assert corr["EMPTY"].isna().all() and corr["FLAT"].isna().all() and np.isnan(alone)
    assert corr.loc["C0", "C1"] == pytest.approx(returns["C0"].corr(returns["C1"]), rel=1e-12)
