"""Performance measures pinned by hand: names, boundaries, targets, other periods per year and the
profile's notes (the survivors of a mutation run on sigma/risk/performance.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sigma.risk import performance as perf

DAYS = pd.bdate_range("2024-01-02", periods=30)
FOUR = pd.DataFrame({"a": [0.02, -0.01, 0.03, -0.02]}, index=DAYS[:4])


def test_every_measure_is_named_after_what_it_computes() -> None:
    bench = pd.Series(0.01, index=DAYS[:4])
    got = [
        perf.n_obs(FOUR).name,
        perf.cagr(FOUR).name,
        perf.annualised_vol(FOUR).name,
        perf.sharpe(FOUR).name,
        perf.sortino(FOUR).name,
        perf.max_drawdown(FOUR).name,
        perf.beta(FOUR, bench).name,
    ]
    assert got == ["n_obs", "cagr", "volatility", "sharpe", "sortino", "max_drawdown", "beta"]


def test_sortino_by_hand_at_a_zero_and_a_one_percent_target() -> None:
    # target 0: mean 0.5 %, downside √((0 + 1e-4 + 0 + 4e-4) / 4) = 1.11803 %; 0.447214 · √252 = 7.099296
    assert perf.sortino(FOUR)["a"] == pytest.approx(0.5 / 1.118034 * math.sqrt(252), rel=1e-6)
    # target 1 %: excess 1, −2, 2, −3 (%); mean −0.5 %; downside √((4 + 9) / 4) % = 1.802776 %
    assert perf.sortino(FOUR, target=0.01)["a"] == pytest.approx(-0.5 / 1.802776 * math.sqrt(252), rel=1e-6)


def test_sortino_and_cagr_of_no_returns_are_nan_per_column() -> None:
    empty = pd.DataFrame({"a": [], "b": []}, dtype=float)
    assert perf.sortino(empty).isna().tolist() == [True, True]
    assert perf.cagr(empty).isna().tolist() == [True, True]


def test_cagr_of_a_single_month_at_twelve_periods_a_year() -> None:
    one = pd.DataFrame({"a": [0.01]})
    assert perf.cagr(one, periods_per_year=12)["a"] == pytest.approx(1.01**12 - 1.0, rel=1e-12)


def test_beta_needs_exactly_min_obs_pairs() -> None:
    r = pd.DataFrame({"a": [0.02, -0.02, 0.04]}, index=DAYS[:3])
    b = pd.Series([0.01, -0.01, 0.02], index=DAYS[:3])
    assert perf.beta(r, b, min_obs=3)["a"] == pytest.approx(2.0, rel=1e-12)  # r = 2 b
    assert math.isnan(perf.beta(r, b, min_obs=4)["a"])


def test_tracking_error_and_information_ratio_at_twelve_periods_a_year() -> None:
    book = pd.DataFrame({"a": [0.02, 0.00, 0.01, -0.01]}, index=DAYS[:4])
    bench = pd.Series([0.01, 0.01, 0.00, -0.02], index=DAYS[:4])
    # std of active returns 1 %: TE = 0.01 · √12 = 0.034641; IR = 0.005 · 12 / 0.034641 = 1.732051
    assert perf.tracking_error(book, bench, 12)["a"] == pytest.approx(0.0346410162, abs=1e-10)
    assert perf.information_ratio(book, bench, 12)["a"] == pytest.approx(1.7320508076, abs=1e-9)


def test_the_profile_notes_infinite_returns_and_short_histories_and_nothing_at_min_obs() -> None:
    full = np.tile([0.01, -0.005], perf.MIN_OBS // 2)  # exactly MIN_OBS returns
    short = np.r_[np.inf, 0.01, np.full(perf.MIN_OBS - 2, np.nan)]
    frame = pd.DataFrame({"full": full, "short": short}, index=DAYS[: perf.MIN_OBS])
    profile = perf.performance_profile(frame)
    assert profile["note"].tolist() == [
        "",
        f"1 infinite returns ignored (zero price?); only 1 returns (< {perf.MIN_OBS}): metrics omitted",
    ]
    assert profile.loc["full", "n_obs"] == perf.MIN_OBS
    # CAGR of 10 pairs of (+1 %, −0.5 %) over 20 days: ((1.01 · 0.995)^10)^(252 / 20) − 1 = 0.862950
    assert profile.loc["full", "cagr"] == pytest.approx(((1.01 * 0.995) ** 10) ** (252 / 20) - 1.0, rel=1e-12)
    assert profile.loc["short"].drop(["n_obs", "note"]).isna().all()
