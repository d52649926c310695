"""Valuation: reference book worked by hand, BSM agreement with py_vollib, invariants, properties."""

from __future__ import annotations

import warnings
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.errors import UnknownSymbol
from sigma.portfolio.exposure import exposure_by
from sigma.portfolio.option_vol import VOL_FLOOR, VolSource
from sigma.portfolio.option_vol import trailing_vol as realized_vol
from sigma.portfolio.valuation import MarketInputs, rate_from_yield, value_book
from sigma.risk.concentration import concentration

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from py_vollib.black_scholes_merton import black_scholes_merton as vollib_price
    from py_vollib.black_scholes_merton.greeks.analytical import delta as vollib_delta

AS_OF = date(2025, 3, 3)
EXPIRY = AS_OF + timedelta(days=73)  # T = 73 / 365 = 0.2 years exactly
RATE, VOL = 0.05, 0.25


def _row(id_: int, symbol: str, kind: str, qty: float, entry: float, **extra: object) -> dict[str, object]:
    return {
        "id": id_,
        "symbol": symbol,
        "position_type": kind,
        "quantity": qty,
        "entry_price": entry,
        "entry_date": date(2025, 1, 2),
        "underlying": None,
        "strike": np.nan,
        "expiry": None,
        "multiplier": 1.0,
        "exit_date": None,
        "exit_price": np.nan,
        **extra,
    }


def reference_book() -> pd.DataFrame:
    """100 AAPL long at 150, 50 XYZ short at 40, 2 long AAPL 160 calls bought at 12."""
    return pd.DataFrame(
        [
            _row(1, "AAPL", "LONG", 100, 150.0, sector="Information Technology", tags=["core", "tech"]),
            _row(2, "XYZ", "SHORT", 50, 40.0, sector="Industrials", tags=["hedge"]),
            _row(
                3,
                "AAPL 160C",
                "LC",
                2,
                12.0,
                underlying="AAPL",
                strike=160.0,
                expiry=EXPIRY,
                multiplier=100.0,
                sector="Information Technology",
                tags=["tech"],
            ),
        ]
    )


def reference_market(**overrides: object) -> MarketInputs:
    base: dict[str, object] = {
        "prices": pd.Series({"AAPL": 170.0, "XYZ": 30.0}),
        "prev_prices": pd.Series({"AAPL": 168.0, "XYZ": 31.0}),
        "as_of": AS_OF,
        "rate": RATE,
        "vols": pd.Series({"AAPL": VOL, "XYZ": 0.30}),
    }
    return MarketInputs(**{**base, **overrides})  # type: ignore[arg-type]


def test_reference_book_values_worked_by_hand() -> None:
    val = value_book(reference_book(), reference_market(), cash=10_000.0)
    pos = val.positions
    call = vollib_price("c", 170.0, 160.0, 0.2, RATE, VOL, 0.0)  # 14.5278 (S=170, K=160, T=0.2, r=5 %, σ=25 %)
    delta = vollib_delta("c", 170.0, 160.0, 0.2, RATE, VOL, 0.0)  # 0.75414
    # AAPL: MV = 100 × 170 = 17,000; unrealized = 100 × (170 − 150) = 2,000; day = 100 × (170 − 168) = 200
    assert pos.loc[1, ["market_value", "unrealized_pnl", "day_pnl", "exposure"]].tolist() == [
        17_000,
        2_000,
        200,
        17_000,
    ]
    # XYZ short: MV = −50 × 30 = −1,500; unrealized = −50 × (30 − 40) = +500; day = −50 × (30 − 31) = +50
    assert pos.loc[2, ["market_value", "unrealized_pnl", "day_pnl", "exposure"]].tolist() == [-1_500, 500, 50, -1_500]
    # Call: MV = 2 × 100 × C; exposure = 2 × 100 × Δ × 170; unrealized = 2 × 100 × (C − 12)
    assert pos.loc[3, "market_value"] == pytest.approx(200 * call, abs=1e-6)  # py_vollib agrees to 1e-6 $
    assert pos.loc[3, "exposure"] == pytest.approx(200 * delta * 170.0, abs=1e-6)
    assert pos.loc[3, "unrealized_pnl"] == pytest.approx(200 * (call - 12.0), abs=1e-6)
    assert pos.loc[3, "vol_source"] == VolSource.REALIZED
    # NAV = 10,000 + 17,000 − 1,500 + 200 C; long = 17,000 + 200 Δ 170; short = −1,500
    assert val.nav == pytest.approx(25_500 + 200 * call)
    assert val.long == pytest.approx(17_000 + 34_000 * delta)
    assert val.short == pytest.approx(-1_500)
    assert val.gross == pytest.approx(val.long + 1_500)
    assert val.net == pytest.approx(val.long - 1_500)
    assert pos.loc[1, "weight"] == pytest.approx(17_000 / val.nav)
    assert val.delta_dollars == pytest.approx(val.net)  # stock dollar delta is its MV


