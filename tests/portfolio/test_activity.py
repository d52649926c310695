"""Activity feed: constructed moves, spikes, entries/exits, targets, expiries and stale prices; sentences
without a repeated symbol, percentages that never round a real move to 0.0 %, and the named period."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sigma.portfolio.activity import (
    ActivityInputs,
    ActivityKind,
    Severity,
    activity_feed,
    activity_period,
    big_moves,
    percent,
    vol_spikes,
)

DATES = pd.bdate_range("2024-01-01", periods=320)
AS_OF = DATES[-1].date()  # 2025-03-21, a Friday
PERIOD = activity_period(DATES, AS_OF, 7)


def _alternating(n: int, size: float) -> np.ndarray:
    """±size alternating returns: std (ddof=1) of 60 of them is size × √(60/59)."""
    return size * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


def _returns(last_aaa: float) -> pd.DataFrame:
    r = pd.DataFrame({"AAA": _alternating(len(DATES), 0.01), "BBB": _alternating(len(DATES), 0.02)}, index=DATES)
    r.iloc[-1, 0] = last_aaa
    return r


def _positions() -> pd.DataFrame:
    base = {"underlying": None, "expiry": None, "exit_date": None, "entry_date": date(2024, 6, 3)}
    return pd.DataFrame(
        [
            {**base, "id": 1, "symbol": "AAA", "position_type": "LONG", "quantity": 100},
            {**base, "id": 2, "symbol": "BBB", "position_type": "SHORT", "quantity": 50},
            {
                **base,
                "id": 3,
                "symbol": "AAA C",
                "position_type": "LC",
                "quantity": 2,
                "underlying": "AAA",
                "expiry": AS_OF + timedelta(days=5),
            },
            {
                **base,
                "id": 4,
                "symbol": "CCC",
                "position_type": "LONG",
                "quantity": 10,
                "entry_date": AS_OF - timedelta(2),
            },
            {
                **base,
                "id": 5,
                "symbol": "DDD",
                "position_type": "LONG",
                "quantity": 10,
                "exit_date": AS_OF - timedelta(3),
            },
            {
                **base,
                "id": 6,
                "symbol": "EEE P",
                "position_type": "LP",
                "quantity": 1,
                "underlying": "EEE",
                "expiry": AS_OF + timedelta(days=30),
            },
        ]
    )


def _kinds(items: list, kind: ActivityKind) -> list:
    return [it for it in items if it.kind is kind]


def test_a_three_sigma_move_is_reported_as_a_warning() -> None:
    # trailing σ ≈ 1 % (alternating ±1 %); a +3.5 % day is a 3.5σ move
    items = big_moves(_returns(0.035), PERIOD)
    assert [(it.symbol, it.date, it.severity) for it in items] == [("AAA", AS_OF, Severity.WARNING)]
    # σ = 0.01 × √(60/59) = 1.0084 %: 0.035 / 0.010084 = 3.47σ
    assert items[0].message == "rose 3.5%, a 3.5σ move against its daily vol of 1.0%"
    assert items[0].sentence == "AAA rose 3.5%, a 3.5σ move against its daily vol of 1.0%"


def test_a_two_sigma_move_of_a_cash_like_fund_is_shown_with_enough_digits_not_as_zero() -> None:
    # ±0.01 % a day (σ = 0.01 % × √(60/59) = 0.010084 %); +0.025 % is 0.025 / 0.010084 = 2.48σ
    r = pd.DataFrame({"SGOV": _alternating(len(DATES), 0.0001)}, index=DATES)
    r.iloc[-1, 0] = 0.00025
    (item,) = big_moves(r, PERIOD)
    assert item.sentence == "SGOV rose 0.025%, a 2.5σ move against its daily vol of 0.010%"
    assert item.severity is Severity.INFO


@pytest.mark.parametrize(
    ("fraction", "shown"),
    [(0.041, "4.1%"), (-0.041, "4.1%"), (0.01, "1.0%"), (0.0035, "0.35%"), (0.00024, "0.024%"), (0.0, "0.0%")],
)
def test_percent_shows_one_decimal_from_one_percent_and_two_significant_digits_below(
    fraction: float, shown: str
) -> None:
    assert percent(fraction) == shown


@given(st.floats(1e-7, 0.5))
def test_a_nonzero_move_never_shows_as_zero_and_is_within_half_a_last_digit(fraction: float) -> None:
    shown = percent(fraction)
    value = float(shown.rstrip("%"))
    assert value > 0
    # two significant digits (or one decimal from 1 %): relative error ≤ 5 %
    assert value == pytest.approx(fraction * 100, rel=0.051)


def test_a_one_sigma_move_is_not_reported() -> None:
    assert big_moves(_returns(0.01), PERIOD) == []


def test_a_move_outside_the_window_is_not_reported() -> None:
    r = _returns(0.01)
    r.iloc[-10, 0] = 0.05  # two weeks ago
    assert big_moves(r, PERIOD) == []
    assert len(big_moves(r, activity_period(DATES, AS_OF, 30))) == 1


def test_a_volatility_spike_is_reported_once_per_symbol() -> None:
    r = _returns(0.01)
    r.iloc[-20:, 1] = _alternating(20, 0.05)  # BBB 20-day vol 2.5× its usual ±2 %
    items = vol_spikes(r, PERIOD)
    assert [(it.symbol, it.date) for it in items] == [("BBB", AS_OF)]
    # 20-day vol: 0.05 × √(20/19) × √252 = 81.4 %; median 0.02 × √(20/19) × √252 = 32.6 %; ratio 2.5
    assert items[0].sentence == ("BBB has a 20-day volatility of 81.4% a year, 2.5× its one-year median of 32.6%")


def test_the_feed_reports_every_kind_newest_first() -> None:
    inputs = ActivityInputs(
        returns=_returns(-0.04),
        positions=_positions(),
        prices=pd.Series({"AAA": 120.0, "BBB": 30.0}),
        targets=pd.Series({1: 115.0, 2: 35.0}),
        last_price_dates=pd.Series({"AAA": AS_OF, "EEE": AS_OF - timedelta(days=10)}),
        contributions=pd.Series({"AAA": 1_500.0, "BBB": -300.0, "CCC": 20.0}),
        contributions_since=date(2025, 2, 20),
    )
    items = activity_feed(inputs, AS_OF, top_n=1)
    dates = [it.date for it in items]
    assert dates == sorted(dates, reverse=True)
    assert [it.symbol for it in _kinds(items, ActivityKind.BIG_MOVE)] == ["AAA"]
    # −4 % against σ = 1.0084 %: 3.97σ
    assert (
        _kinds(items, ActivityKind.BIG_MOVE)[0].sentence == "AAA fell 4.0%, a 4.0σ move against its daily vol of 1.0%"
    )
    expiring = _kinds(items, ActivityKind.EXPIRING)
    assert [it.symbol for it in expiring] == ["AAA C"]  # the put expires in 30 days
    assert expiring[0].sentence == "AAA C expires on 2025-03-26, in 5 days"
    assert [it.sentence for it in _kinds(items, ActivityKind.OPENED)] == ["CCC was opened (LONG 10)"]
    assert [it.sentence for it in _kinds(items, ActivityKind.CLOSED)] == ["DDD was closed (LONG 10)"]
    # AAA long 120 ≥ 115 reached; BBB short 30 ≤ 35 reached
    assert sorted(it.sentence for it in _kinds(items, ActivityKind.TARGET_REACHED)) == [
        "AAA reached its target of 115.00: it is at 120.00",
        "BBB reached its target of 35.00: it is at 30.00",
    ]
    assert [it.sentence for it in _kinds(items, ActivityKind.TOP_CONTRIBUTOR)] == ["AAA added $1,500 since 2025-02-20"]
    assert [it.sentence for it in _kinds(items, ActivityKind.TOP_DETRACTOR)] == ["BBB cost $300 since 2025-02-20"]
    assert [it.sentence for it in _kinds(items, ActivityKind.STALE_PRICE)] == [
        "EEE was last priced 10 days ago; run: python -m jobs run market_data"
    ]
    for item in items:  # the symbol is the subject, said once: the page draws it beside the message
        assert item.symbol not in item.message and item.sentence.count(item.symbol) == 1
        assert item.period == PERIOD


def test_the_feed_names_its_period_in_trading_days() -> None:
    # (2025-03-14, 2025-03-21]: Mon 17 … Fri 21 are the window's trading days
    assert (PERIOD.start, PERIOD.end, PERIOD.trading_days) == (date(2025, 3, 17), AS_OF, 5)
    assert PERIOD.label == "last 5 trading days (2025-03-17 to 2025-03-21)"
    # 30 calendar days back to 2025-02-19 (excluded): Feb 20 … Mar 21 is 22 business days
    assert activity_period(DATES, AS_OF, 30).label == "last 22 trading days (2025-02-20 to 2025-03-21)"
    # without returns, business days stand in: one day on a Friday → 1 trading day
    assert activity_period(pd.DatetimeIndex([]), AS_OF, 1).label == "last 1 trading day (2025-03-21 to 2025-03-21)"


def test_contributors_without_a_window_start_say_it_is_the_attribution_window() -> None:
    inputs = ActivityInputs(returns=_returns(0.0), positions=_positions(), contributions=pd.Series({"AAA": 10.0}))
    (item,) = _kinds(activity_feed(inputs, AS_OF), ActivityKind.TOP_CONTRIBUTOR)
    assert item.sentence == "AAA added $10 over the attribution window"


def test_a_target_not_reached_and_a_closed_position_raise_nothing() -> None:
    positions = _positions()
    inputs = ActivityInputs(
        returns=_returns(0.0),
        positions=positions,
        prices=pd.Series({"AAA": 100.0, "DDD": 99.0}),
        targets=pd.Series({1: 115.0, 5: 50.0}),
    )
    assert _kinds(activity_feed(inputs, AS_OF), ActivityKind.TARGET_REACHED) == []


@pytest.mark.parametrize(("days_left", "reported"), [(0, True), (7, True), (8, False)])
def test_expiring_window_is_seven_calendar_days(days_left: int, reported: bool) -> None:
    positions = _positions().assign(expiry=lambda f: f["expiry"].where(f["id"] != 3, AS_OF + timedelta(days_left)))
    items = activity_feed(ActivityInputs(returns=_returns(0.0), positions=positions), AS_OF)
    assert bool(_kinds(items, ActivityKind.EXPIRING)) is reported
