"""Risk service: user scoping, reference data, stored results, and end-to-end invariants (SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from sigma.auth.model import AuthUser
from sigma.auth.service import AuthService
from sigma.config import Settings
from sigma.conventions import SECTOR_ETFS, PositionType
from sigma.db.models import RiskResult, StressScenario
from sigma.errors import InsufficientHistory, PermissionDenied, UnknownSymbol
from sigma.market.service import MarketService
from sigma.market.standard import empty_bars
from sigma.market.store.prices import PriceStore
from sigma.market.universe import universe_profiles
from sigma.portfolio.model import PositionDraft
from sigma.portfolio.service import PortfolioService
from sigma.risk.service import RiskService
from sigma.risk.stress import SCENARIO_CATALOGUE
from sigma.risk.view.correlation import CorrelationView, correlation_view
from sigma.risk.view.payload import decode, encode
from sigma.risk.view.var import VarView
from tests.conftest import Database
from tests.fakes import FakeProvider
from tests.portfolio.test_service_support import _insert_bars, _user

SYMBOLS = (
    "SPY",
    "IWM",
    "IWD",
    "IWF",
    "MTUM",
    "QUAL",
    "USMV",
    "USO",
    "GLD",
    "AGG",
    "AAPL",
    "^TNX",
    "^VIX",
    "^IRX",
    *SECTOR_ETFS.values(),
)
START, END = date(2025, 1, 2), date(2026, 11, 20)
ENTRY = date(2025, 11, 3)


@dataclass
class RiskWorld:
    risk: RiskService
    portfolios: PortfolioService
    market: MarketService
    db: Database
    alice: AuthUser
    bob: AuthUser
    admin: AuthUser


@pytest.fixture(name="world")
def world_fixture(db: Database, settings: Settings, small_market) -> Iterator[RiskWorld]:  # type: ignore[no-untyped-def]
    bars = small_market.bars(list(SYMBOLS))
    _insert_bars(db, bars[(bars["date"] >= START) & (bars["date"] <= END)].reset_index(drop=True))
    store = PriceStore(db.sessions)
    profiles = universe_profiles()
    store.upsert_profiles(profiles[profiles["symbol"].isin(SYMBOLS)], "reference")
    cfg = replace(settings, market_end=END, database_url=db.url, mc_paths=2_000)
    market = MarketService(store, FakeProvider(bars), cfg)
    portfolios = PortfolioService(db.sessions, market, cfg)
    admin = AuthService(db.sessions, settings).ensure_user("root", "Root", "plover-ferment-quietly-88", "admin")
    risk = RiskService(db.sessions, market, portfolios, cfg)
    risk.seed_reference()  # as `python -m jobs init` does
    yield RiskWorld(
        risk,
        portfolios,
        market,
        db,
        _user(db, "alice"),
        _user(db, "bob"),
        admin,
    )
    store.close()


def spy_book(w: RiskWorld, days_before_end: bool = False) -> int:
    """Alice's book: 100 % SPY bought on ENTRY (no cash), or ten days before END."""
    entry = date(2026, 11, 6) if days_before_end else ENTRY
    price = float(w.market.close_frame(["SPY"], start=entry, end=entry)["SPY"].iloc[0])
    book = w.portfolios.create_portfolio(w.alice, "SPY only", cash=0.0)
    w.portfolios.add_position(w.alice, book.id, PositionDraft("SPY", PositionType.LONG, 100.0, price, entry))
    return book.id


def test_a_100_percent_spy_book_has_beta_one_against_spy(world: RiskWorld) -> None:
    pid = spy_book(world)
    view = world.risk.performance(world.alice, pid, "SPY", "1Y")
    # the book's TWR returns are SPY's own returns (no cash, no flows after entry): cov(r, r) / var(r) = 1
    assert view.market_beta == pytest.approx(1.0, abs=1e-9)
    assert view.profile.loc["Portfolio", "tracking_error"] == pytest.approx(0.0, abs=1e-9)
    assert (view.as_of, view.source) == (END, "simulated")
    factors = world.risk.factors(world.alice, pid)
    assert factors.portfolio.loc["Market", "exposure"] == pytest.approx(1.0, abs=1e-9)


def test_a_100_percent_spy_book_loses_exactly_the_market_shock(world: RiskWorld) -> None:
    pid = spy_book(world)
    view = world.risk.stress(world.alice, pid, "Market −10 %")
    # SPY is the market factor: beta 1 on it, 0 elsewhere, so P&L = NAV × (−10 %) whatever propagates
    assert view.total_pct == pytest.approx(-0.10, abs=1e-12)
    assert view.basis == "catalogue shocks"
    model = world.risk.stress_model(world.alice, pid)
    custom = world.risk.apply(model, {"market": -0.2, "oil": 0.3})
    assert custom.total == pytest.approx(-0.2 * model.nav, rel=1e-12)


