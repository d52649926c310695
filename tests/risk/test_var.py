"""VaR/CVaR: hand values, invariants (scaling, CVaR ≥ VaR, seeds), option repricing, MC against theory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from scipy.stats import t as student

from sigma.errors import InsufficientHistory, UnknownSymbol
from sigma.instruments.options import bsm
from sigma.risk.factors import FactorFit, FitMethod
from sigma.risk.option_book import OptionBook
from sigma.risk.performance import historical_var
from sigma.risk.var import value_at_risk

DAYS = pd.bdate_range("2022-01-03", periods=400)
METHODS = ["historical", "parametric", "monte_carlo"]


@pytest.fixture(scope="module")
def returns() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    market = 0.01 * rng.standard_t(5, len(DAYS))
    noise = 0.01 * rng.standard_normal((len(DAYS), 4))
    return pd.DataFrame(market[:, None] * [1.0, 1.2, 0.8, 0.5] + noise, index=DAYS, columns=["A", "B", "C", "D"])


def _put(units: float = 100.0, underlying: int = 0) -> OptionBook:
    return OptionBook(
        np.array([underlying]),
        np.array([100.0]),
        np.array([95.0]),
        np.array([0.25]),
        np.array([0.04]),
        np.array([0.25]),
        np.array(["put"]),
        np.array([units]),
    )


def test_parametric_var_of_one_position_is_z_sigma_exposure() -> None:
    r = pd.DataFrame({"X": np.tile([0.01, -0.01], 50)}, index=DAYS[:100])
    got = value_at_risk(pd.Series({"X": -1e6}), r, 1e7, method="parametric", horizons=(1, 10))
    # σ = √(100 · 1e-4 / 99) = 0.0100504; z99 = 2.326348; VaR = 2.326348 · 0.0100504 · 1e6 = 23,380.7
    sigma = 0.01 * np.sqrt(100 / 99)
    assert got.var("parametric", 0.99, 1) == pytest.approx(norm.ppf(0.99) * sigma * 1e6, rel=1e-12)
    assert got.var("parametric", 0.99, 1) == pytest.approx(23380.7, abs=0.1)
    assert got.var("parametric", 0.99, 10) == pytest.approx(23380.7 * np.sqrt(10), abs=1.0)  # σ√h
    assert got.table.loc[("parametric", 0.99, 1), "var_pct"] == pytest.approx(23380.7 / 1e7, abs=1e-8)


def test_historical_one_day_var_is_the_quantile_of_the_portfolio_pnl(returns) -> None:
    e = pd.Series({"A": 2e5, "B": -1e5, "D": 5e4})
    got = value_at_risk(e, returns, 1e6, method="historical", horizons=(1,))
    pnl = returns[["A", "B", "D"]].to_numpy() @ e.to_numpy()
    assert got.var("historical", 0.95, 1) == pytest.approx(-np.quantile(pnl, 0.05), rel=1e-12)
    tail = pnl[pnl <= np.quantile(pnl, 0.01)]
    assert got.cvar("historical", 0.99, 1) == pytest.approx(-tail.mean(), rel=1e-12)


def test_historical_ten_day_var_uses_overlapping_compounded_returns(returns) -> None:
    got = value_at_risk(pd.Series({"A": 1e5}), returns, 1e6, method="historical", horizons=(10,))
    ten_day = (1.0 + returns["A"]).rolling(10).apply(np.prod, raw=True).dropna() - 1.0
    expected = historical_var((ten_day * 1e5).to_frame(), 0.99).iloc[0]
    assert got.var("historical", 0.99, 10) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("method", METHODS)
def test_var_scales_linearly_with_position_size(returns, method) -> None:
    e = pd.Series({"A": 3e5, "C": -1e5})
    base = value_at_risk(e, returns, 1e6, options=_put(100.0), method=method, seed=4)
    scaled = value_at_risk(3.0 * e, returns, 1e6, options=_put(300.0), method=method, seed=4)
    np.testing.assert_allclose(scaled.table[["var", "cvar"]], 3.0 * base.table[["var", "cvar"]], rtol=1e-9)


def test_cvar_is_never_below_var(returns) -> None:
    got = value_at_risk(pd.Series({"A": 1e5, "B": 2e5}), returns, 1e6, options=_put(), method=METHODS)
    assert (got.table["cvar"] >= got.table["var"] - 1e-9).all()
    assert set(got.table.index.get_level_values("method")) == set(METHODS)


def test_monte_carlo_with_a_seed_is_deterministic(returns) -> None:
    e = pd.Series({"A": 1e5, "B": -5e4})
    a, b = (value_at_risk(e, returns, 1e6, method="monte_carlo", seed=9, n_paths=3000) for _ in range(2))
    pd.testing.assert_frame_equal(a.table, b.table)
    c = value_at_risk(e, returns, 1e6, method="monte_carlo", seed=10, n_paths=3000)
    assert not np.allclose(a.table["var"], c.table["var"])


def test_a_long_puts_simulated_pnl_never_loses_more_than_the_premium(returns) -> None:
    book = _put(100.0)
    premium = float(book.price()[0] * 100.0)
    got = value_at_risk(pd.Series(dtype=float), returns, 1e6, options=book, method="monte_carlo")
    for h in (1, 10):
        assert got.distributions[("monte_carlo", h)].min() >= -premium - 1e-9
    assert got.var("monte_carlo", 0.99, 10) <= premium


def test_historical_options_are_fully_repriced_at_the_historical_spot(returns) -> None:
    book = _put(100.0, underlying=1)
    got = value_at_risk(pd.Series(dtype=float), returns, 1e6, options=book, method="historical", horizons=(1,))
    spot = 100.0 * (1.0 + returns["B"].to_numpy())
    expected = 100.0 * (
        bsm(spot, 95.0, 0.25 - 1 / 252, 0.04, 0.25, "put").price - bsm(100.0, 95.0, 0.25, 0.04, 0.25, "put").price
    )
    np.testing.assert_allclose(np.sort(got.distributions[("historical", 1)]), np.sort(expected), rtol=1e-12)


def test_monte_carlo_var_of_a_linear_book_matches_the_student_t_quantile(returns) -> None:
    e = pd.Series({"A": 1e5, "B": 1e5})
    got = value_at_risk(e, returns, 1e6, method="monte_carlo", n_paths=40_000, horizons=(1,))
    sigma = np.std(returns[["A", "B"]].to_numpy() @ e.to_numpy(), ddof=1)
    # unit-variance t(5): quantile = t5.ppf(0.99) · √(3/5) = 3.3649 · 0.7746 = 2.6065 σ
    expected = student.ppf(0.99, 5) * np.sqrt(3 / 5) * sigma
    assert got.var("monte_carlo", 0.99, 1) == pytest.approx(expected, rel=0.04)  # MC error ~1.5 % at 40k paths


def test_monte_carlo_with_a_factor_model_agrees_with_a_brute_force_simulation() -> None:
    idx, names = pd.Index(["A", "B"]), pd.Index(["Market"])
    fit = FactorFit(
        betas=pd.DataFrame({"Market": [1.2, 0.6]}, index=idx),
        tstats=pd.DataFrame(),
        stderr=pd.DataFrame(),
        r2=pd.Series(),
        resid_vol=pd.Series(),
        alpha=pd.Series(),
        n_obs=pd.Series(),
        resid_var=pd.Series([1e-4, 2e-4], index=idx),
        factor_cov=pd.DataFrame([[1.5e-4]], index=names, columns=names),
        method=FitMethod.OLS,
    )
    e = pd.Series({"A": 1e5, "B": -4e4})
    empty = pd.DataFrame(columns=idx, dtype=float)
    book = _put(200.0, underlying=0)
    got = value_at_risk(e, empty, 1e6, options=book, method="monte_carlo", factor_model=fit, n_paths=40_000)
    # brute force: every asset's return = β f + ε, one χ² draw per path scaling all shocks (multivariate t)
    rng = np.random.default_rng(123)
    n, nu = 100_000, 5.0
    scale = np.sqrt((nu - 2) / rng.chisquare(nu, n))
    f = np.sqrt(1.5e-4) * rng.standard_normal(n) * scale
    r = f[:, None] * [1.2, 0.6] + np.sqrt([1e-4, 2e-4]) * rng.standard_normal((n, 2)) * scale[:, None]
    pnl = r @ e.to_numpy() + book.pnl(r[:, [0]], 1 / 252).sum(axis=1)
    assert got.var("monte_carlo", 0.99, 1) == pytest.approx(-np.quantile(pnl, 0.01), rel=0.05)


def test_a_position_without_history_raises_and_an_unknown_one_too(returns) -> None:
    gappy = returns.assign(E=np.nan)
    with pytest.raises(InsufficientHistory):
        value_at_risk(pd.Series({"E": 1e5}), gappy, 1e6)
    with pytest.raises(UnknownSymbol, match="ZZZ"):
        value_at_risk(pd.Series({"ZZZ": 1e5}), returns, 1e6)


def test_an_empty_column_without_exposure_does_not_matter(returns) -> None:
    e = pd.Series({"A": 1e5})
    plain = value_at_risk(e, returns, 1e6, method=METHODS)
    gappy = value_at_risk(e, returns.assign(E=np.nan), 1e6, method=METHODS)
    pd.testing.assert_frame_equal(plain.table, gappy.table)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1e4, -2e4, 5e5]), min_size=4, max_size=4))
def test_var_is_finite_non_negative_and_zero_for_an_empty_book(returns, sizes) -> None:
    e = pd.Series(sizes, index=returns.columns)
    got = value_at_risk(e, returns, 1e6, method=METHODS, n_paths=2000)
    assert np.isfinite(got.table.to_numpy()).all()
    if not any(sizes):
        assert (got.table[["var", "cvar"]].abs() < 1e-12).all().all()
    else:
        assert (got.table.xs("parametric")["var"] > 0).all()


def _wide_book(seed: int) -> tuple[pd.Series, pd.DataFrame, OptionBook]:
    """Eight columns, half of them unused and gappy; options on a held column and on an unheld one."""
    rng = np.random.default_rng(seed)
    x = 0.01 * rng.standard_normal((150, 8)) + 0.008 * rng.standard_t(5, (150, 1))
    x[: 20 + seed, [1, 4]] = np.nan  # held columns listed late: their dates bound every method
    x[:120, [2, 6]] = np.nan  # unused columns with short histories must not cut the dates
    r = pd.DataFrame(x, index=pd.bdate_range("2021-01-04", periods=150), columns=list("ABCDEFGH"))
    e = pd.Series({"E": 2e5, "B": -1e5, "H": 5e4, "A": 0.0})
    puts = OptionBook(
        np.array([7, 3, 3]),
        np.full(3, 100.0),
        np.array([95.0, 105.0, 90.0]),
        np.full(3, 0.25),
        np.full(3, 0.04),
        np.full(3, 0.3),
        np.array(["put", "call", "put"]),
        np.array([300.0, -200.0, 100.0]),
    )
    return e, r, puts


@pytest.mark.parametrize("seed", [0, 5])
def test_every_method_matches_a_slow_full_width_reference(seed: int) -> None:
    # the reference works on all eight columns (zero exposure where unused), dates where B, D, E, H exist
    e, r, opts = _wide_book(seed)
    got = value_at_risk(e, r, 1e6, options=opts, method=METHODS, horizons=(1,), n_paths=2500, seed=seed)
    x = r.to_numpy()[r[["B", "D", "E", "H"]].notna().all(axis=1).to_numpy()]
    w = np.nan_to_num(e.reindex(r.columns).to_numpy(dtype=float))
    hist = np.nan_to_num(x) @ w + opts.pnl(np.nan_to_num(x)[:, [7, 3, 3]], 1 / 252).sum(axis=1)
    np.testing.assert_allclose(np.sort(got.distributions[("historical", 1)]), np.sort(hist), rtol=1e-12)
    assert got.var("historical", 0.99, 1) == pytest.approx(-np.quantile(hist, 0.01), rel=1e-12)
    delta = w.copy()
    for pos, d in zip([7, 3, 3], opts.delta_exposure(), strict=True):
        delta[pos] += d
    sigma = np.std(np.nan_to_num(x) @ delta, ddof=1)
    assert got.var("parametric", 0.95, 1) == pytest.approx(norm.ppf(0.95) * sigma, rel=1e-12)
    # Monte Carlo: state = [D, H returns, P&L of B and E], covariance from the same dates, same draws
    rest = np.nan_to_num(x) @ np.where(np.isin(np.arange(8), [3, 7]), 0.0, w)
    cov = np.cov(np.column_stack([x[:, [3, 7]], rest]), rowvar=False)
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((2000, 3)) @ np.linalg.cholesky(cov).T
    state = z * np.sqrt(3.0 / rng.chisquare(5.0, 2000))[:, None]
    pnl = state[:, :2] @ w[[3, 7]] + state[:, 2] + opts.pnl(state[:, [1, 0, 0]], 1 / 252).sum(axis=1)
    np.testing.assert_allclose(got.distributions[("monte_carlo", 1)][:2000], pnl, rtol=1e-9, atol=1e-6)
