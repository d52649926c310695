"""History: TWR and drawdown by hand, empyrical agreement, and the vectorised backfill vs a per-date loop."""

from __future__ import annotations

from datetime import date

import empyrical
import numpy as np
import pandas as pd
import pytest

from sigma.errors import UnknownSymbol
from sigma.portfolio.history import benchmark_curve, equity_curve, nav_history, position_snapshots
from sigma.portfolio.option_vol import trailing_vol as realized_vol
from sigma.portfolio.valuation import MarketInputs, value_book


def _snapshots(navs: list[float], flows: list[float]) -> pd.DataFrame:
    dates = pd.bdate_range("2025-01-06", periods=len(navs)).date
    return pd.DataFrame({"date": dates, "nav": navs, "flows": flows})


def test_a_deposit_does_not_change_the_return() -> None:
    # day 2: NAV 100 → 110 of which 10 is a deposit: (110 − 10) / 100 − 1 = 0
    # day 3: 110 → 121 with no flow: 121 / 110 − 1 = +10 %
    curve = equity_curve(_snapshots([100.0, 110.0, 121.0], [0.0, 10.0, 0.0]))
    np.testing.assert_allclose(curve["return"], [0.0, 0.0, 0.10])
    assert curve["cumulative_return"].iloc[-1] == pytest.approx(0.10)


def test_a_withdrawal_does_not_change_the_return() -> None:
    # day 2: 100 → 60 after withdrawing 50: (60 − (−50)) / 100 − 1 = +10 %
    curve = equity_curve(_snapshots([100.0, 60.0], [0.0, -50.0]))
    assert curve["return"].iloc[1] == pytest.approx(0.10)


def test_drawdown_reference_value() -> None:
    # wealth 1 → 1.10 → 0.825: 0.825 / 1.10 − 1 = −25 %
    curve = equity_curve(_snapshots([100.0, 110.0, 82.5], [0.0, 0.0, 0.0]))
    np.testing.assert_allclose(curve["drawdown"], [0.0, 0.0, -0.25])


def test_benchmark_max_drawdown_agrees_with_empyrical() -> None:
    rng = np.random.default_rng(3)
    close = pd.Series(100 * np.cumprod(1 + rng.normal(0, 0.01, 200)), index=pd.bdate_range("2024-01-01", periods=200))
    curve = benchmark_curve(close, date(2024, 2, 1))
    assert curve["wealth"].iloc[0] == 1.0
    assert curve.index[0] == pd.Timestamp("2024-02-01")
    # empyrical.max_drawdown on the same returns; same definition, tolerance 1e-12
    assert curve["drawdown"].min() == pytest.approx(empyrical.max_drawdown(curve["return"].iloc[1:]), abs=1e-12)


# --- backfill -------------------------------------------------------------------------------

DATES = pd.bdate_range("2025-01-01", periods=70)


def _close() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    paths = 100 * np.cumprod(1 + rng.normal(0, 0.015, (len(DATES), 3)), axis=0)
    return pd.DataFrame(paths, index=DATES, columns=["AAA", "BBB", "CCC"])


def _book() -> pd.DataFrame:
    d = [x.date() for x in DATES]
    base = {
        "underlying": None,
        "strike": np.nan,
        "expiry": None,
        "multiplier": 1.0,
        "exit_date": None,
        "exit_price": np.nan,
    }
    return pd.DataFrame(
        [
            {
                **base,
                "id": 1,
                "symbol": "AAA",
                "position_type": "LONG",
                "quantity": 10,
                "entry_price": 95.0,
                "entry_date": d[40],
            },
            {
                **base,
                "id": 2,
                "symbol": "BBB",
                "position_type": "SHORT",
                "quantity": 5,
                "entry_price": 101.0,
                "entry_date": d[42],
                "exit_date": d[60],
                "exit_price": 99.0,
            },
            {
                **base,
                "id": 3,
                "symbol": "AAA C",
                "position_type": "LC",
                "quantity": 2,
                "entry_price": 4.0,
                "entry_date": d[45],
                "underlying": "AAA",
                "strike": 100.0,
                "expiry": d[65],
                "multiplier": 100.0,
            },
            {
                **base,
                "id": 4,
                "symbol": "CCC P",
                "position_type": "SP",
                "quantity": 1,
                "entry_price": 3.0,
                "entry_date": d[41],
                "underlying": "CCC",
                "strike": 98.0,
                "expiry": d[55],
                "multiplier": 100.0,
            },
        ]
    )


