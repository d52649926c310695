"""Portfolio service: user B can never read or change user A's books, positions, tags or targets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import pytest

from sigma.errors import PermissionDenied
from sigma.portfolio.service import PortfolioService
from tests.portfolio.test_service_support import World, stock, world_fixture  # noqa: F401

DAY = date(2026, 6, 1)
CSV = b"symbol,type,quantity,entry_price,entry_date\r\nAAPL,LONG,1,100,2026-06-01\r\n"
TARGETS = b"symbol,target_eoy\r\nAAPL,300\r\n"


@dataclass
class Ids:
    """Alice's objects, and Bob's own position and tag (for mixed requests)."""

    pid: int
    position: int
    tag: int
    bob_position: int
    bob_tag: int


Attempt = Callable[[PortfolioService, Any, Ids], object]
ATTEMPTS: dict[str, Attempt] = {
    "get_portfolio": lambda s, u, i: s.get_portfolio(u, i.pid),
    "rename_portfolio": lambda s, u, i: s.rename_portfolio(u, i.pid, "mine now"),
    "archive_portfolio": lambda s, u, i: s.archive_portfolio(u, i.pid),
    "set_benchmark": lambda s, u, i: s.set_benchmark(u, i.pid, "QQQ"),
    "record_cash_flow": lambda s, u, i: s.record_cash_flow(u, i.pid, DAY, "dividend", 1.0),
    "cash_flows": lambda s, u, i: s.cash_flows(u, i.pid),
    "add_position": lambda s, u, i: s.add_position(u, i.pid, stock("AAPL", 1, 1.0, DAY)),
    "edit_position": lambda s, u, i: s.edit_position(u, i.position, quantity=99.0),
    "close_position": lambda s, u, i: s.close_position(u, i.position, DAY, 1.0),
    "delete_position": lambda s, u, i: s.delete_position(u, i.position),
    "tag_positions (her position)": lambda s, u, i: s.tag_positions(u, [i.bob_position, i.position], i.bob_tag),
    "tag_positions (her tag)": lambda s, u, i: s.tag_positions(u, [i.bob_position], i.tag),
    "untag_positions": lambda s, u, i: s.untag_positions(u, [i.position], i.bob_tag),
    "rename_tag": lambda s, u, i: s.rename_tag(u, i.tag, "x"),
    "recolor_tag": lambda s, u, i: s.recolor_tag(u, i.tag, "#000000"),
    "delete_tag": lambda s, u, i: s.delete_tag(u, i.tag),
    "sync_sector_tags": lambda s, u, i: s.sync_sector_tags(u, i.pid),
    "set_target": lambda s, u, i: s.set_target(u, i.position, target_eoy=1.0),
    "bulk_set_targets (her book)": lambda s, u, i: s.bulk_set_targets(u, i.pid, pd.DataFrame({"position_id": []})),
    "bulk_set_targets (her position)": lambda s, u, i: s.bulk_set_targets(
        u, i.pid, pd.DataFrame({"position_id": [i.position], "target_eoy": [1.0]})
    ),
    "preview_import": lambda s, u, i: s.preview_import(u, i.pid, CSV),
    "commit_import": lambda s, u, i: s.commit_import(u, i.pid, CSV),
    "preview_targets_import": lambda s, u, i: s.preview_targets_import(u, i.pid, TARGETS),
    "commit_targets_import": lambda s, u, i: s.commit_targets_import(u, i.pid, TARGETS),
    "export_positions": lambda s, u, i: s.export_positions(u, i.pid),
    "export_targets": lambda s, u, i: s.export_targets(u, i.pid),
    "view": lambda s, u, i: s.view(u, i.pid),
    "backfill_snapshots": lambda s, u, i: s.backfill_snapshots(u, i.pid),
}


def _setup(w: World) -> Ids:
    svc = w.svc
    pid = svc.create_portfolio(w.alice, "Alice book", cash=100.0).id
    position = svc.add_position(w.alice, pid, stock("AAPL", 10, 100.0, DAY))
    tag = svc.create_tag(w.alice, "Mine", "#111111").id
    svc.tag_positions(w.alice, [position], tag)
    svc.set_target(w.alice, position, target_eoy=250.0)
    bob_pid = svc.create_portfolio(w.bob, "Bob book").id
    bob_position = svc.add_position(w.bob, bob_pid, stock("MSFT", 1, 100.0, DAY))
    return Ids(pid, position, tag, bob_position, svc.create_tag(w.bob, "His", "#222222").id)


def _alice_state(w: World, pid: int) -> tuple[object, ...]:
    svc = w.svc
    return (
        svc.get_portfolio(w.alice, pid),
        svc.export_positions(w.alice, pid),
        svc.export_targets(w.alice, pid),
        svc.tags(w.alice),
        len(svc.cash_flows(w.alice, pid)),
    )


def test_every_method_refuses_another_users_ids_and_changes_nothing(world: World) -> None:
    ids = _setup(world)
    before = _alice_state(world, ids.pid)
    assert [p.name for p in world.svc.list_portfolios(world.bob)] == ["Bob book"]
    for name, attempt in ATTEMPTS.items():  # one database for all 28 attempts keeps the test fast
        with pytest.raises(PermissionDenied, match=r"is not one of yours\.") as info:
            attempt(world.svc, world.bob, ids)
        assert "Alice" not in str(info.value), name
    assert _alice_state(world, ids.pid) == before


def test_a_missing_id_and_a_foreign_id_give_the_same_message(world: World) -> None:
    ids = _setup(world)
    with pytest.raises(PermissionDenied) as foreign:
        world.svc.view(world.bob, ids.pid)
    missing_id = ids.pid + 1000
    with pytest.raises(PermissionDenied) as missing:
        world.svc.view(world.bob, missing_id)
    assert str(foreign.value) == f"Portfolio {ids.pid} is not one of yours."
    assert str(missing.value) == f"Portfolio {missing_id} is not one of yours."


def test_a_mixed_request_names_the_first_foreign_position(world: World) -> None:
    ids = _setup(world)
    with pytest.raises(PermissionDenied) as info:
        world.svc.tag_positions(world.bob, [ids.bob_position, ids.position], ids.bob_tag)
    assert str(info.value) == f"Position {ids.position} is not one of yours."


def test_targets_of_a_book_accept_its_positions_and_refuse_the_owners_other_book(world: World) -> None:
    ids = _setup(world)
    other = world.svc.create_portfolio(world.alice, "Alice second").id
    elsewhere = world.svc.add_position(world.alice, other, stock("MSFT", 2, 50.0, DAY))
    mine = pd.DataFrame({"position_id": [ids.position], "target_eoy": [275.0]})
    assert world.svc.bulk_set_targets(world.alice, ids.pid, mine) == 1
    before = world.svc.export_targets(world.alice, ids.pid)
    assert b"275" in before
    foreign = pd.DataFrame({"position_id": [ids.position, elsewhere], "target_eoy": [1.0, 2.0]})
    with pytest.raises(PermissionDenied) as info:  # her own position, but listed against the wrong book
        world.svc.bulk_set_targets(world.alice, ids.pid, foreign)
    assert str(info.value) == f"Position {elsewhere} is not one of yours."
    assert world.svc.export_targets(world.alice, ids.pid) == before


def test_the_owner_reads_every_field_of_her_portfolio(world: World) -> None:
    pid = world.svc.create_portfolio(world.alice, "Desc book", benchmark="QQQ", cash=42.5, description="long tech").id
    world.svc.archive_portfolio(world.alice, pid)
    got = world.svc.get_portfolio(world.alice, pid)
    assert (got.id, got.name, got.description, got.benchmark) == (pid, "Desc book", "long tech", "QQQ")
    assert (got.base_currency, got.cash, got.archived) == ("USD", 42.5, True)
