"""Broker positions files: sample files line by line, validation, fingerprints."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.conventions import PositionType
from sigma.delimited import NumberStyle
from sigma.errors import ValidationError
from sigma.portfolio.files.positions import parse_positions_csv
from sigma.portfolio.model import PositionDraft, RowStatus, position_fingerprint
from tests.portfolio.files.support import AS_OF, DATA, ERROR, OK, WARNING, only_row, parse

# --- the sample files ------------------------------------------------------------------------


def test_the_clean_file_gives_one_ok_draft_per_line():
    preview = parse_positions_csv((DATA / "positions_clean.csv").read_bytes(), AS_OF)
    assert [(r.line, r.status) for r in preview.rows] == [(n, OK) for n in range(2, 7)]
    aapl, _, tsla, call, put = preview.valid_drafts
    assert aapl == PositionDraft("AAPL", PositionType.LONG, 100.0, 150.25, date(2026, 1, 5), notes="core holding")
    assert (tsla.position_type, tsla.quantity) == (PositionType.SHORT, 20.0)
    assert call == PositionDraft(
        "AAPL270115C00200000",
        PositionType.LC,
        2.0,
        12.40,
        date(2026, 4, 1),
        "AAPL",
        200.0,
        date(2027, 1, 15),
        100.0,
        "long-dated call",
    )
    assert (put.symbol, put.position_type, put.strike, put.expiry) == (
        "SPY261218P00520000",
        "SP",
        520.0,
        date(2026, 12, 18),
    )
    assert (preview.errors, preview.warnings) == (0, 0)


MESSY_EXPECTED = {
    5: (OK, ""),
    6: (OK, ""),
    7: (WARNING, "negative quantity read as short"),
    8: (OK, ""),
    9: (OK, ""),
    10: (WARNING, "type 'Sell' read as short"),
    11: (ERROR, "type 'Futures' is unknown"),
    12: (ERROR, "quantity -1234.5 is negative for a long position"),
    13: (ERROR, "strike is missing for an option"),
    14: (ERROR, "expiry 2026-06-19 is not after the entry date 2026-08-01"),
    15: (ERROR, "entry date '11/31/2026' is not a date"),
    16: (ERROR, "price is 0"),
    17: (ERROR, "entry date 2026-12-01 is after the as-of date 2026-11-20"),
    18: (WARNING, "duplicate of line 5"),
}


def test_the_messy_broker_file_gives_the_expected_status_and_reason_per_line():
    preview = parse_positions_csv((DATA / "positions_messy_broker.csv").read_bytes(), AS_OF)
    got = {r.line: (r.status, "; ".join(r.reasons)) for r in preview.rows}
    assert {line: status for line, (status, _) in got.items()} == {k: v[0] for k, v in MESSY_EXPECTED.items()}
    for line, (_, reason) in MESSY_EXPECTED.items():
        assert reason in got[line][1], f"line {line}: {got[line][1]!r}"
    assert (preview.errors, preview.warnings, len(preview.valid_drafts)) == (7, 3, 7)


def test_the_messy_file_values_are_read_through_bom_thousands_currency_and_us_dates():
    drafts = parse_positions_csv((DATA / "positions_messy_broker.csv").read_bytes(), AS_OF).valid_drafts
    aapl, msft, nvda, call, put, qqq = drafts[:6]
    # "1,200" -> 1200; "$1,234.50" -> 1234.5; 11/03/2025 month-first -> 3 November 2025
    assert (aapl.symbol, aapl.quantity, aapl.entry_price, aapl.entry_date) == ("AAPL", 1200, 1234.5, date(2025, 11, 3))
    assert (msft.symbol, msft.entry_date) == ("MSFT", date(2026, 2, 10))  # "msft " upper-cased and stripped
    assert (nvda.position_type, nvda.quantity, nvda.entry_date) == (PositionType.SHORT, 150, date(2026, 3, 15))
    assert (call.symbol, call.position_type, call.underlying, call.strike) == ("AAPL270115C00200000", "LC", "AAPL", 200)
    assert (put.symbol, put.position_type, put.multiplier) == ("SPY261218P00520000", PositionType.SP, 100)
    assert (qqq.position_type, qqq.entry_price, qqq.expiry) == (PositionType.SP, 1015.0, date(2027, 3, 19))


def test_the_messy_file_dialect_preamble_and_footer_are_reported():
    detected = parse_positions_csv((DATA / "positions_messy_broker.csv").read_bytes(), AS_OF).detected
    assert (detected.encoding, detected.bom, detected.delimiter) == ("utf-8", True, ";")
    assert (detected.header_line, detected.preamble_lines) == (4, (1, 2))
    assert [(s.line, s.reason) for s in detected.skipped] == [(19, "blank line"), (20, "footer"), (21, "footer")]
    assert dict(detected.columns)["Cost Basis/Share"] == "price"
    assert dict(detected.columns)["Put/Call"] == "option_type"
    assert detected.number_style is NumberStyle.US
    assert detected.date_formats == ("ISO", "MM/DD/YY", "MM/DD/YYYY")


# --- validation -------------------------------------------------------------------------------

HEAD = "symbol,type,quantity,price,date,strike,expiry,option type\n"


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("AAPL,LONG,10,(12.50),2026-01-02,,,", "price -12.5 is negative"),
        ("AAPL,LONG,10,,2026-01-02,,,", "price is missing"),
        ("AAPL,LONG,0,10,2026-01-02,,,", "quantity is 0"),
        ("AAPL,LONG,ten,10,2026-01-02,,,", "quantity 'ten' is not a number"),
        (",LONG,1,10,2026-01-02,,,", "symbol is missing"),
        ("AAPL INC,LONG,1,10,2026-01-02,,,", "symbol 'AAPL INC' is not a ticker"),
        ("AAPL,LONG,1,10,2026-01-02,0,2026-12-18,call", "strike 0 is not positive"),
        ("AAPL,LONG,1,10,2026-01-02,150,,", "call/put and expiry are missing for an option"),
        ("AAPL  270115C00200000,LC,1,10,2026-01-02,210,,", "strike 210 disagrees with the symbol's 200"),
        ("AAPL  271315C00200000,LC,1,10,2026-01-02,,,", "impossible expiry date 271315"),
        ("AAPL,LONG SHORT,1,10,2026-01-02,,,", "type 'LONG SHORT' contradicts itself"),
    ],
)
def test_each_bad_row_is_an_error_whose_reason_names_the_field_and_value(row, reason):
    result = only_row(HEAD + row + "\n")
    assert result.status is ERROR and result.draft is None
    assert reason in "; ".join(result.reasons)


@pytest.mark.parametrize(
    ("type_text", "option_type", "expected"),
    [
        ("Long Call", "", PositionType.LC),
        ("Short", "Put", PositionType.SP),
        ("SC", "", PositionType.SC),
        ("Buy", "C", PositionType.LC),
        ("", "put", PositionType.LP),
    ],
)
def test_options_in_separate_columns_get_their_type_from_side_and_put_call(type_text, option_type, expected):
    draft = only_row(HEAD + f"XOM,{type_text},2,3.5,2026-01-02,110,2027-01-15,{option_type}\n").draft
    assert (draft.position_type, draft.symbol, draft.underlying) == (expected, draft.symbol, "XOM")
    assert (draft.strike, draft.expiry, draft.multiplier) == (110, date(2027, 1, 15), 100)


def test_a_negative_quantity_on_a_short_row_is_a_plain_short():
    row = only_row(HEAD + "TSLA,SHORT,-20,245,2026-01-02,,,\n")
    assert (row.status, row.draft.position_type, row.draft.quantity) == (OK, PositionType.SHORT, 20)


def test_a_negative_option_quantity_without_side_is_a_short_option_with_a_warning():
    row = only_row(HEAD + "AAPL270115P00150000,,-3,4.2,2026-01-02,,,\n")
    assert (row.status, row.draft.position_type, row.reasons) == (
        WARNING,
        PositionType.SP,
        ("negative quantity read as short",),
    )


def test_a_missing_entry_date_becomes_the_as_of_date_with_a_warning():
    row = only_row(HEAD + "AAPL,LONG,1,10,,,,\n")
    assert (row.status, row.draft.entry_date) == (WARNING, AS_OF)


def test_an_expired_option_is_a_warning_not_an_error():
    row = only_row(HEAD + "AAPL  260116C00200000,LC,1,10,2025-12-01,,,\n")
    assert (row.status, row.reasons) == (WARNING, ("option expired on 2026-01-16",))


def test_unknown_symbols_are_errors_and_options_are_checked_by_underlying():
    text = (
        HEAD + "AAPL,LONG,1,10,2026-01-02,,,\nxyz,LONG,1,10,2026-01-02,,,\nAAPL270115C00200000,LC,1,2,2026-01-02,,,\n"
    )
    preview = parse(text, known=["aapl "])
    assert [r.status for r in preview.rows] == [OK, ERROR, OK]
    assert preview.rows[1].reasons == ("unknown symbol XYZ",)


def test_a_stock_multiplier_other_than_one_is_ignored_with_a_warning():
    row = only_row("symbol,qty,price,date,multiplier\nAAPL,1,10,2026-01-02,100\n")
    assert (row.status, row.draft.multiplier) == (WARNING, 1.0)


def test_a_draft_cannot_be_built_invalid():
    with pytest.raises(ValidationError):
        PositionDraft("AAPL", PositionType.LONG, -1, 10, AS_OF)
    with pytest.raises(ValidationError):
        PositionDraft("AAPL", PositionType.LC, 1, 10, AS_OF)  # an option without strike and expiry


# --- determinism and fingerprints ----------------------------------------------------------


def test_parsing_twice_gives_equal_previews_and_fingerprints():
    data = (DATA / "positions_messy_broker.csv").read_bytes()
    first, second = parse_positions_csv(data, AS_OF), parse_positions_csv(data, AS_OF)
    assert first == second
    assert [first.fingerprint(d) for d in first.valid_drafts] == [second.fingerprint(d) for d in second.valid_drafts]


def test_the_fingerprint_is_the_documented_readable_key():
    draft = PositionDraft(
        "AAPL270115C00200000", PositionType.LC, 2.0, 12.4, date(2026, 4, 1), "AAPL", 200.0, date(2027, 1, 15), 100
    )
    assert position_fingerprint(draft) == "AAPL270115C00200000|LC|2|12.4|2026-04-01|200|2027-01-15|100"


def test_the_same_position_written_three_ways_has_one_fingerprint_and_notes_do_not_count():
    ways = [
        "AAPL  270115C00200000,LC,2,12.40,2026-04-01,,,\n",
        ".AAPL270115C200,Long,2,12.4,04/01/2026,,,\n",
        "AAPL,Long,2,$12.40,2026-04-01,200,2027-01-15,Call\n",
    ]
    prints = {position_fingerprint(only_row(HEAD + w).draft) for w in ways}
    assert len(prints) == 1


def test_the_clean_and_messy_files_agree_on_a_shared_position():
    clean = parse_positions_csv((DATA / "positions_clean.csv").read_bytes(), AS_OF).valid_drafts
    messy = parse_positions_csv((DATA / "positions_messy_broker.csv").read_bytes(), AS_OF).valid_drafts
    assert {position_fingerprint(d) for d in clean} & {position_fingerprint(d) for d in messy} == {
        "AAPL270115C00200000|LC|2|12.4|2026-04-01|200|2027-01-15|100"
    }


def test_to_frame_has_one_display_row_per_data_line():
    preview = parse_positions_csv((DATA / "positions_messy_broker.csv").read_bytes(), AS_OF)
    frame = preview.to_frame()
    assert list(frame.columns[:8]) == ["line", "status", "reason", "symbol", "type", "quantity", "price", "date"]
    assert list(frame["line"]) == [r.line for r in preview.rows]
    assert frame.loc[frame["line"] == 11, "symbol"].item() == "IBM"  # error rows still show what was written


# --- properties ----------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(quantity=st.integers(min_value=1, max_value=10**7))
def test_any_negative_quantity_without_a_side_reads_as_that_many_shares_short(quantity):
    row = only_row(f"symbol,qty,price,date\nAAPL,-{quantity},10,2026-01-02\n")
    assert (row.draft.position_type, row.draft.quantity) == (PositionType.SHORT, quantity)


def test_a_quantity_the_commit_would_refuse_is_an_error_in_the_preview_not_ok() -> None:
    # 5,000,000,000 is a well-formed number, but five times the 1,000,000,000 bound of `rules`.
    data = b'Symbol,Quantity,Price,Date\nAAPL,"5,000,000,000",190.00,2026-01-05\nMSFT,10,400.00,2026-01-05\n'
    preview = parse_positions_csv(data, AS_OF)
    first, second = preview.rows
    assert first.draft is None
    assert (first.status, first.reasons) == (
        RowStatus.ERROR,
        ("quantity: must be a number greater than 0 and at most 1,000,000,000 (got 5000000000.0).",),
    )
    assert second.draft is not None and second.draft.quantity == 10.0