def _reference_row(book: pd.DataFrame, close: pd.DataFrame, i: int, cash: float, rate: float) -> pd.Series:
    """The slow obvious oracle: value_book on one date with the same inputs."""
    as_of = DATES[i].date()
    market = MarketInputs(
        prices=close.iloc[i],
        prev_prices=close.iloc[i - 1],
        as_of=as_of,
        rate=rate,
        vols=realized_vol(close.iloc[: i + 1]),
    )
    val = value_book(book, market, cash=cash)
    return pd.Series(
        {
            "nav": val.nav,
            "market_value": val.market_value,
            "long_exposure": val.long,
            "short_exposure": val.short,
            "gross_exposure": val.gross,
            "net_exposure": val.net,
            "unrealized_pnl": val.unrealized_pnl,
            "theta_dollars": val.theta_dollars,
            "vega_dollars": val.vega_dollars,
            "gamma_dollars": val.gamma_dollars,
        }
    )


def test_vectorised_nav_history_matches_value_book_on_every_date() -> None:
    close, book = _close(), _book()
    history = nav_history(book, close, cash=1_000.0, rate=0.04)
    assert history.index[0] == DATES[40].date()  # starts at the earliest entry
    for i in range(40, len(DATES), 3):  # loop only in the oracle
        expected = _reference_row(book, close, i, 1_000.0, 0.04)
        got = history.loc[DATES[i].date(), expected.index]
        np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(float), rtol=1e-9, atol=1e-7)


def test_day_pnl_adds_up_to_unrealized_plus_realized() -> None:
    close, book = _close(), _book()
    history = nav_history(book, close)
    realized = -5 * (99.0 - 101.0)  # short 5 BBB at 101 bought back at 99: +10
    assert history["day_pnl"].sum() == pytest.approx(history["unrealized_pnl"].iloc[-1] + realized)


def test_position_snapshots_sum_to_the_portfolio_and_respect_entry_and_exit() -> None:
    close, book = _close(), _book()
    snaps = position_snapshots(book, close)
    history = nav_history(book, close)
    by_date = snaps.groupby("date")[["market_value", "exposure"]].sum()
    np.testing.assert_allclose(by_date["market_value"], history.loc[by_date.index, "market_value"], atol=1e-9)
    bbb = snaps[snaps["position_id"] == 2]["date"]
    assert bbb.min() == DATES[42].date() and bbb.max() == DATES[59].date()  # exit date exclusive
    expired_put = snaps[(snaps["position_id"] == 4) & (snaps["date"] >= DATES[55].date())]
    assert (expired_put["delta"] == 0).all() and (expired_put["exposure"] == 0).all()


def test_cash_series_is_forward_filled_onto_trading_days() -> None:
    close, book = _close(), _book().iloc[[0]]
    cash = pd.Series({DATES[40].date(): 500.0, DATES[50].date(): 800.0})
    history = nav_history(book, close, cash=cash)
    assert history["cash"].iloc[0] == 500.0 and history["cash"].iloc[9] == 500.0 and history["cash"].iloc[-1] == 800.0
    # a stock-only book: NAV = cash + 10 × close
    np.testing.assert_allclose(history["nav"], history["cash"] + 10 * close["AAA"].iloc[40:].to_numpy())


def test_missing_price_history_names_the_symbol() -> None:
    with pytest.raises(UnknownSymbol, match="CCC"):
        nav_history(_book(), _close().drop(columns="CCC"))


def test_valuing_one_position_at_a_time_gives_the_numbers_of_the_whole_book_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    close, book = _close(), _book()
    whole_nav, whole_rows = nav_history(book, close), position_snapshots(book, close)
    monkeypatch.setattr("sigma.portfolio.grid.CHUNK_CELLS", 1)  # one position per chunk
    pd.testing.assert_frame_equal(nav_history(book, close), whole_nav, rtol=1e-12)
    pd.testing.assert_frame_equal(position_snapshots(book, close), whole_rows)


def test_position_snapshots_of_chosen_days_are_the_rows_of_those_days() -> None:
    close, book = _close(), _book()
    days = [DATES[45].date(), DATES[60].date()]
    rows = position_snapshots(book, close, days=days)
    every = position_snapshots(book, close)
    expected = every[every["date"].isin(days)].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, expected)
    assert sorted(set(rows["date"])) == days and len(rows) == len(expected) > 0
