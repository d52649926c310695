"""The import service meets each hostile file with one clear, bounded message and writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sigma.db.models import Position
from sigma.errors import ValidationError
from tests.portfolio.test_service_support import World, world_fixture  # noqa: F401

HEADER = b"symbol,quantity,price,date\n"
HOSTILE = {
    "over the row cap": (HEADER + b"AAPL,1,200,2026-01-05\n" * 10_001, "This file has 10,001 rows"),
    "200,000 error rows": (HEADER + b"AAPL,x,y,z\n" * 200_000, "This file has 200,000 rows"),
    "5 MB of blank lines": (HEADER + b"AAPL,1,200,2026-01-05\n" + b"\n" * 4_990_000, "4,990,000 empty lines"),
    "a cell over the csv field limit": (HEADER + b'AAPL,1,200,"' + b"9" * 140_000 + b'"\n', "131,072 characters"),
    "an unterminated quote": (
        HEADER + b'AAPL,1,"200,2026-01-05\nMSFT,2,400,2026-01-05\nSPY,1,500,2026-01-05\n',
        "Line 2: a quote opened on this line is not closed until line 4",
    ),
    "mixed date orders": (
        HEADER + b"AAPL,1,200,25/03/2026\nMSFT,2,400,03/26/2026\n",
        "Dates are written both day-first (line 2: 25/03/2026) and month-first (line 3: 03/26/2026)",
    ),
    "over 5 MB": (HEADER + b"AAPL,1,200,2026-01-05\n" * 240_000, "the limit is 5,000,000"),
}


def _positions(w: World, pid: int) -> int:
    with w.db.sessions() as s:
        return int(s.scalar(select(func.count()).where(Position.portfolio_id == pid)) or 0)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_gets_one_bounded_message_in_preview_and_commit_and_nothing_is_written(
    world: World, case: str
) -> None:
    data, expected = HOSTILE[case]
    pid = world.svc.create_portfolio(world.alice, "Hostile").id
    for call in (
        lambda: world.svc.preview_import(world.alice, pid, data),
        lambda: world.svc.commit_import(world.alice, pid, data),
        lambda: world.svc.commit_import(world.alice, pid, data, all_or_nothing=True),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert expected in str(caught.value) and len(str(caught.value)) < 2_000
    assert _positions(world, pid) == 0


def test_three_thousand_error_rows_commit_nothing_and_the_message_shows_ten_and_a_count(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Errors").id
    data = HEADER + b"AAPL,1,200,2026-01-05\n" + b"AAPL,lots,200,2026-01-05\n" * 3_000
    with pytest.raises(ValidationError) as caught:
        world.svc.commit_import(world.alice, pid, data, all_or_nothing=True)
    message = str(caught.value)
    assert message.startswith("Nothing imported: 3,000 row(s) have errors. line 3: quantity 'lots' is not a number")
    assert message.endswith("| and 2,990 more") and len(message) < 2_000
    assert _positions(world, pid) == 0


def test_a_400_digit_quantity_is_a_row_error_and_never_stored_as_infinity(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Digits").id
    data = HEADER + b"AAPL," + b"1" * 400 + b",200,2026-01-05\nMSFT,inf,400,2026-01-05\n"
    rows = world.svc.preview_import(world.alice, pid, data).rows
    assert [(r.line, r.status.value, r.reasons[0]) for r in rows] == [
        (2, "error", f"quantity '{'1' * 40}'… (400 characters) is not a number"),
        (3, "error", "quantity 'inf' is not a number"),
    ]
    result = world.svc.commit_import(world.alice, pid, data)
    assert (result.imported, len(result.errors)) == (0, 2)
    assert _positions(world, pid) == 0
