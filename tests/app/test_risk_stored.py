"""The Risk page draws the views the nightly batch stored, and computes only what the user changes.

The batch's rows are stood in for by `RiskService.store_result` of the on-demand views (params_key ""
for the defaults, the scenario's name for a catalogue scenario), each with a marker value no
computation gives, so the page's numbers show where they came from. Bob's book only: the seeded
data dir is shared with the other page tests, and his stored rows are deleted afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete
from streamlit.testing.v1 import AppTest

from sigma.config import from_env
from sigma.db.models import RiskResult
from sigma.risk.service import RiskService
from sigma.ui.format import money, pct
from sigma.wiring import build
from tests.app.test_risk_page import SECTIONS, open_page

pytestmark = pytest.mark.xdist_group("apptest")
NIGHT = datetime(2026, 11, 21, 22, 47, tzinfo=UTC)
FRESH = "As of 2026-11-20 · computed 2026-11-21 22:47 UTC by the nightly batch"
STALE = "As of 2026-11-19 · computed 2026-11-21 22:47 UTC by the nightly batch"
EWMA, RISK, STRESS_TOTAL, NAV = 0.4321, 0.5432, -12_345.0, 9_876_543.0
NOT_STORED = "Computed on demand: nothing stored by the nightly batch for this view yet."


def store_defaults(as_of: date | None = None, kinds: tuple[str, ...] = ("all",)) -> str:
    """Bob's default views computed on demand, marked, and stored as the batch would (as of `as_of`).

    Returns the name of the first catalogue scenario (the one the page shows first)."""
    services = build(from_env())
    try:
        risk = RiskService(
            services.sessions, services.market, services.portfolios, services.settings, now=lambda: NIGHT
        )
        user = services.auth.authenticate("bob", "sigma-demo")
        assert user is not None
        pid = services.portfolios.list_portfolios(user)[0].id
        scenario = risk.scenarios()[0].name
        views = {
            "performance": replace(risk.performance(user, pid, "SPY", "1Y"), market_beta=1.2345),
            "factors": replace(risk.factors(user, pid, "ols", "3M"), total_vol=RISK),
            "volatility": replace(risk.volatility(user, pid), ewma=EWMA),
            "var": replace(risk.var(user, pid, "historical"), nav=NAV),
            "sectors": replace(risk.sectors(user, pid, "SPY"), effective_n=77.7),
            "stress": replace(risk.stress(user, pid, scenario), total=STRESS_TOTAL),
        }
        for kind, view in views.items():
            if "all" in kinds or kind in kinds:
                stored = replace(view, as_of=as_of or view.as_of)
                risk.store_result(user, pid, stored, scenario if kind == "stress" else "")
        return scenario
    finally:
        services.close()


@pytest.fixture
def bob_stored(app_env: dict[str, str]) -> Iterator[None]:
    """The seeded data dir, with Bob's stored risk rows deleted after the test."""
    yield
    services = build(from_env())
    try:
        with services.sessions() as session:
            session.execute(delete(RiskResult))
            session.commit()
    finally:
        services.close()


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def metric(at: AppTest, label: str) -> str:
    return next(str(m.value) for m in at.metric if m.label == label)


def test_every_default_section_draws_the_stored_view_without_computing_it(
    bob_stored: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_defaults()

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed on demand (or the book loaded), though a stored view was there")

    for method in ("performance", "factors", "volatility", "var", "sectors", "stress_model", "apply", "book"):
        monkeypatch.setattr(RiskService, method, refuse)
    at = open_page("risk.py", "bob")
    assert not at.exception, [e.value for e in at.exception]
    assert [s.value for s in at.subheader] == SECTIONS
    assert captions(at).count(FRESH) == len(SECTIONS)  # the stress section: its first catalogue scenario
    assert not at.info or all("Prices have moved on" not in i.value for i in at.info)
    assert metric(at, "Beta vs SPY (252 d)") == "1.23"
    assert metric(at, "Risk (ann. vol)") == pct(RISK) == "54.3%"
    assert metric(at, "EWMA (λ 0.94)") == pct(EWMA) == "43.2%"
    assert metric(at, "Effective N") == "77.7"
    assert metric(at, "Total P&L") == money(STRESS_TOTAL, signed=True)
    assert any(f"NAV {money(NAV)}" in c for c in captions(at))


def test_a_view_not_stored_is_computed_on_demand_and_says_so(bob_stored: None) -> None:
    store_defaults(kinds=("volatility",))
    at = open_page("risk.py", "bob")
    assert not at.exception
    assert captions(at).count(FRESH) == 1
    assert captions(at).count(NOT_STORED) == len(SECTIONS) - 1
    assert metric(at, "EWMA (λ 0.94)") == pct(EWMA)


def test_a_stored_view_older_than_the_prices_says_so_and_recomputes_on_request(bob_stored: None) -> None:
    store_defaults(as_of=date(2026, 11, 19))
    at = open_page("risk.py", "bob")
    assert not at.exception
    assert captions(at).count(STALE) == len(SECTIONS)
    notes = [i.value for i in at.info if i.value.startswith("Prices have moved on")]
    assert notes == ["Prices have moved on since: stored for 2026-11-19, prices to 2026-11-20"] * len(SECTIONS)
    assert metric(at, "EWMA (λ 0.94)") == pct(EWMA)  # the stored (marked) view, drawn meanwhile
    at.button(key="recompute_volatility_").click().run()
    assert not at.exception
    assert "Recomputed on demand for prices to 2026-11-20 (stored by the nightly batch: 2026-11-19)." in captions(at)
    assert captions(at).count(STALE) == len(SECTIONS) - 1  # only the volatility section was recomputed
    ewma = metric(at, "EWMA (λ 0.94)")
    assert ewma != pct(EWMA) and ewma.endswith("%")
    at.run()  # the choice holds for the session
    assert metric(at, "EWMA (λ 0.94)") == ewma


def test_a_changed_control_computes_on_demand(bob_stored: None) -> None:
    store_defaults()
    at = open_page("risk.py", "bob")
    at.segmented_control(key="risk_window").set_value("3Y").run()
    assert not at.exception
    assert metric(at, "Beta vs SPY (252 d)") != "1.23"  # performance computed for 3Y
    assert captions(at).count(FRESH) == len(SECTIONS) - 1  # the other sections still draw their stored views
    at.segmented_control(key="risk_factor_method").set_value("ridge").run()
    assert metric(at, "Risk (ann. vol)") != pct(RISK)
    assert captions(at).count(FRESH) == len(SECTIONS) - 2
    at.segmented_control(key="risk_factor_method").set_value("ols").run()
    assert metric(at, "Risk (ann. vol)") == pct(RISK)  # back at its defaults: the stored view again
    at.slider(key="builder_market").set_value(-20).run()  # the builder: its stress model built on demand
    totals = [str(m.value) for m in at.metric if m.label == "Total P&L"]
    assert totals[0] == money(STRESS_TOTAL, signed=True) and totals[1].startswith("-$")
