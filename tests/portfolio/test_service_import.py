"""Portfolio service: positions CSV import and export (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sigma.conventions import PositionType
from sigma.errors import ValidationError
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

MESSY = (Path(__file__).parents[1] / "data" / "positions_messy_broker.csv").read_bytes()
# the 14 data lines of the messy file: 4 ok, 3 with a warning (line 18 repeats line 5), 7 errors
EXPECTED = {
    5: "ok",
    6: "ok",
    7: "warning",
    8: "ok",
    9: "ok",
    10: "warning",
    11: "error",
    12: "error",
    13: "error",
    14: "error",
    15: "error",
    16: "error",
    17: "error",
    18: "warning",
}


def _count(w: World, pid: int) -> int:
    view = w.svc.view(w.alice, pid)
    return len(view.holdings) + len(view.closed)


def test_messy_broker_file_previews_every_line_with_a_status(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "I")
    frame = world.svc.preview_import(world.alice, book.id, MESSY).to_frame()
    assert dict(zip(frame["line"], frame["status"], strict=True)) == EXPECTED
    reasons = dict(zip(frame["line"], frame["reason"], strict=True))
    assert "unknown symbol IBM" in reasons[11] or "Futures" in reasons[11]
    assert "after the as-of date 2026-11-20" in reasons[17]


def test_commit_writes_valid_rows_once_and_a_second_commit_changes_nothing(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "I")
    first = svc.commit_import(alice, book.id, MESSY, all_or_nothing=False)
    # 7 valid drafts (ok + warning); line 18 repeats line 5 → 6 written, 1 skipped; 7 error lines reported
    assert (first.imported, first.skipped, len(first.errors)) == (6, 1, 7)
    assert any(e.startswith("line 16:") and "price is 0" in e for e in first.errors)
    before = svc.export_positions(alice, book.id)
    again = svc.commit_import(alice, book.id, MESSY, all_or_nothing=False)
    assert (again.imported, again.skipped) == (0, 7)
    assert svc.export_positions(alice, book.id) == before
    preview = svc.preview_import(alice, book.id, MESSY).to_frame().set_index("line")
    assert "already imported" in preview.loc[5, "reason"] and preview.loc[5, "status"] == "warning"


def test_all_or_nothing_with_errors_writes_nothing(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "I")
    with pytest.raises(ValidationError, match="Nothing imported: 7 row"):
        world.svc.commit_import(world.alice, book.id, MESSY, all_or_nothing=True)
    assert world.svc.export_positions(world.alice, book.id).count(b"\r\n") == 1  # the header only


def test_export_then_import_into_another_book_gives_the_same_positions(world: World) -> None:
    svc, alice = world.svc, world.alice
    a, b = svc.create_portfolio(alice, "A"), svc.create_portfolio(alice, "B")
    svc.add_position(alice, a.id, stock("AAPL", 10, 200.5, date(2026, 3, 2)))
    svc.add_position(alice, a.id, stock("MSFT", 4, 410.25, date(2026, 4, 1), short=True))
    occ = option("NVDA", PositionType.SP, 2, 5.5, date(2026, 5, 1), 120.0, date(2026, 12, 18))
    svc.add_position(alice, a.id, occ.__class__(**{**occ.__dict__, "symbol": "NVDA261218P00120000"}))
    exported = svc.export_positions(alice, a.id)
    result = svc.commit_import(alice, b.id, exported, all_or_nothing=True)
    assert (result.imported, result.skipped, result.errors) == (3, 0, ())
    assert svc.export_positions(alice, b.id) == exported
    assert svc.commit_import(alice, a.id, exported, all_or_nothing=True).imported == 0  # all already there