def test_book_invariants_hold() -> None:
    val = value_book(reference_book(), reference_market(), cash=2_500.0)
    assert val.nav == pytest.approx(val.cash + val.positions["market_value"].sum())
    assert val.gross >= abs(val.net)
    assert val.unrealized_pnl == pytest.approx(val.positions["market_value"].sum() - val.positions["cost_basis"].sum())


def test_weights_of_a_long_only_stock_book_without_cash_sum_to_one() -> None:
    book = reference_book().iloc[[0]]
    val = value_book(pd.concat([book, book.assign(id=9, symbol="XYZ", position_type="LONG")]), reference_market())
    assert val.positions["weight"].sum() == pytest.approx(1.0)


def test_option_exposure_is_delta_times_spot_times_hundred() -> None:
    val = value_book(reference_book().iloc[[2]], reference_market())
    pos = val.positions.loc[3]
    assert pos["exposure"] == pytest.approx(pos["delta"] * 170.0)
    assert pos["delta"] / 200 == pytest.approx(vollib_delta("c", 170.0, 160.0, 0.2, RATE, VOL, 0.0), abs=1e-9)
    assert pos["dollar_gamma"] == pytest.approx(pos["gamma"] * 170.0**2 / 100)


def test_short_put_has_positive_delta_and_negative_market_value() -> None:
    book = reference_book().iloc[[2]].assign(position_type="SP")
    pos = value_book(book, reference_market()).positions.loc[3]
    put = vollib_price("p", 170.0, 160.0, 0.2, RATE, VOL, 0.0)
    assert pos["market_value"] == pytest.approx(-200 * put, abs=1e-6)
    assert pos["delta"] > 0
    assert pos["theta"] > 0  # the writer earns the decay


def test_expired_option_is_worth_intrinsic_flagged_and_has_no_greeks() -> None:
    book = reference_book().iloc[[2]].assign(expiry=AS_OF - timedelta(days=3))
    val = value_book(book, reference_market())
    pos = val.positions.loc[3]
    assert pos["expired"]
    assert pos["price"] == pytest.approx(10.0)  # max(170 − 160, 0)
    assert pos["market_value"] == pytest.approx(2 * 100 * 10.0)
    assert (pos[["delta", "gamma", "theta", "vega", "exposure"]] == 0).all()


def test_implied_vol_is_used_when_a_market_premium_is_given() -> None:
    premium = vollib_price("c", 170.0, 160.0, 0.2, RATE, 0.40, 0.0)
    val = value_book(reference_book(), reference_market(option_prices=pd.Series({3: premium})))
    pos = val.positions.loc[3]
    assert pos["vol_source"] == VolSource.IMPLIED
    assert pos["vol"] == pytest.approx(0.40, abs=1e-8)
    assert pos["price"] == pytest.approx(premium, abs=1e-8)


