"""Black–Scholes–Merton prices, Greeks and implied volatility (sigma.instruments.options)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sigma.instruments.options import Greeks, bsm, implied_vol, intrinsic

with warnings.catch_warnings():
    # py_vollib 1.0.12 is a shim over `vollib` that warns on import; it stays the named oracle.
    warnings.simplefilter("ignore", DeprecationWarning)
    from py_vollib.black_scholes_merton import black_scholes_merton as pv_price
    from py_vollib.black_scholes_merton.greeks import analytical as pv_greeks
    from py_vollib.black_scholes_merton.implied_volatility import implied_volatility as pv_implied_vol

GREEK_FIELDS = ("price", "delta", "gamma", "theta_per_day", "vega_per_point", "rho_per_point")

# A small grid: spot, strike, T, r, σ, q, kind (2 × 3 × 3 × 2 × 3 × 2 × 2 = 432 contracts).
GRID = np.array(
    list(
        itertools.product(
            [80.0, 120.0], [70.0, 100.0, 135.0], [0.05, 0.5, 2.0], [0.0, 0.06], [0.08, 0.3, 1.2], [0.0, 0.03], [1, -1]
        )
    )
)
S, K, T, R, VOL, Q, SIGN = GRID.T
KIND = np.where(SIGN > 0, "c", "p")

contract = st.fixed_dictionaries(
    {
        "spot": st.floats(10.0, 1000.0),
        "moneyness": st.floats(0.7, 1.3),
        "t": st.floats(0.05, 3.0),
        "r": st.floats(-0.01, 0.10),
        "vol": st.floats(0.05, 1.5),
        "q": st.floats(0.0, 0.05),
        "kind": st.sampled_from(["call", "put", "C", "p"]),
    }
)


def test_hull_call_and_put_reference_values():
    # S=42, K=40, r=0.10, σ=0.20, T=0.5: d1 = (ln(42/40) + (0.10 + 0.02)·0.5) / (0.2·√0.5) = 0.7693,
    # d2 = 0.6278; K e^{-rT} = 38.049; call = 42·N(0.7693) − 38.049·N(0.6278) = 42·0.7791 − 38.049·0.7349 = 4.76;
    # put = 38.049·N(−0.6278) − 42·N(−0.7693) = 0.81.
    g = bsm(42.0, 40.0, 0.5, 0.10, 0.20, ["call", "put"])
    np.testing.assert_allclose(g.price, [4.76, 0.81], atol=0.005)


def test_hull_greeks_reference_values_in_sigmas_units():
    # S=49, K=50, r=0.05, σ=0.20, T=0.3846: d1 = 0.0542, d2 = −0.0699, n(d1) = 0.3984, K e^{-rT} = 49.048.
    # price = 49·N(d1) − 49.048·N(d2) = 49·0.5216 − 49.048·0.4722 = 2.40; delta = N(d1) = 0.522;
    # gamma = n(d1) / (49·0.2·√0.3846) = 0.066; theta = −49·0.3984·0.2/(2√0.3846) − 0.05·49.048·0.4722
    # = −4.31 per year → −4.31/365 = −0.0118 per day; vega = 49·√0.3846·0.3984 = 12.1 per unit σ → 0.121 per point;
    # rho = 50·0.3846·e^{-rT}·N(d2) = 8.91 per unit r → 0.0891 per point.
    g = bsm(49.0, 50.0, 0.3846, 0.05, 0.20, "call")
    assert g.price == pytest.approx(2.40, abs=0.005)
    assert g.delta == pytest.approx(0.522, abs=5e-4)
    assert g.gamma == pytest.approx(0.066, abs=5e-4)
    assert g.theta_per_day * 365 == pytest.approx(-4.31, abs=0.005)
    assert g.theta_per_day == pytest.approx(-0.0118, abs=5e-5)
    assert g.vega_per_point == pytest.approx(0.121, abs=5e-4)
    assert g.rho_per_point == pytest.approx(0.0891, abs=5e-5)


@pytest.mark.parametrize("q", [0.0, 0.03])
def test_put_call_parity_holds_to_1e_10_on_a_grid(q):
    # c − p = S e^{-qT} − K e^{-rT}
    s, k, t, r, vol = np.meshgrid([50.0, 100.0, 150.0], [60.0, 100.0, 140.0], [0.02, 0.5, 3.0], [0.0, 0.08], [0.1, 0.6])
    call, put = bsm(s, k, t, r, vol, "call", q), bsm(s, k, t, r, vol, "put", q)
    np.testing.assert_allclose(call.price - put.price, s * np.exp(-q * t) - k * np.exp(-r * t), rtol=0, atol=1e-10)
    # and the Greeks' parity: delta_c − delta_p = e^{-qT}; gamma and vega are equal
    np.testing.assert_allclose(call.delta - put.delta, np.exp(-q * t), atol=1e-12)
    np.testing.assert_allclose(call.gamma, put.gamma, rtol=1e-13)
    np.testing.assert_allclose(call.vega_per_point, put.vega_per_point, rtol=1e-13)


def test_price_and_greeks_agree_with_py_vollib_analytical_to_1e_12():
    # py_vollib's analytical Greeks are already in Sigma's units: theta divided by 365 (per calendar day),
    # vega × 0.01 (per vol point), rho × 0.01 (per rate point); delta and gamma per $1. Tolerance: 1e-12
    # absolute, or 1e-12 relative where values exceed 1 (prices up to ~90, annual-scale terms).
    g = bsm(S, K, T, R, VOL, KIND, Q)
    theirs = {
        "price": pv_price,
        "delta": pv_greeks.delta,
        "gamma": pv_greeks.gamma,
        "theta_per_day": pv_greeks.theta,
        "vega_per_point": pv_greeks.vega,
        "rho_per_point": pv_greeks.rho,
    }
    args = list(zip(KIND, S, K, T, R, VOL, Q, strict=True))
    for field, fn in theirs.items():
        expected = np.array([fn(str(f), s, k, t, r, v, q) for f, s, k, t, r, v, q in args], dtype=float)
        np.testing.assert_allclose(getattr(g, field), expected, rtol=1e-12, atol=1e-12, err_msg=field)


def test_greeks_match_central_differences_of_the_price():
    # Independent of any peer: bump each input, h chosen for ~1e-7 accuracy of the difference quotient.
    base = dict(spot=S, strike=K, t_years=T, rate=R, vol=VOL, kind=KIND, dividend_yield=Q)
    g = bsm(**base)

    def bumped(name, h):
        up, down = dict(base), dict(base)
        up[name], down[name] = base[name] + h, base[name] - h
        return (bsm(**up).price - bsm(**down).price) / (2 * h)

    np.testing.assert_allclose(g.delta, bumped("spot", 1e-3), atol=1e-7)
    np.testing.assert_allclose(g.vega_per_point, bumped("vol", 1e-5) / 100, atol=1e-7)
    np.testing.assert_allclose(g.rho_per_point, bumped("rate", 1e-5) / 100, atol=1e-7)
    np.testing.assert_allclose(g.theta_per_day, -bumped("t_years", 1e-6) / 365, atol=1e-6)
    h = 1e-2
    gamma = (bsm(**{**base, "spot": S + h}).delta - bsm(**{**base, "spot": S - h}).delta) / (2 * h)
    np.testing.assert_allclose(g.gamma, gamma, atol=1e-7)


def test_expired_options_are_worth_intrinsic_with_only_a_delta():
    g = bsm([110.0, 90.0, 110.0, 90.0, 100.0], 100.0, [0.0, 0.0, -0.1, 0.0, 0.0], 0.05, 0.3, ["c", "c", "p", "p", "c"])
    np.testing.assert_array_equal(g.price, [10.0, 0.0, 0.0, 10.0, 0.0])
    np.testing.assert_array_equal(g.delta, [1.0, 0.0, 0.0, -1.0, 0.0])
    for field in ("gamma", "theta_per_day", "vega_per_point", "rho_per_point"):
        np.testing.assert_array_equal(getattr(g, field), 0.0)


def test_zero_volatility_gives_the_discounted_intrinsic_value_of_the_forward_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = bsm(100.0, [90.0, 110.0], 1.0, 0.05, 0.0, ["call", "put"], 0.02)
    # call: 100 e^{-0.02} − 90 e^{-0.05} = 98.0199 − 85.6106 = 12.4093; put: 110 e^{-0.05} − 98.0199 = 6.6149
    np.testing.assert_allclose(
        g.price, [100 * np.exp(-0.02) - 90 * np.exp(-0.05), 110 * np.exp(-0.05) - 100 * np.exp(-0.02)]
    )
    np.testing.assert_allclose(g.delta, [np.exp(-0.02), -np.exp(-0.02)])
    np.testing.assert_array_equal(g.gamma, 0.0)
    np.testing.assert_array_equal(g.vega_per_point, 0.0)
    # and it is the limit of small volatilities
    np.testing.assert_allclose(g.price, bsm(100.0, [90.0, 110.0], 1.0, 0.05, 1e-4, ["call", "put"], 0.02).price)


def test_a_bad_kind_raises_a_value_error_naming_it():
    with pytest.raises(ValueError, match="straddle"):
        bsm(100.0, 100.0, 1.0, 0.05, 0.2, "straddle")
    with pytest.raises(ValueError, match="cal"):
        implied_vol(10.0, 100.0, 100.0, 1.0, 0.05, ["call", "cal"])


def test_kinds_are_case_insensitive_and_accept_short_forms():
    g = bsm(100.0, 100.0, 1.0, 0.05, 0.2, ["call", "CALL", "c", "C", "put", "Put", "p", "P"])
    assert np.all(g.price[:4] == g.price[0]) and np.all(g.price[4:] == g.price[4])
    assert g.price[0] != g.price[4]


def test_arguments_broadcast_and_scalars_give_0_d_results():
    g = bsm(np.array([[90.0], [100.0], [110.0]]), np.array([95.0, 105.0]), 0.5, 0.03, 0.25, "put")
    assert all(getattr(g, f).shape == (3, 2) for f in GREEK_FIELDS)
    g = bsm(100.0, 100.0, 0.5, 0.03, 0.25, np.array(["c", "p", "c", "p"]))
    assert all(getattr(g, f).shape == (4,) for f in GREEK_FIELDS)
    scalar = bsm(100.0, 100.0, 0.5, 0.03, 0.25, "c")
    assert isinstance(scalar, Greeks) and np.ndim(scalar.price) == 0 and np.ndim(scalar.gamma) == 0
    assert np.ndim(implied_vol(8.0, 100.0, 100.0, 0.5, 0.03, "c")) == 0
    assert implied_vol(np.full((2, 3), 8.0), 100.0, 100.0, 0.5, 0.03, "c").shape == (2, 3)


def test_intrinsic_value_of_calls_and_puts():
    np.testing.assert_array_equal(intrinsic([110.0, 90.0], 100.0, ["call", "call"]), [10.0, 0.0])
    np.testing.assert_array_equal(intrinsic([110.0, 90.0], 100.0, "put"), [0.0, 10.0])


def test_implied_vol_round_trips_a_grid_of_mixed_kinds_and_agrees_with_py_vollib():
    g = bsm(S, K, T, R, VOL, KIND, Q)
    iv = implied_vol(g.price, S, K, T, R, KIND, Q)
    well = g.vega_per_point > 1e-4 * S  # where the price pins down σ
    assert well.sum() > 250
    np.testing.assert_allclose(iv[well], VOL[well], rtol=0, atol=1e-10)
    # py_vollib (Jäckel's "Let's be rational") on the same prices: same root to 1e-10
    rows = zip(g.price[well], S[well], K[well], T[well], R[well], Q[well], KIND[well], strict=True)
    theirs = np.array([pv_implied_vol(p, s, k, t, r, q, f) for p, s, k, t, r, q, f in rows])
    np.testing.assert_allclose(iv[well], theirs, rtol=0, atol=1e-10)
    # elsewhere σ may be unidentifiable, but any σ returned reprices the option
    found = ~np.isnan(iv)
    assert found[well].all()
    repriced = bsm(S[found], K[found], T[found], R[found], iv[found], KIND[found], Q[found]).price
    np.testing.assert_allclose(repriced, g.price[found], rtol=1e-12, atol=1e-12)


def test_implied_vol_is_nan_not_zero_outside_the_no_arbitrage_bounds():
    s, k, t, r, q = 100.0, 90.0, 1.0, 0.05, 0.02
    lower_call = s * np.exp(-q * t) - k * np.exp(-r * t)  # 12.409: discounted intrinsic of the forward
    prices = [lower_call - 0.01, lower_call, 0.0, -1.0, s * np.exp(-q * t), 200.0, np.nan]
    iv = implied_vol(prices, s, k, t, r, "call", q)
    assert np.isnan(iv).all()
    # puts: lower bound 0 out of the money, upper bound K e^{-rT}
    assert np.isnan(implied_vol([0.0, k * np.exp(-r * t)], s, k, t, r, "put", q)).all()
    # expired, and a volatility beyond 5 (price just under the upper bound)
    assert np.isnan(implied_vol(5.0, s, k, 0.0, r, "call", q))
    assert np.isnan(implied_vol(bsm(s, k, t, r, 6.0, "call", q).price, s, k, t, r, "call", q))


def test_implied_vol_finds_volatilities_near_the_ends_of_the_bracket():
    iv = implied_vol(bsm(100.0, 100.0, 1.0, 0.0, [0.001, 4.5], "call").price, 100.0, 100.0, 1.0, 0.0, "call")
    np.testing.assert_allclose(iv, [0.001, 4.5], atol=1e-10)


@settings(max_examples=80, deadline=None)
@given(contract)
def test_greeks_stay_within_their_bounds_and_prices_within_no_arbitrage_bounds(c):
    s, k = c["spot"], c["spot"] * c["moneyness"]
    g = bsm(s, k, c["t"], c["r"], c["vol"], c["kind"], c["q"])
    fwd_spot, disc_strike = s * np.exp(-c["q"] * c["t"]), k * np.exp(-c["r"] * c["t"])
    slack = 1e-12 * s
    if c["kind"].lower().startswith("c"):
        assert 0.0 <= g.delta <= np.exp(-c["q"] * c["t"])
        assert max(fwd_spot - disc_strike, 0.0) - slack <= g.price <= fwd_spot + slack
    else:
        assert -np.exp(-c["q"] * c["t"]) <= g.delta <= 0.0
        assert max(disc_strike - fwd_spot, 0.0) - slack <= g.price <= disc_strike + slack
    assert g.gamma >= 0.0 and g.vega_per_point >= 0.0


@settings(max_examples=80, deadline=None)
@given(contract)
def test_implied_vol_round_trips_within_1e_10_on_well_conditioned_contracts(c):
    s, k = c["spot"], c["spot"] * c["moneyness"]
    g = bsm(s, k, c["t"], c["r"], c["vol"], c["kind"], c["q"])
    assume(g.vega_per_point > 1e-4 * s)
    assert abs(implied_vol(g.price, s, k, c["t"], c["r"], c["kind"], c["q"]) - c["vol"]) < 1e-10


@settings(max_examples=50, deadline=None)
@given(contract, st.floats(1e-6, 0.5))
def test_implied_vol_is_nan_below_the_discounted_intrinsic_value(c, shortfall):
    s, k = c["spot"], c["spot"] * c["moneyness"]
    sign = 1.0 if c["kind"].lower().startswith("c") else -1.0
    lower = max(sign * (s * np.exp(-c["q"] * c["t"]) - k * np.exp(-c["r"] * c["t"])), 0.0)
    iv = implied_vol([lower - shortfall * s, lower], s, k, c["t"], c["r"], c["kind"], c["q"])
    assert np.isnan(iv).all()
