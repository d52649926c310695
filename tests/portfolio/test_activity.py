"""Activity feed: constructed moves, spikes, entries/exits, targets, expiries and stale prices."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from sigma.portfolio.activity import ActivityInputs, ActivityKind, Severity, activity_feed, big_moves, vol_spikes

DATES = pd.bdate_range("2024-01-01", periods=320)
AS_OF = DATES[-1].date()  # 2025-03-21, a Friday


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
    items = big_moves(_returns(0.035), AS_OF, 7)
    assert [(it.symbol, it.date, it.severity) for it in items] == [("AAA", AS_OF, Severity.WARNING)]
    assert "rose 3.5%" in items[0].message and "3.5σ" in items[0].message  # 0.035 / (0.01 × √(60/59)) = 3.47


def test_a_one_sigma_move_is_not_reported() -> None:
    assert big_moves(_returns(0.01), AS_OF, 7) == []


def test_a_move_outside_the_window_is_not_reported() -> None:
    r = _returns(0.01)
    r.iloc[-10, 0] = 0.05  # two weeks ago
    assert big_moves(r, AS_OF, 7) == []
    assert len(big_moves(r, AS_OF, 30)) == 1


def test_a_volatility_spike_is_reported_once_per_symbol() -> None:
    r = _returns(0.01)
    r.iloc[-20:, 1] = _alternating(20, 0.05)  # BBB 20-day vol 2.5× its usual ±2 %
    items = vol_spikes(r, AS_OF, 7)
    assert [(it.symbol, it.date) for it in items] == [("BBB", AS_OF)]
    assert "2.5×" in items[0].message


def test_the_feed_reports_every_kind_newest_first() -> None:
    inputs = ActivityInputs(
        returns=_returns(-0.04),
        positions=_positions(),
        prices=pd.Series({"AAA": 120.0, "BBB": 30.0}),
        targets=pd.Series({1: 115.0, 2: 35.0}),
        last_price_dates=pd.Series({"AAA": AS_OF, "EEE": AS_OF - timedelta(days=10)}),
        contributions=pd.Series({"AAA": 1_500.0, "BBB": -300.0, "CCC": 20.0}),
    )
    items = activity_feed(inputs, AS_OF, top_n=1)
    dates = [it.date for it in items]
    assert dates == sorted(dates, reverse=True)
    assert [it.symbol for it in _kinds(items, ActivityKind.BIG_MOVE)] == ["AAA"]
    assert "fell 4.0%" in _kinds(items, ActivityKind.BIG_MOVE)[0].message
    expiring = _kinds(items, ActivityKind.EXPIRING)
    assert [it.symbol for it in expiring] == ["AAA C"]  # the put expires in 30 days
    assert "in 5 days" in expiring[0].message
    assert [it.symbol for it in _kinds(items, ActivityKind.OPENED)] == ["CCC"]
    assert [it.symbol for it in _kinds(items, ActivityKind.CLOSED)] == ["DDD"]
    # AAA long 120 ≥ 115 reached; BBB short 30 ≤ 35 reached
    assert sorted(it.symbol for it in _kinds(items, ActivityKind.TARGET_REACHED)) == ["AAA", "BBB"]
    assert [it.symbol for it in _kinds(items, ActivityKind.TOP_CONTRIBUTOR)] == ["AAA"]
    assert "$1,500" in _kinds(items, ActivityKind.TOP_CONTRIBUTOR)[0].message
    assert [it.symbol for it in _kinds(items, ActivityKind.TOP_DETRACTOR)] == ["BBB"]
    assert [it.symbol for it in _kinds(items, ActivityKind.STALE_PRICE)] == ["EEE"]


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