def test_the_scenario_builder_applies_shocks_in_well_under_200_ms(world: RiskWorld) -> None:
    pid = spy_book(world)
    model = world.risk.stress_model(world.alice, pid)
    started = time.perf_counter()
    for k in range(5):
        world.risk.apply(model, {"market": -0.01 * k, "rates_bp": 50.0, "vix": 35.0, "sector:Energy": 0.1})
    assert (time.perf_counter() - started) / 5 < 0.2


def test_another_users_portfolio_is_refused_by_every_method(world: RiskWorld) -> None:
    pid = spy_book(world)
    calls = [
        lambda: world.risk.performance(world.bob, pid),
        lambda: world.risk.var(world.bob, pid),
        lambda: world.risk.stress_model(world.bob, pid),
        lambda: world.risk.sectors(world.bob, pid),
        lambda: world.risk.holdings_correlations(world.bob, pid),
        lambda: world.risk.load_result(world.bob, pid, VarView, END),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()


def test_only_an_admin_can_add_or_edit_a_scenario(world: RiskWorld) -> None:
    with pytest.raises(PermissionDenied):
        world.risk.save_scenario(world.alice, "Mine", {"market": -0.05})
    world.risk.save_scenario(world.admin, "Mine", {"market": -0.05}, "small dip")
    world.risk.save_scenario(world.admin, "Mine", {"market": -0.07, "rates_bp": 25.0}, "edited")
    mine = [s for s in world.risk.scenarios() if s.name == "Mine"]
    assert [(s.shocks, s.description) for s in mine] == [({"market": -0.07, "rates_bp": 25.0}, "edited")]


def test_catalogue_seeding_is_idempotent(world: RiskWorld) -> None:
    first = world.risk.scenarios()
    again = RiskService(world.db.sessions, world.market, world.portfolios, world.risk.settings).scenarios()
    assert [s.name for s in first] == [s.name for s in again] == [s.name for s in SCENARIO_CATALOGUE]
    with world.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StressScenario)) == len(SCENARIO_CATALOGUE)


def test_a_var_view_is_stored_and_read_back_unchanged_and_upserted_once(world: RiskWorld) -> None:
    pid = spy_book(world)
    view = world.risk.var(world.alice, pid, "monte_carlo")
    assert view.value(0.99, 1) > view.value(0.95, 1) > 0  # a deeper quantile is a larger loss
    world.risk.store_result(world.alice, pid, view, "mc")
    world.risk.store_result(world.alice, pid, view, "mc")
    back = world.risk.load_result(world.alice, pid, VarView, view.as_of, "mc")
    assert back is not None
    pd.testing.assert_frame_equal(back.table, view.table)
    np.testing.assert_array_equal(back.distributions[10], view.distributions[10])
    assert world.risk.load_result(world.alice, pid, VarView, view.as_of, "other") is None
    with world.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(RiskResult)) == 1


def test_monte_carlo_var_is_reproducible_for_a_seed(world: RiskWorld) -> None:
    pid = spy_book(world)
    a, b = (world.risk.var(world.alice, pid, "monte_carlo") for _ in range(2))
    pd.testing.assert_frame_equal(a.table, b.table)


def test_the_60_40_benchmark_is_a_daily_rebalanced_blend_and_unknown_symbols_are_refused(world: RiskWorld) -> None:
    blend = world.risk.benchmark_returns("60/40")
    legs = world.market.returns_frame(["SPY", "AGG"])
    day = legs.index[100]
    # one day's blend: 0.6 × r_SPY + 0.4 × r_AGG
    assert blend[day] == pytest.approx(0.6 * legs.at[day, "SPY"] + 0.4 * legs.at[day, "AGG"], rel=1e-12)
    custom = world.risk.benchmark_returns({"SPY": 3.0, "AGG": 1.0})  # normalised to 75 / 25
    assert custom[day] == pytest.approx(0.75 * legs.at[day, "SPY"] + 0.25 * legs.at[day, "AGG"], rel=1e-12)
    typed = world.risk.benchmark_returns("spy:0.75, agg:0.25")  # as the page's text box sends it
    pd.testing.assert_series_equal(typed, custom)
    with pytest.raises(UnknownSymbol, match="NOPE"):
        world.risk.benchmark_returns("NOPE")


def test_a_young_book_gets_insufficient_history_with_advice_not_nan(world: RiskWorld) -> None:
    pid = spy_book(world, days_before_end=True)
    with pytest.raises(InsufficientHistory, match=r"at least 60 daily returns.*jobs run market_data"):
        world.risk.performance(world.alice, pid)


