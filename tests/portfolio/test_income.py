"""Income view: dividends by month, TTM income and yield on cost by hand; projection when nothing is received."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.portfolio.income import INCOME_COLUMNS, PROJECTED, RECEIVED, income

AS_OF = date(2026, 11, 20)
HOLDINGS = pd.DataFrame(
    {
        "symbol": ["AAPL", "XOM", "SPY", "AAPL"],
        "is_option": [False, False, False, True],
        "market_value": [20_000.0, -5_000.0, 10_000.0, 800.0],
        "cost_basis": [15_000.0, -6_000.0, 9_000.0, 500.0],
    }
)
YIELDS = pd.Series({"AAPL": 0.005, "XOM": 0.035, "SPY": 0.012})


def _flows(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["date", "kind", "amount"])
    return frame.assign(date=pd.to_datetime(frame["date"]).dt.date)


def test_received_dividends_by_month_ttm_and_yield_on_cost() -> None:
    flows = _flows(
        [
            ("2025-11-20", "dividend", 999.0),  # exactly 365 days before as_of: outside the TTM window
            ("2026-02-14", "dividend", 40.0),
            ("2026-02-27", "dividend", 10.0),
            ("2026-05-15", "dividend", 60.0),
            ("2026-05-16", "deposit", 5_000.0),  # not income
            ("2026-11-20", "dividend", 30.0),
            ("2026-11-21", "dividend", 70.0),  # after as_of
        ]
    )
    result = income(flows, HOLDINGS, YIELDS, AS_OF)
    assert result.basis == RECEIVED and not result.notes
    table = result.by_month
    assert list(table.columns) == list(INCOME_COLUMNS)
    assert list(table["month"]) == ["2025-11", "2026-02", "2026-05", "2026-11"]
    np.testing.assert_allclose(table["amount"], [999.0, 50.0, 60.0, 30.0])
    assert set(table["basis"]) == {RECEIVED}
    # TTM = 40 + 10 + 60 + 30 = 140; cost of the long stock rows = 15,000 + 9,000 = 24,000
    assert result.ttm == pytest.approx(140.0)
    assert result.cost_basis == pytest.approx(24_000.0)
    assert result.yield_on_cost == pytest.approx(140.0 / 24_000.0)


def test_without_dividends_income_is_projected_and_labelled() -> None:
    result = income(_flows([("2026-03-02", "deposit", 1_000.0)]), HOLDINGS, YIELDS, AS_OF)
    # 20,000 × 0.5 % − 5,000 × 3.5 % + 10,000 × 1.2 % = 100 − 175 + 120 = 45 a year (the option pays none)
    assert result.basis == PROJECTED and result.ttm == pytest.approx(45.0)
    table = result.by_month
    assert list(table["month"]) == [f"2025-{m}" for m in ("12",)] + [f"2026-{m:02d}" for m in range(1, 12)]
    np.testing.assert_allclose(table["amount"], 45.0 / 12)
    assert set(table["basis"]) == {PROJECTED} and "projected" in result.notes[0]
    assert result.yield_on_cost == pytest.approx(45.0 / 24_000.0)


def test_no_flows_at_all_and_no_long_stock_gives_nan_yield() -> None:
    shorts = HOLDINGS.iloc[[1]]
    result = income(None, shorts, YIELDS, AS_OF)
    assert result.ttm == pytest.approx(-175.0) and math.isnan(result.yield_on_cost)


@settings(max_examples=50, deadline=None)
@given(amounts=st.lists(st.floats(0.01, 1_000.0), min_size=1, max_size=20), k=st.floats(0.1, 10.0))
def test_monthly_sums_add_up_and_scale_with_the_flows(amounts: list[float], k: float) -> None:
    days = pd.date_range("2026-01-01", periods=len(amounts), freq="9D").date
    flows = pd.DataFrame({"date": days, "kind": "dividend", "amount": amounts})
    base = income(flows, HOLDINGS, YIELDS, AS_OF)
    assert base.by_month["amount"].sum() == pytest.approx(sum(amounts))
    scaled = income(flows.assign(amount=flows["amount"] * k), HOLDINGS, YIELDS, AS_OF)
    assert scaled.ttm == pytest.approx(k * base.ttm) and scaled.yield_on_cost == pytest.approx(k * base.yield_on_cost)
