"""Portfolio service: tags, bulk tagging and automatic sector tags (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from sigma.conventions import PositionType
from sigma.errors import ValidationError
from tests.portfolio.test_service_support import World, option, stock, world_fixture  # noqa: F401

DAY = date(2026, 6, 1)


def _counts(w: World) -> dict[str, int]:
    return {t.name: t.n_positions for t in w.svc.tags(w.alice)}


def test_tags_are_created_renamed_recoloured_and_deleted(world: World) -> None:
    svc, alice = world.svc, world.alice
    tag = svc.create_tag(alice, " Core ", "#AABBCC")
    assert (tag.name, tag.color, tag.auto, tag.n_positions) == ("Core", "#aabbcc", False, 0)
    svc.rename_tag(alice, tag.id, "Long term")
    svc.recolor_tag(alice, tag.id, "#112233")
    assert [(t.name, t.color) for t in svc.tags(alice)] == [("Long term", "#112233")]
    svc.delete_tag(alice, tag.id)
    assert svc.tags(alice) == []


def test_bad_tag_names_and_colours_are_named(world: World) -> None:
    svc, alice = world.svc, world.alice
    svc.create_tag(alice, "Core", "#000000")
    for name, color, match in [
        ("Core", "#000000", "name: you already have a tag"),
        ("", "#000000", "name: a tag"),
        ("x" * 65, "#000000", "name: a tag"),
        ("Ok", "red", "color: use a hex"),
    ]:
        with pytest.raises(ValidationError, match=match):
            svc.create_tag(alice, name, color)
    assert svc.create_tag(world.bob, "Core", "#000000").name == "Core"  # unique per owner only


def test_bulk_tagging_is_idempotent_and_counts_positions(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "P")
    ids = [svc.add_position(alice, book.id, stock(s, 1, 100.0, DAY)) for s in ("AAPL", "MSFT", "XOM")]
    tag = svc.create_tag(alice, "Watch", "#000000")
    svc.tag_positions(alice, ids[:2], tag.id)
    svc.tag_positions(alice, ids, tag.id)  # ids[:2] already tagged: no duplicate, no error
    assert _counts(world) == {"Watch": 3}
    svc.untag_positions(alice, ids[1:], tag.id)
    assert _counts(world) == {"Watch": 1}
    holdings = svc.view(alice, book.id).holdings.set_index("position_id")
    assert holdings.loc[ids[0], "tags"] == ["Watch"] and holdings.loc[ids[2], "tags"] == []


def test_sector_tags_follow_the_profile_of_the_priced_symbol(world: World) -> None:
    svc, alice = world.svc, world.alice
    book = svc.create_portfolio(alice, "P")
    svc.add_position(alice, book.id, stock("AAPL", 1, 100.0, DAY))
    svc.add_position(alice, book.id, stock("XOM", 1, 100.0, DAY))
    svc.add_position(alice, book.id, option("NVDA", PositionType.LC, 1, 5.0, DAY, 150.0, date(2027, 1, 15)))
    svc.add_position(alice, book.id, stock("SPY", 1, 100.0, DAY))  # no sector: not tagged
    assert svc.sync_sector_tags(alice, book.id) == 3
    assert svc.sync_sector_tags(alice, book.id) == 3  # a second sync changes nothing
    tags = {t.name: t for t in svc.tags(alice)}
    assert {n: t.n_positions for n, t in tags.items()} == {"Energy": 1, "Information Technology": 2}
    assert all(t.auto for t in tags.values())
    view = svc.view(alice, book.id, tag="Energy")
    assert list(view.holdings["symbol"]) == ["XOM"]
