"""VaR's contract to the dollar: defaults, boundaries, messages, the plotted distributions and
the Monte Carlo draws (the survivors of a mutation run on sigma/risk/var.py, each now pinned)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sigma.errors import InsufficientHistory, UnknownSymbol, ValidationError
from sigma.risk.option_book import OptionBook
from sigma.risk.simulation import covariance_root, student_t_draws
from sigma.risk.var import CHUNK, NOTES, VarMethod, value_at_risk

DAYS = pd.bdate_range("2023-01-02", periods=120)
RNG = np.random.default_rng(11)
RETURNS = pd.DataFrame(0.01 * RNG.standard_normal((len(DAYS), 3)), index=DAYS, columns=["X", "Y", "Z"])
ONE = pd.Series({"X": 1e6})


def test_the_defaults_are_historical_at_95_and_99_over_1_and_10_days() -> None:
    got = value_at_risk(ONE, RETURNS, 2e6)
    assert list(got.table.index) == [("historical", lv, h) for lv in (0.95, 0.99) for h in (1, 10)]
    assert got.nav == 2e6 and isinstance(got.nav, float)
    assert got.notes == (NOTES[VarMethod.HISTORICAL],)


def test_monte_carlo_draws_ten_thousand_paths_by_default() -> None:
    got = value_at_risk(ONE, RETURNS, 2e6, method="monte_carlo", horizons=(1,), sample_size=50_000)
    assert len(got.distributions[("monte_carlo", 1)]) == 10_000


def test_a_zero_nav_is_refused_with_its_value() -> None:
    with pytest.raises(ValidationError, match=r"NAV must be positive to express VaR as a share of it; got 0\.0\."):
        value_at_risk(ONE, RETURNS, 0.0)


def test_an_unknown_position_is_named_with_the_reason() -> None:
    with pytest.raises(UnknownSymbol, match="NOPE") as info:
        value_at_risk(pd.Series({"NOPE": 1.0}), RETURNS, 1e6)
    assert "VaR needs a return history for every position." in str(info.value)


def test_exactly_min_obs_dates_are_enough_and_one_fewer_is_refused_with_the_count() -> None:
    short = RETURNS.iloc[:30]
    assert value_at_risk(ONE, short, 1e6, horizons=(1,), min_obs=30).var("historical", 0.95, 1) > 0
    with pytest.raises(InsufficientHistory, match="VaR needs 31 dates on which every position has a return; found 30"):
        value_at_risk(ONE, short, 1e6, horizons=(1,), min_obs=31)


def test_historical_h_day_var_needs_h_plus_one_dates_exactly() -> None:
    eleven = RETURNS.iloc[:11]
    got = value_at_risk(ONE, eleven, 1e6, horizons=(10,), min_obs=1)
    two = (1 + eleven["X"]).rolling(10).apply(np.prod, raw=True).dropna() - 1  # the two 10-day windows
    assert sorted(got.distributions[("historical", 10)]) == pytest.approx(sorted(1e6 * two), rel=1e-12)
    with pytest.raises(InsufficientHistory, match="Historical VaR at 10 days needs more dates than 10"):
        value_at_risk(ONE, eleven.iloc[:10], 1e6, horizons=(10,), min_obs=1)


def test_a_two_day_horizon_compounds_two_returns() -> None:
    got = value_at_risk(ONE, RETURNS, 1e6, horizons=(2,))
    x = RETURNS["X"].to_numpy()
    two_day = 1e6 * ((1 + x[1:]) * (1 + x[:-1]) - 1)  # (1 + r_t)(1 + r_t−1) − 1, overlapping
    np.testing.assert_allclose(got.distributions[("historical", 2)], two_day, rtol=1e-9, atol=1e-6)


def test_a_sample_no_larger_than_the_cap_is_kept_in_date_order() -> None:
    got = value_at_risk(ONE, RETURNS, 1e6, horizons=(1,), sample_size=len(RETURNS))
    np.testing.assert_array_equal(got.distributions[("historical", 1)], 1e6 * RETURNS["X"].to_numpy())


def test_a_larger_sample_is_thinned_to_evenly_spaced_order_statistics() -> None:
    got = value_at_risk(ONE, RETURNS, 1e6, horizons=(1,), sample_size=5)
    ordered = np.sort(1e6 * RETURNS["X"].to_numpy())
    # positions linspace(0, 119, 5) = 0, 29.75, 59.5, 89.25, 119 → rounded 0, 30, 60, 89, 119 (half to even)
    np.testing.assert_array_equal(got.distributions[("historical", 1)], ordered[[0, 30, 60, 89, 119]])


def test_the_parametric_distribution_is_evenly_spaced_normal_quantiles() -> None:
    got = value_at_risk(ONE, RETURNS, 1e6, method="parametric", horizons=(1, 4), sample_size=4)
    sigma = float(np.std(1e6 * RETURNS["X"].to_numpy(), ddof=1))
    grid = norm.ppf([0.125, 0.375, 0.625, 0.875])  # (k + ½) / 4
    np.testing.assert_allclose(got.distributions[("parametric", 1)], sigma * grid, rtol=1e-12)
    np.testing.assert_allclose(got.distributions[("parametric", 4)], 2 * sigma * grid, rtol=1e-12)  # σ√4


def test_monte_carlo_paths_are_the_seeded_student_t_draws_scaled_by_root_h() -> None:
    n = CHUNK + 500  # two chunks, the second a partial one
    got = value_at_risk(ONE, RETURNS, 1e6, method="monte_carlo", horizons=(1, 9), n_paths=n, seed=4, sample_size=n)
    variance = float(np.var(1e6 * RETURNS["X"].to_numpy(), ddof=1))
    root, _ = covariance_root(np.array([[variance]]))
    rng = np.random.default_rng(4)
    draws = np.concatenate([student_t_draws(rng, root, CHUNK, 5.0), student_t_draws(rng, root, 500, 5.0)])[:, -1]
    np.testing.assert_allclose(got.distributions[("monte_carlo", 1)], draws, rtol=1e-12)
    np.testing.assert_allclose(got.distributions[("monte_carlo", 9)], 3 * draws, rtol=1e-12)
    assert got.notes == (NOTES[VarMethod.MONTE_CARLO].format(nu=5.0),)


@dataclass(frozen=True)
class Model:
    """What Monte Carlo reads of a factor fit: daily betas, factor covariance, residual variances."""

    betas: pd.DataFrame
    resid_var: pd.Series
    factor_cov: pd.DataFrame = field(default_factory=lambda: pd.DataFrame([[1e-4]], ["market"], ["market"]))


def _fit(betas: pd.DataFrame, resid: pd.Series) -> Model:
    return Model(betas, resid)


def test_the_factor_model_needs_exposures_only_for_held_positions() -> None:
    betas = pd.DataFrame({"market": [1.0, np.nan, np.nan]}, index=["X", "Y", "Z"])
    resid = pd.Series([1e-4, np.nan, np.nan], index=["X", "Y", "Z"])
    got = value_at_risk(ONE, RETURNS, 1e6, method="monte_carlo", horizons=(1,), factor_model=_fit(betas, resid))
    # X: variance β² σ_m² + d = 1e-4 + 1e-4 → σ = 1.41421 % ; Y and Z are not held and do not matter
    assert got.var("monte_carlo", 0.95, 1) == pytest.approx(1e6 * math.sqrt(2e-4) * 1.56, rel=0.05)
    with pytest.raises(InsufficientHistory, match="The factor model has no exposures for some positions"):
        value_at_risk(
            pd.Series({"Y": 1.0}), RETURNS, 1e6, method="monte_carlo", horizons=(1,), factor_model=_fit(betas, resid)
        )


def test_the_unknown_symbol_and_short_history_messages_in_full() -> None:
    with pytest.raises(UnknownSymbol) as unknown:
        value_at_risk(pd.Series({"NOPE": 1.0}), RETURNS, 1e6)
    assert str(unknown.value) == "Unknown symbol: NOPE. VaR needs a return history for every position."
    with pytest.raises(InsufficientHistory) as short:
        value_at_risk(ONE, RETURNS.iloc[:10], 1e6, min_obs=11)
    assert str(short.value) == (
        "VaR needs 11 dates on which every position has a return; found 10. "
        "Load more history: python -m jobs run market_data"
    )


def test_the_default_seed_is_zero_and_the_default_history_is_sixty_dates() -> None:
    default = value_at_risk(ONE, RETURNS, 1e6, method="monte_carlo", horizons=(1,), n_paths=500)
    zero = value_at_risk(ONE, RETURNS, 1e6, method="monte_carlo", horizons=(1,), n_paths=500, seed=0)
    pd.testing.assert_frame_equal(default.table, zero.table, check_exact=True)
    assert value_at_risk(ONE, RETURNS.iloc[:60], 1e6, horizons=(1,)).var("historical", 0.95, 1) > 0
    with pytest.raises(InsufficientHistory, match=r"VaR needs 60 dates .*; found 59"):
        value_at_risk(ONE, RETURNS.iloc[:59], 1e6, horizons=(1,))


def test_the_plotted_sample_is_capped_at_ten_thousand_by_default() -> None:
    got = value_at_risk(ONE, RETURNS, 1e6, method="monte_carlo", horizons=(1,), n_paths=10_001)
    assert len(got.distributions[("monte_carlo", 1)]) == 10_000


def test_a_nav_below_one_dollar_is_still_a_nav() -> None:
    got = value_at_risk(ONE, RETURNS, 0.5, horizons=(1,))
    assert got.table.loc[("historical", 0.95, 1), "var_pct"] == pytest.approx(got.var("historical", 0.95, 1) / 0.5)


def test_a_singular_covariance_is_noted_beside_every_methods_note() -> None:
    # W = 2 X exactly: the state [X return, P&L of W] has a singular covariance
    r = RETURNS.assign(W=2.0 * RETURNS["X"])
    put = OptionBook(*(np.array([v]) for v in (0, 100.0, 95.0, 0.25, 0.04, 0.25, "put", 100.0)))
    got = value_at_risk(pd.Series({"W": 1e6}), r, 1e6, options=put, method=["historical", "monte_carlo"])
    assert got.notes == (
        NOTES[VarMethod.HISTORICAL],
        "covariance singular: eigen square root used",
        NOTES[VarMethod.MONTE_CARLO].format(nu=5.0),
    )


@pytest.mark.parametrize("missing", ["betas", "resid_var"])
def test_the_factor_model_refuses_a_held_position_missing_either_input(missing: str) -> None:
    betas = pd.DataFrame({"market": [1.0, 0.5, 0.2]}, index=["X", "Y", "Z"])
    resid = pd.Series([1e-4, 1e-4, 1e-4], index=["X", "Y", "Z"])
    if missing == "betas":
        betas.loc["X", "market"] = np.nan
    else:
        resid["X"] = np.nan
    with pytest.raises(InsufficientHistory, match="The factor model has no exposures for some positions"):
        value_at_risk(ONE, RETURNS, 1e6, method="monte_carlo", horizons=(1,), factor_model=_fit(betas, resid))
