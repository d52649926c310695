"""Applying the whole catalogue to a stress model at once: each view equals the scenario applied alone,
and a scenario that cannot be applied fails alone."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from sigma.errors import ValidationError
from sigma.risk.stress import SCENARIO_CATALOGUE, Scenario, ScenarioKind
from sigma.risk.view.stress import StressModel, StressView, apply_scenario, apply_scenarios

FACTORS = ["market", "rates", "vix"]
DAYS = pd.bdate_range("2025-01-02", periods=300)


def _model(vix: float = 18.0) -> StressModel:
    rng = np.random.default_rng(5)
    moves = pd.DataFrame(rng.normal(0, [0.01, 0.05, 1.0], (300, 3)), index=DAYS, columns=FACTORS)
    betas = pd.DataFrame({"market": [1.0, 1.2], "rates": [0.0, -0.1], "vix": [0.0, -0.002]}, index=["SPY", "XLE"])
    return StressModel(
        as_of=date(2026, 3, 9),
        source="simulated",
        nav=1e6,
        exposures=pd.Series({"SPY": 6e5, "XLE": 2e5}),
        betas=betas,
        factor_cov=moves.cov(),
        factor_returns=moves,
        sectors=pd.Series({"SPY": "Broad market", "XLE": "Energy"}),
        vix_level=vix,
    )


def test_every_catalogue_view_equals_the_scenario_applied_alone() -> None:
    model = _model()
    views = apply_scenarios(model, SCENARIO_CATALOGUE, "catalogue shocks")
    for scenario, view in zip(SCENARIO_CATALOGUE, views, strict=True):
        assert isinstance(view, StressView)
        alone = apply_scenario(model, scenario, "catalogue shocks")
        assert (view.scenario, view.basis, view.notes) == (alone.scenario, alone.basis, alone.notes)
        pd.testing.assert_frame_equal(view.positions, alone.positions, rtol=1e-14)
        assert view.total == pytest.approx(alone.total, rel=1e-14)
    market = views[[s.name for s in SCENARIO_CATALOGUE].index("Market −10 %")]
    assert isinstance(market, StressView)  # SPY has beta 1, XLE 1.2; the propagated rates and VIX moves add theirs
    moves = market.factor_moves
    spy = 6e5 * (-0.10)
    xle = 2e5 * (1.2 * -0.10 - 0.1 * moves["rates"] - 0.002 * moves["vix"])
    assert market.total == pytest.approx(spy + xle, rel=1e-12)


def test_a_scenario_that_cannot_be_applied_fails_alone() -> None:
    model = _model(vix=0.0)  # no VIX level: "VIX to 40" cannot be turned into a change
    stored = Scenario(
        "Stored window", {"market": -0.05}, ScenarioKind.HISTORICAL, "", date(2025, 3, 3), date(2025, 3, 7)
    )
    views = apply_scenarios(model, [SCENARIO_CATALOGUE[-1], SCENARIO_CATALOGUE[8], stored], "catalogue shocks")
    assert isinstance(views[0], ValidationError) and "VIX level" in str(views[0])
    assert isinstance(views[1], StressView) and views[1].total == pytest.approx(
        6e5 * -0.10 + views[1].positions.loc["XLE", "pnl"]
    )
    assert isinstance(views[2], StressView) and views[2].basis.startswith("historical replay")
    window = model.factor_returns.loc["2025-03-03":"2025-03-07", "market"]
    assert views[2].factor_moves["market"] == pytest.approx(float((1 + window).prod() - 1), rel=1e-12)
