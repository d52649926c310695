"""Hostile files meet one clear, bounded message each, before they can exhaust the server."""

from __future__ import annotations

import time
from datetime import date

import pytest

from sigma.delimited import MAX_ROWS, NumberStyle, TableSchema, parse_number, read_table, summarize
from sigma.delimited.cells import CellError, CellReader
from sigma.errors import ValidationError

SCHEMA = TableSchema(
    synonyms={"symbol": ("symbol",), "quantity": ("quantity",), "date": ("date",), "notes": ("notes",)},
    required=(("symbol",), ("quantity",)),
    number_fields=frozenset({"quantity"}),
    date_fields=frozenset({"date"}),
)
BOUND = 2_000  # characters any message about a file may have


def _refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        read_table(data, SCHEMA)
    message = str(caught.value)
    assert len(message) < BOUND
    return message


def _rows(n: int) -> bytes:
    return b"symbol,quantity,date\n" + b"".join(f"S{i},10,2026-01-05\n".encode() for i in range(n))


def test_a_file_at_the_row_cap_is_read_and_one_row_more_is_refused_with_the_count() -> None:
    assert len(read_table(_rows(MAX_ROWS), SCHEMA).rows) == 10_000
    message = _refused(_rows(MAX_ROWS + 1))
    assert message == (
        "This file has 10,001 rows; Sigma imports at most 10,000 at a time: "
        "split it into files of 10,000 rows or fewer and import them one after the other."
    )


def test_two_hundred_thousand_error_rows_are_refused_before_parsing_with_their_count() -> None:
    started = time.perf_counter()
    data = b"symbol,quantity\n" + b"".join(f"S{i},lots\n".encode() for i in range(200_000))  # 2.5 MB
    message = _refused(data)
    assert message.startswith("This file has 200,000 rows; Sigma imports at most 10,000 at a time")
    assert time.perf_counter() - started < 10.0  # a line count, not 200,000 parsed rows


def test_five_megabytes_of_blank_lines_are_refused_fast_with_their_count() -> None:
    data = b"symbol,quantity\nAAPL,1\n" + b"\n" * 4_999_000
    started = time.perf_counter()
    message = _refused(data)
    assert time.perf_counter() - started < 10.0  # was 47 s
    assert message.startswith("This file has 4,999,000 empty lines (nothing but separators or spaces)")


def test_lines_of_bare_separators_count_as_blank_lines() -> None:
    message = _refused(b"symbol,quantity\n" + b",,,\n" * 1_200_000)
    assert "1,200,000 empty lines" in message


def test_a_cell_over_the_csv_field_limit_names_its_line_and_the_limit() -> None:
    data = b'symbol,quantity,notes\nAAPL,1,ok\nMSFT,2,"' + b"x" * 200_000 + b'"\n'
    message = _refused(data)
    assert message.startswith("Line 3: field larger than field limit (131072): a cell is longer than 131,072")
    assert "quote" in message


def test_a_long_cell_under_the_csv_limit_is_refused_with_its_length() -> None:
    message = _refused(b"symbol,quantity,notes\nAAPL,1," + b"y" * 50_000 + b"\n")
    assert message == (
        "Line 2: a cell is 50,000 characters long; the limit is 10,000. "
        "Check that this is the right file, or shorten the cell."
    )


def test_an_unterminated_quote_that_swallows_the_next_rows_names_the_lines_it_spans() -> None:
    data = b'symbol,quantity,notes\nAAPL,10,"oops\nMSFT,5,fine\nGOOG,1,x\n'
    message = _refused(data)
    assert message.startswith("Line 2: a quote opened on this line is not closed until line 4")


def test_a_quoted_note_on_two_lines_is_still_one_cell() -> None:
    table = read_table(b'symbol,quantity,notes\nAAPL,10,"first line\nsecond line"\nMSFT,5,x\n', SCHEMA)
    assert [(r.line, r.cells[2]) for r in table.rows] == [(2, "first line\nsecond line"), (4, "x")]


def test_dates_written_day_first_and_month_first_in_one_file_are_refused_naming_one_of_each() -> None:
    data = b"symbol,quantity,date\nAAPL,1,01/02/2026\nMSFT,2,25/03/2026\nGOOG,3,03/26/2026\n"
    assert _refused(data) == (
        "Dates are written both day-first (line 3: 25/03/2026) and month-first (line 4: 03/26/2026). "
        "Write every date one way, best as 2026-11-20, and retry."
    )


def test_a_file_read_day_first_says_which_line_showed_it() -> None:
    table = read_table(b"symbol,quantity,date\nAAPL,1,01/02/2026\nMSFT,2,25/03/2026\n", SCHEMA)
    assert table.detected.notes == ("Dates read day-first (DD/MM/YYYY): line 3 has 25/03/2026.",)
    assert [table.reader.date(r.cells[2], "date") for r in table.rows] == [
        date(2026, 2, 1),
        date(2026, 3, 25),
    ]


@pytest.mark.parametrize("text", ["1" * 400, "9" * 31, "inf", "-inf", "Infinity", "1e400", "NaN%"])
def test_an_absurd_number_is_not_a_number_never_infinity(text: str) -> None:
    assert parse_number(text, NumberStyle.US) is None
    with pytest.raises(CellError) as caught:
        CellReader().number(text, "quantity")
    assert str(caught.value).startswith("quantity ") and str(caught.value).endswith(" is not a number")
    assert len(str(caught.value)) < 120


def test_a_400_digit_quantity_is_quoted_clipped_with_its_length() -> None:
    with pytest.raises(CellError) as caught:
        CellReader().number("1" * 400, "quantity")
    assert str(caught.value) == f"quantity '{'1' * 40}'… (400 characters) is not a number"


def test_the_longest_number_a_broker_writes_still_reads() -> None:
    assert parse_number("123,456,789,012.123456", NumberStyle.US) == 123_456_789_012.123456


def test_a_summary_of_many_errors_shows_the_first_ten_and_the_count_of_the_rest() -> None:
    errors = [f"line {i}: quantity 'x' is not a number" for i in range(2, 3_002)]
    text = summarize(errors)
    assert text.startswith("line 2: quantity 'x' is not a number | line 3:")
    assert text.endswith(" | line 11: quantity 'x' is not a number | and 2,990 more")
    assert len(text) < BOUND


def test_a_price_history_file_has_no_row_cap() -> None:
    schema = TableSchema({"date": ("date",), "close": ("close",)}, (("date", "close"),), max_rows=None)
    data = b"date,close\n" + b"".join(f"2026-01-05,{i}\n".encode() for i in range(12_000))
    assert len(read_table(data, schema).rows) == 12_000
