"""Broker-file dialects: encodings, delimiters, number and date styles, headers and footers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.delimited import DateOrder, NumberStyle, parse_number
from sigma.errors import ValidationError
from sigma.portfolio.files.positions import parse_positions_csv
from tests.portfolio.files.support import AS_OF, ERROR, OK, only_row, parse

# --- dialects --------------------------------------------------------------------------------


def test_european_numbers_in_a_semicolon_file_are_detected_per_file():
    preview = parse("Symbol;Quantity;Price;Date\nSAP;1.234;1.234,50;20.11.2025\nSIE;10;98,7;01.02.2026\n")
    assert preview.detected.number_style is NumberStyle.EUROPEAN
    sap, sie = preview.valid_drafts
    # "1.234" -> 1234 shares, "1.234,50" -> 1234.5, dotted dates are day-first
    assert (sap.quantity, sap.entry_price, sap.entry_date) == (1234, 1234.5, date(2025, 11, 20))
    assert (sie.entry_price, sie.entry_date) == (98.7, date(2026, 2, 1))


def test_quoted_thousands_in_a_comma_file_and_two_digit_us_years_are_read():
    draft = only_row('Ticker,Shares,Avg Cost,Open Date\nAAPL,"1,234","$1,234.50",11/20/26\n').draft
    assert (draft.quantity, draft.entry_price, draft.entry_date) == (1234, 1234.5, date(2026, 11, 20))


def test_a_tab_separated_file_is_sniffed():
    preview = parse("instrument\tunits\tprice\ttrade date\nMSFT\t5\t400\t2026-01-02\n")
    assert preview.detected.delimiter == "\t"
    assert preview.valid_drafts[0].quantity == 5


def test_a_day_above_twelve_in_first_place_makes_the_file_day_first():
    preview = parse("symbol,qty,price,date\nA,1,10,25/03/2026\nB,1,10,04/05/2026\n")
    assert preview.detected.date_order is DateOrder.DAY_FIRST
    assert [d.entry_date for d in preview.valid_drafts] == [date(2026, 3, 25), date(2026, 5, 4)]


def test_a_windows_1252_file_is_read_with_a_note():
    preview = parse_positions_csv("symbol,qty,price,notes\nNESN,3,95,Nestlé\n".encode("cp1252"), AS_OF)
    assert preview.detected.encoding == "cp1252"
    assert "not UTF-8" in preview.detected.notes[0]
    assert preview.valid_drafts[0].notes == "Nestlé"


def test_a_utf16_file_with_bom_is_read():
    data = "\ufeffsymbol\tqty\tprice\tdate\nIBM\t2\t180\t2026-01-02\n".encode("utf-16-le")
    assert parse_positions_csv(data, AS_OF).valid_drafts[0].symbol == "IBM"


@pytest.mark.parametrize(
    "price_header", ["Cost Basis Per Share", "AVG. COST", "average price", "cost/share", "Price ($)"]
)
def test_price_header_synonyms_map_to_the_entry_price(price_header):
    assert only_row(f"Symbol,Qty,{price_header},Date\nAAPL,1,10,2026-01-02\n").draft.entry_price == 10


def test_a_better_price_synonym_wins_and_unknown_columns_are_listed_as_ignored():
    preview = parse("Symbol,Qty,Price,Avg Cost,Last Price,Memo Code,Date\nAAPL,1,999,10,12,x,2026-01-02\n")
    assert preview.valid_drafts[0].entry_price == 10
    # "Last Price" is read (the market price, the entry price of last resort); "Price" loses to "Avg Cost"
    assert preview.detected.ignored_columns == ("Price", "Memo Code")


def test_a_file_without_a_header_is_refused_with_advice():
    with pytest.raises(ValidationError, match="No header row found"):
        parse("AAPL,1,10\nMSFT,2,20\n")


def test_an_excel_workbook_is_refused_with_advice():
    with pytest.raises(ValidationError, match="Save As"):
        parse_positions_csv(b"PK\x03\x04rest-of-zip", AS_OF)


# --- properties ----------------------------------------------------------------------------

_amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(amount=_amounts, negative=st.booleans(), parens=st.booleans())
def test_us_and_european_renderings_of_an_amount_parse_to_the_same_number(amount, negative, parens):
    us = f"{amount:,.2f}"
    eu = us.replace(",", "_").replace(".", ",").replace("_", ".")
    wrap = (lambda s: f"(${s})") if parens else (lambda s: f"-{s}")
    expected = -float(amount) if negative else float(amount)
    us, eu = (wrap(us), wrap(eu)) if negative else (us, eu)
    assert parse_number(us, NumberStyle.US) == pytest.approx(expected)
    assert parse_number(eu, NumberStyle.EUROPEAN) == pytest.approx(expected)


def test_a_ticker_that_reads_total_is_data_but_a_total_line_without_quantity_is_footer():
    preview = parse("symbol,qty,price,date\nTOTAL,5,10,2026-01-02\nTotal Account Value,,,\nAAPL,1,10,2026-01-02\n")
    assert [d.symbol for d in preview.valid_drafts] == ["TOTAL", "AAPL"]
    assert [(s.line, s.reason) for s in preview.detected.skipped] == [(3, "footer")]


def test_a_repeated_header_and_blank_lines_between_sections_are_skipped_and_recorded():
    text = "symbol,qty,price,date\nAAPL,1,10,2026-01-02\n\nSymbol,Qty,Price,Date\nMSFT,2,20,2026-01-02\n"
    preview = parse(text)
    assert [r.line for r in preview.rows] == [2, 5]
    assert [(s.line, s.reason) for s in preview.detected.skipped] == [(3, "blank line"), (4, "repeated header")]


def test_a_one_cell_line_between_data_rows_is_an_error_not_silently_dropped():
    preview = parse("symbol,qty,price,date\nAAPL,1,10,2026-01-02\nMSFT\nIBM,2,20,2026-01-02\n")
    assert [(r.line, r.status) for r in preview.rows] == [(2, OK), (3, ERROR), (4, OK)]
    assert preview.rows[1].reasons[:2] == ("quantity is missing", "price is missing")
