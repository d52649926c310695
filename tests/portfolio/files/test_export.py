"""CSV export: injection-safe cells, plain numbers and ISO dates, export → import round trip."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.conventions import PositionType
from sigma.instruments.occ import OccStyle, OccSymbol, OptionKind, format_occ
from sigma.portfolio.files.export import export_cell, positions_to_csv, targets_to_csv
from sigma.portfolio.files.positions import parse_positions_csv
from sigma.portfolio.files.targets import parse_targets_csv
from sigma.portfolio.model import PositionDraft, TargetDraft
from tests.portfolio.files.support import AS_OF, DATA

ATTACKS = ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(1)", "\tx", "\r=1", "＝1+1"]


def cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def frame_of(drafts) -> pd.DataFrame:
    return pd.DataFrame([asdict(d) for d in drafts])


def test_formula_strings_are_prefixed_with_a_quote_and_numbers_are_not():
    frame = pd.DataFrame({"symbol": ["A"] * len(ATTACKS), "notes": ATTACKS, "pnl": [-5] * len(ATTACKS)})
    body = cells(positions_to_csv(frame))[1:]
    assert [row[1] for row in body] == ["'" + a for a in ATTACKS]
    assert {row[2] for row in body} == {"-5"}


def test_harmless_text_and_a_string_that_only_contains_a_sign_later_is_left_alone():
    assert export_cell("core holding") == "core holding"
    assert export_cell("AAPL-B") == "AAPL-B"
    assert export_cell("it's -5 % off") == "it's -5 % off"


def test_text_already_quoted_before_a_formula_gets_one_more_quote_so_import_restores_it():
    assert export_cell("'=x") == "''=x"


def test_cells_are_written_as_plain_numbers_iso_dates_and_blanks():
    # 0.1 keeps its shortest round-trip form; 1e-7 is written without exponent notation
    values = [0.1, 1e-7, 100.0, np.int64(3), np.float64(-2.5), date(2026, 11, 20), pd.Timestamp("2026-11-20")]
    assert [export_cell(v) for v in values] == ["0.1", "0.0000001", "100", "3", "-2.5", "2026-11-20", "2026-11-20"]
    assert [export_cell(v) for v in (None, float("nan"), pd.NaT, pd.NA)] == ["", "", "", ""]
    assert export_cell(PositionType.SC) == "SC"


def test_known_columns_come_first_in_a_fixed_order_and_others_follow():
    frame = pd.DataFrame({"id": [7], "entry_price": [10.0], "symbol": ["AAPL"], "position_type": ["LONG"]})
    assert cells(positions_to_csv(frame))[0] == ["symbol", "type", "entry_price", "id"]


def test_the_default_is_plain_utf8_and_excel_bom_is_optional():
    frame = pd.DataFrame({"symbol": ["NESN"], "notes": ["Nestlé"]})
    assert positions_to_csv(frame).startswith(b"symbol,")
    assert positions_to_csv(frame, excel_bom=True).startswith(b"\xef\xbb\xbfsymbol,")
    assert "Nestlé" in positions_to_csv(frame).decode("utf-8")


def test_pandas_reads_the_export_to_the_same_numbers_and_dates():
    # peer check: pandas.read_csv on our bytes; exact equality (shortest repr round-trips floats)
    drafts = parse_positions_csv((DATA / "positions_clean.csv").read_bytes(), AS_OF).valid_drafts
    back = pd.read_csv(io.BytesIO(positions_to_csv(frame_of(drafts))))
    assert back["quantity"].tolist() == [d.quantity for d in drafts]
    assert back["entry_price"].tolist() == [d.entry_price for d in drafts]
    assert back["entry_date"].tolist() == [d.entry_date.isoformat() for d in drafts]


def test_export_then_import_gives_the_same_drafts_for_both_sample_files():
    for name in ("positions_clean.csv", "positions_messy_broker.csv"):
        drafts = parse_positions_csv((DATA / name).read_bytes(), AS_OF).valid_drafts
        again = parse_positions_csv(positions_to_csv(frame_of(drafts)), AS_OF)
        assert again.valid_drafts == drafts, name
        assert again.errors == 0


def test_notes_that_look_like_formulas_survive_the_round_trip_unchanged():
    notes = [a.strip() for a in ATTACKS] + ["'=quoted already", "''+twice", "'plain"]
    drafts = tuple(PositionDraft("AAPL", PositionType.LONG, i + 1, 10, AS_OF, notes=n) for i, n in enumerate(notes))
    assert parse_positions_csv(positions_to_csv(frame_of(drafts)), AS_OF).valid_drafts == drafts


def test_targets_export_then_import_gives_the_same_drafts():
    drafts = (TargetDraft("AAPL", 210.0, 240.5, 160.0, "=not a formula"), TargetDraft("MSFT", None, 520.0, None, ""))
    data = targets_to_csv(frame_of(drafts))
    assert cells(data)[0] == ["symbol", "target_eoy", "target_next_year", "downside", "note"]
    assert parse_targets_csv(data).valid_drafts == drafts


_notes = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12).map(str.strip)
_prices = st.integers(min_value=1, max_value=10**8).map(lambda c: c / 100)


@st.composite
def drafts(draw):
    root = draw(st.from_regex(r"[A-Z]{1,5}", fullmatch=True))
    entry = draw(st.dates(min_value=date(2000, 1, 1), max_value=AS_OF))
    kind = draw(st.sampled_from([None, OptionKind.CALL, OptionKind.PUT]))
    sign = draw(st.sampled_from([1, -1]))
    common = {"quantity": draw(_prices), "entry_price": draw(_prices), "entry_date": entry, "notes": draw(_notes)}
    if kind is None:
        ptype = PositionType.LONG if sign > 0 else PositionType.SHORT
        return PositionDraft(root, ptype, **common)
    expiry = draw(st.dates(min_value=max(entry, AS_OF), max_value=date(2099, 1, 1)).filter(lambda d: d > entry))
    occ = OccSymbol(root, expiry, kind, draw(st.integers(1, 10**7)) / 1000)
    ptype = {(1, "call"): PositionType.LC, (1, "put"): PositionType.LP, (-1, "call"): PositionType.SC}.get(
        (sign, kind), PositionType.SP
    )
    multiplier = draw(st.sampled_from([100.0, 10.0, 1000.0]))
    symbol = format_occ(occ, OccStyle.COMPACT)
    return PositionDraft(
        symbol, ptype, **common, underlying=root, strike=occ.strike, expiry=expiry, multiplier=multiplier
    )


@settings(max_examples=40, deadline=None)
@given(batch=st.lists(drafts(), min_size=1, max_size=4))
def test_any_valid_drafts_survive_export_then_import(batch):
    preview = parse_positions_csv(positions_to_csv(frame_of(batch)), AS_OF)
    assert preview.valid_drafts == tuple(batch)
    assert preview.errors == 0
