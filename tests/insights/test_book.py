"""One book's cards from plain inputs: every rule wired, missing inputs silent, failures isolated, picklable chunks."""

from __future__ import annotations

import math
import pickle
from datetime import date

import numpy as np
import pandas as pd
import pytest

from sigma.batch.executors import InlineExecutor, LocalExecutor
from sigma.insights.book import BookInputs, book_cards, evaluate_chunk
from sigma.insights.card import Rule, Severity
from sigma.insights.service import chunks

DAYS = pd.bdate_range("2025-11-03", periods=260)
REF = date(2026, 11, 20)


def _panel() -> pd.DataFrame:
    """A, B, C share one driver (ρ ≈ 0.99); D moves on its own."""
    rng = np.random.default_rng(7)
    common = rng.normal(0.0, 0.01, len(DAYS))
    noise = rng.normal(0.0, 0.001, (len(DAYS), 3))
    frame = pd.DataFrame(common[:, None] + noise, index=DAYS, columns=["A", "B", "C"])
    frame["D"] = rng.normal(0.0, 0.01, len(DAYS))
    return frame


def _inputs(**changes: object) -> BookInputs:
    weights = pd.Series({"A": 0.25, "B": 0.10, "C": 0.05, "D": 0.60})
    base = {
        "portfolio_id": 7,
        "nav": 1_000_000.0,
        "weights": weights,
        "position_exposures": weights * 1_000_000.0,
        "returns": pd.Series([0.10, -0.25], index=DAYS[-2:]),
        "asset_returns": _panel(),
        "last_dates": {"A": REF, "B": REF, "C": REF, "D": date(2026, 11, 10)},
        "reference": REF,
        "stale_after_days": 4,
        "beta": 1.45,
        "tilts": pd.DataFrame({"portfolio_pp": [50.0], "benchmark_pp": [34.0], "active_pp": [16.0]}, index=["IT"]),
        "vol_percentile": 90.0,
        "vol": 0.3,
        "style": pd.Series({"Momentum": 0.7}),
    }
    return BookInputs(**{**base, **changes})  # type: ignore[arg-type]


def test_every_rule_of_domain_md_fires_on_a_book_built_to_trip_them_all() -> None:
    cards = book_cards(_inputs())
    # D 60 % and A 25 %; HHI 0.25² + 0.1² + 0.05² + 0.6² = 0.4350; IT +16 pp; beta 1.45; −25 % from the peak;
    # 90th percentile; Momentum 0.7; A+B+C at ρ ≈ 0.99 and 40 % of NAV; D's price 10 days old
    assert [(c.rule, c.subject, c.severity) for c in cards] == [
        (Rule.POSITION, "A", Severity.WARNING),
        (Rule.POSITION, "D", Severity.CRITICAL),
        (Rule.HHI, "", Severity.CRITICAL),
        (Rule.SECTOR, "IT", Severity.INFO),
        (Rule.BETA, "", Severity.INFO),
        (Rule.DRAWDOWN, "", Severity.CRITICAL),
        (Rule.VOLATILITY, "", Severity.WARNING),
        (Rule.STYLE, "Momentum", Severity.INFO),
        (Rule.CLUSTER, "A+B+C", Severity.WARNING),
        (Rule.STALE, "", Severity.WARNING),
    ]
    assert next(c for c in cards if c.rule == Rule.HHI).numbers["hhi"] == pytest.approx(0.435)
    assert next(c for c in cards if c.rule == Rule.CLUSTER).numbers["weight"] == pytest.approx(0.40)


def test_missing_inputs_leave_their_rules_silent() -> None:
    quiet = _inputs(
        beta=math.nan, tilts=None, vol_percentile=math.nan, vol=math.nan, style=None, returns=pd.Series(dtype=float)
    )
    rules = {c.rule for c in book_cards(quiet)}
    assert rules == {Rule.POSITION, Rule.HHI, Rule.CLUSTER, Rule.STALE}
    # a book worth nothing has no weights of NAV: no position or cluster card
    broke = {c.rule for c in book_cards(_inputs(nav=0.0))}
    assert Rule.POSITION not in broke and Rule.CLUSTER not in broke


def test_a_book_whose_rules_fail_is_an_error_text_and_its_chunk_goes_on() -> None:
    bad = _inputs(portfolio_id=8, tilts=pd.DataFrame({"oops": [1.0]}))  # no active_pp column
    results = evaluate_chunk([bad, _inputs()])
    assert results[0] == (8, "KeyError: 'active_pp'")
    assert results[1][0] == 7 and len(results[1][1]) == 10


def test_a_chunk_survives_pickling_with_the_same_cards() -> None:
    chunk = [_inputs(), _inputs(portfolio_id=9)]
    assert evaluate_chunk(pickle.loads(pickle.dumps(chunk))) == evaluate_chunk(chunk)


@pytest.mark.parametrize(
    ("n", "workers", "sizes"), [(10, 2, [2] * 5), (3, 4, [1, 1, 1]), (0, 2, []), (17, 1, [5, 5, 5, 2])]
)
def test_books_are_cut_into_about_four_chunks_per_worker(n: int, workers: int, sizes: list[int]) -> None:
    got = chunks(list(range(n)), workers)
    assert [len(c) for c in got] == sizes
    assert [x for c in got for x in c] == list(range(n))


def test_a_process_pool_gives_the_same_cards_as_running_inline() -> None:
    tasks = [[_inputs()], [_inputs(portfolio_id=9, beta=0.4)]]
    pool = LocalExecutor(2)
    try:
        assert pool.map(evaluate_chunk, tasks) == InlineExecutor().map(evaluate_chunk, tasks)
    finally:
        pool.close()
