"""Broker files through the portfolio service: ISINs resolved from stored profiles, a chosen preset."""

from __future__ import annotations

import pandas as pd

from sigma.portfolio.service import BrokerPreview, ImportOptions
from tests.portfolio.files.test_brokers import BROKERS
from tests.portfolio.test_service_support import World, world_fixture  # noqa: F401

DEGIRO = (BROKERS / "degiro/portfolio_en_semicolon.csv").read_bytes()


def test_isin_only_rows_resolve_through_the_stored_profiles_and_an_unknown_isin_is_named(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "EU")
    preview = world.svc.preview_import(world.alice, book.id, DEGIRO)
    assert isinstance(preview, BrokerPreview)
    assert preview.preset_label == "Degiro portfolio export"
    assert [(d.symbol, d.quantity, d.entry_price) for d in preview.valid_drafts] == [
        ("AAPL", 10.0, 230.5),
        ("MSFT", 5.0, 420.0),
    ]
    assert [r.reasons[0] for r in preview.rows if r.draft is None] == [
        "ISIN IE00B3RBWM25 is in no security profile; add the profile with its ISIN or write the ticker"
    ]
    assert preview.cash_total == 1234.56


def test_commit_with_the_chosen_preset_writes_the_positions_and_never_the_cash_line(world: World) -> None:
    book = world.svc.create_portfolio(world.alice, "EU")
    result = world.svc.commit_import(world.alice, book.id, DEGIRO, options=ImportOptions("degiro"))
    assert (result.imported, result.skipped) == (2, 0)
    again = world.svc.preview_import(world.alice, book.id, DEGIRO, ImportOptions("degiro"))
    assert [r.reasons[-1] for r in again.rows if r.draft is not None] == ["already imported", "already imported"]
    assert world.svc.get_portfolio(world.alice, book.id).cash == 0


def test_a_profile_refreshed_without_an_isin_still_resolves_through_the_reference_code(world: World) -> None:
    live = pd.DataFrame({"symbol": ["AAPL"], "name": ["Apple Inc."], "asset_class": ["equity"]})
    world.store.upsert_profiles(live, "live")  # Yahoo-style profile: no ISIN
    book = world.svc.create_portfolio(world.alice, "EU")
    preview = world.svc.preview_import(world.alice, book.id, DEGIRO)
    assert [d.symbol for d in preview.valid_drafts] == ["AAPL", "MSFT"]