def test_correlations_of_typed_symbols_are_a_clean_matrix(world: RiskWorld) -> None:
    view = world.risk.correlations_of(["spy", "AAPL", "XLE", "GLD"], window="1Y")
    m = view.matrix.to_numpy()
    np.testing.assert_allclose(m, m.T, atol=1e-15)
    np.testing.assert_allclose(np.diag(m), 1.0)
    assert np.all(np.abs(m) <= 1.0) and sorted(view.matrix.index) == ["AAPL", "GLD", "SPY", "XLE"]
    shorter = world.risk.correlations_of(["SPY", "AAPL", "XLE", "GLD"], window="3M")
    assert not np.allclose(shorter.matrix.loc[["SPY"], ["XLE"]], view.matrix.loc[["SPY"], ["XLE"]])


def test_a_symbol_with_too_little_overlap_is_dropped_with_the_reason() -> None:
    rng = np.random.default_rng(3)
    returns = pd.DataFrame(
        rng.normal(0, 0.01, (100, 3)), columns=["A", "B", "C"], index=pd.bdate_range("2026-01-01", periods=100)
    )
    returns.iloc[:70, 2] = np.nan  # C has 30 returns, fewer than the 60 needed
    view = correlation_view(returns, "1Y", date(2026, 1, 1), date(2026, 5, 20), "pearson", date(2026, 5, 20), "csv")
    assert list(view.matrix.index) == ["A", "B"]
    assert view.dropped == {"C": "only 30 daily returns in the window (at least 60 needed)"}
    back = CorrelationView.from_payload(view.to_payload())
    pd.testing.assert_frame_equal(back.matrix, view.matrix)
    assert (back.dropped, back.start) == (view.dropped, view.start)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none()), min_size=1, max_size=8))
def test_payloads_round_trip_nan_inf_and_dates(values: list[float | None]) -> None:
    floats = [np.nan if v is None else v for v in values]
    frame = pd.DataFrame({"x": floats}, index=pd.date_range("2026-01-01", periods=len(floats), name="date"))
    payload = encode({"frame": frame, "day": date(2026, 1, 2), "pair": ("a", 1.5)})
    import json

    back = decode(json.loads(json.dumps(payload, allow_nan=False)))
    pd.testing.assert_frame_equal(back["frame"], frame, check_freq=False)  # the index freq is not stored
    assert back["day"] == date(2026, 1, 2) and back["pair"] == ("a", 1.5)


def _same(a: object, b: object) -> bool:
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_freq=False)  # type: ignore[arg-type]
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_freq=False)  # type: ignore[arg-type]
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b)
    else:
        assert a == b
    return True


def test_every_view_survives_a_json_round_trip_exactly(world: RiskWorld) -> None:
    import json

    pid = spy_book(world)
    views = [
        world.risk.performance(world.alice, pid),
        world.risk.factors(world.alice, pid, "ridge"),
        world.risk.volatility(world.alice, pid),
        world.risk.stress(world.alice, pid, "VIX to 40"),
        world.risk.sectors(world.alice, pid),
        world.risk.pair("SPY", "XLE", "3M"),
    ]
    for view in views:
        back = type(view).from_payload(json.loads(json.dumps(view.to_payload(), allow_nan=False)))
        assert all(_same(getattr(view, f), getattr(back, f)) for f in view.__dataclass_fields__)
    sectors = views[4]
    # 100 % SPY: one position (HHI 1) and the S&P 500's own sector weights (no tilt)
    assert (sectors.hhi, sectors.band) == (1.0, "concentrated")
    np.testing.assert_allclose(sectors.tilts["active_pp"], 0.0, atol=1e-9)


def test_reads_never_write_and_answer_from_the_built_in_catalogue_until_seeded(
    db: Database, settings: Settings
) -> None:
    from sigma.db.models import BenchmarkWeight, FactorDefinition

    market = MarketService(PriceStore(db.sessions), FakeProvider(empty_bars()), settings)
    risk = RiskService(db.sessions, market, PortfolioService(db.sessions, market, settings), settings)
    before = [(s.id, s.name, s.shocks) for s in risk.scenarios()]
    assert [name for _, name, _ in before] == [s.name for s in SCENARIO_CATALOGUE]
    with db.sessions() as session:
        for table in (StressScenario, FactorDefinition, BenchmarkWeight):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    risk.seed_reference()
    risk.seed_reference()  # idempotent
    assert [(s.id, s.name, s.shocks) for s in risk.scenarios()] == before
    with db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(StressScenario)) == len(SCENARIO_CATALOGUE)
