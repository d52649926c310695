"""Portfolio service: target prices, bulk edits and the targets CSV round trip (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sigma.conventions import PositionType
from sigma.errors import ValidationError
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

DAY = date(2026, 6, 1)
SAMPLE = Path(__file__).parents[1] / "data" / "targets_sample.csv"


def _targets(w: World, pid: int) -> pd.DataFrame:
    return w.svc.view(w.alice, pid).holdings.set_index("symbol")[["target_eoy", "target_upside_pct", "downside_pct"]]


def test_a_target_shows_as_upside_against_the_spot(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "T")
    pid = world.svc.add_position(world.alice, book.id, stock("AAPL", 10, 100.0, DAY))
    world.svc.set_target(world.alice, pid, target_eoy=300.0, downside=150.0, note="thesis")
    spot = float(world.close("AAPL").iloc[-1])
    row = _targets(world, book.id).loc["AAPL"]
    # upside = 300 / spot − 1, downside = 150 / spot − 1
    assert row["target_upside_pct"] == pytest.approx(300.0 / spot - 1.0)
    assert row["downside_pct"] == pytest.approx(150.0 / spot - 1.0)
    with pytest.raises(ValidationError, match="target_eoy: a target must be"):
        world.svc.set_target(world.alice, pid, target_eoy=-1.0)


def test_bulk_targets_from_a_data_editor_frame(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "T")
    a = world.svc.add_position(world.alice, book.id, stock("AAPL", 10, 100.0, DAY))
    m = world.svc.add_position(world.alice, book.id, stock("MSFT", 10, 100.0, DAY))
    frame = pd.DataFrame(
        {
            "position_id": [a, m],
            "target_eoy": [250.0, np.nan],
            "target_next_year": [np.nan, 500.0],
            "downside": [np.nan, np.nan],
            "note": ["x", None],
        }
    )
    assert world.svc.bulk_set_targets(world.alice, book.id, frame) == 2
    got = _targets(world, book.id)["target_eoy"]
    assert got["AAPL"] == 250.0 and np.isnan(got["MSFT"])


def test_targets_file_preview_then_commit_with_later_lines_winning(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "T")
    for symbol in ("AAPL", "MSFT", "NVDA"):
        svc.add_position(alice, book.id, stock(symbol, 1, 100.0, DAY))
    data = SAMPLE.read_bytes()
    frame = svc.preview_targets_import(alice, book.id, data).to_frame()
    statuses = dict(zip(frame["symbol"], frame["status"], strict=True))
    assert statuses["TSLA"] == "error" and statuses["XYZ"] == "error" and statuses["AAPL"] == "ok"
    with pytest.raises(ValidationError, match="Nothing imported: 4 row"):
        svc.commit_targets_import(alice, book.id, data, all_or_nothing=True)
    assert _targets(world, book.id)["target_eoy"].isna().all()
    result = svc.commit_targets_import(alice, book.id, data)
    assert (result.imported, result.skipped, len(result.errors)) == (3, 0, 4)
    got = _targets(world, book.id)["target_eoy"]
    assert got.to_dict() == {"AAPL": 210.0, "MSFT": 490.0, "NVDA": 150.0}  # MSFT: the later line wins


def test_targets_export_reimports_to_the_same_targets(world: World) -> None:
    svc, alice = world.svc, world.alice
    first, second = svc.create_portfolio(alice, "A"), svc.create_portfolio(alice, "B")
    for book in (first, second):
        svc.add_position(alice, book.id, stock("AAPL", 1, 100.0, DAY))
        svc.add_position(alice, book.id, option("NVDA", PositionType.LC, 1, 5.0, DAY, 150.0, date(2027, 1, 15)))
    ids = svc.view(alice, first.id).holdings.set_index("symbol")["position_id"]
    svc.set_target(alice, int(ids["AAPL"]), target_eoy=210.5, target_next_year=240.0, downside=160.0, note="=cmd()")
    svc.set_target(alice, int(ids["NVDA 270115C150"]), target_eoy=180.0)
    exported = svc.export_targets(alice, first.id)
    assert b"'=cmd()" in exported  # injection-safe
    result = svc.commit_targets_import(alice, second.id, exported, all_or_nothing=True)
    assert (result.imported, result.errors) == (2, ())
    a, b = _targets(world, first.id), _targets(world, second.id)
    pd.testing.assert_frame_equal(a.sort_index(), b.sort_index())


def test_saving_the_targets_editor_keeps_every_field_it_did_not_change(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "T")
    pid = world.svc.add_position(world.alice, book.id, stock("AAPL", 10, 100.0, DAY))
    world.svc.set_target(world.alice, pid, target_eoy=300.0, target_next_year=350.0, downside=150.0, note="thesis")
    # what the page's data editor sends back when only the year-end target was edited
    holdings = world.svc.view(world.alice, book.id).holdings
    edited = holdings[["position_id", "target_eoy", "target_next_year", "downside", "target_note"]].rename(
        columns={"target_note": "note"}
    )
    edited["target_eoy"] = 320.0
    world.svc.bulk_set_targets(world.alice, book.id, edited)
    row = world.svc.view(world.alice, book.id).holdings.iloc[0]
    assert (row["target_eoy"], row["target_next_year"], row["downside"], row["target_note"]) == (
        320.0,
        350.0,
        150.0,
        "thesis",
    )
