"""Correlation: agreement with pandas (1e-12), clustering, invariants, edge cases."""

from __future__ import annotations

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