def test_missing_or_tiny_vol_falls_back_to_the_floor_and_says_so() -> None:
    val = value_book(reference_book(), reference_market(vols=pd.Series({"AAPL": 0.01})))
    assert val.positions.loc[3, "vol"] == VOL_FLOOR
    assert val.positions.loc[3, "vol_source"] == VolSource.FLOOR


def test_closed_position_carries_only_realized_pnl() -> None:
    book = reference_book()
    book.loc[0, ["exit_date", "exit_price"]] = [date(2025, 2, 14), 165.0]
    val = value_book(book, reference_market(), cash=0.0)
    pos = val.positions.loc[1]
    assert pos["realized_pnl"] == pytest.approx(100 * (165.0 - 150.0))  # 1,500
    assert pos["market_value"] == 0 and pos["exposure"] == 0 and pos["unrealized_pnl"] == 0
    assert val.realized_pnl == pytest.approx(1_500.0)
    assert val.nav == pytest.approx(val.positions.loc[[2, 3], "market_value"].sum())


def test_position_opened_today_measures_day_pnl_from_its_entry_price() -> None:
    book = reference_book().iloc[[0]].assign(entry_date=AS_OF, entry_price=169.0)
    assert value_book(book, reference_market()).day_pnl == pytest.approx(100.0)  # 100 × (170 − 169)


def test_missing_price_names_the_symbol() -> None:
    with pytest.raises(UnknownSymbol, match="XYZ"):
        value_book(reference_book(), reference_market(prices=pd.Series({"AAPL": 170.0})))


def test_exposure_by_sector_and_by_exploded_tags() -> None:
    val = value_book(reference_book(), reference_market())
    by_sector = exposure_by(val.positions, "sector")
    tech = val.positions.loc[[1, 3], "exposure"].sum()
    assert by_sector.loc["Information Technology", "net"] == pytest.approx(tech)
    assert by_sector.loc["Industrials", "short"] == pytest.approx(-1_500.0)
    by_tag = exposure_by(val.positions, "tags")
    assert by_tag.loc["tech", "gross"] == pytest.approx(tech)  # AAPL and the call are both "tech"
    assert by_tag.loc["core", "gross"] == pytest.approx(17_000.0)
    assert by_sector["share_of_gross"].sum() == pytest.approx(1.0)


def test_rate_from_yield_is_continuous_compounding() -> None:
    assert rate_from_yield(5.0) == pytest.approx(np.log(1.05))  # ln(1 + 5/100) = 0.048790
    assert rate_from_yield(0.0) == 0.0


def test_realized_vol_uses_the_last_thirty_returns_and_the_floor() -> None:
    rng = np.random.default_rng(0)
    returns = rng.normal(0, 0.02, 60)
    close = pd.DataFrame({"A": 100 * np.cumprod(1 + returns), "FLAT": 100.0})
    vol = realized_vol(close)
    assert vol["A"] == pytest.approx(np.std(returns[-30:], ddof=1) * np.sqrt(252))
    assert vol["FLAT"] == VOL_FLOOR


@settings(max_examples=10, deadline=None)
@given(k=st.floats(0.01, 1_000.0))
def test_scaling_quantities_and_cash_scales_nav_and_exposures_but_not_weights(k: float) -> None:
    base = value_book(reference_book(), reference_market(), cash=5_000.0)
    scaled = value_book(
        reference_book().assign(quantity=lambda f: f["quantity"] * k), reference_market(), cash=5_000.0 * k
    )
    for name in ("nav", "long", "short", "gross", "net", "day_pnl", "vega_dollars"):
        assert getattr(scaled, name) == pytest.approx(k * getattr(base, name), rel=1e-9)
    np.testing.assert_allclose(scaled.positions["weight"], base.positions["weight"], rtol=1e-9)
    hhi = concentration(base.positions["exposure"]).hhi
    assert concentration(scaled.positions["exposure"]).hhi == pytest.approx(hhi, rel=1e-9)  # health input unchanged
