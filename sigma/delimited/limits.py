"""What a delimited file may not do to the server: the caps, and one bounded message for each breach.

Every check raises `ValidationError` with one message that says what is wrong and what to do,
never longer than a few hundred characters whatever the file holds (`clip`, `summarize`):

- a file over `MAX_BYTES`, or over a schema's row cap (`MAX_ROWS` data rows by default);
- more than `MAX_BLANK_LINES` empty lines (only separators or spaces): rejected before parsing,
  so a 5 MB file of blank lines costs a line count, not a parse;
- a cell longer than `MAX_CELL_CHARS` or the csv module's field limit, and a quote left open
  that swallows the following lines into one row (the lines it spans are named);
- numeric dates written both day-first and month-first in one file (an example of each is named).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

from sigma.errors import ValidationError

MAX_BYTES = 5_000_000
MAX_ROWS = 10_000
MAX_BLANK_LINES = 1_000
MAX_CELL_CHARS = 10_000
SHOWN = 10  # errors listed in a summary before "and N more"
CLIP_CHARS = 40  # characters of a cell quoted in a message


def clip(text: str, limit: int = CLIP_CHARS) -> str:
    """`text` cut to `limit` characters with an ellipsis and its length when longer."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def summarize(messages: Sequence[str], shown: int = SHOWN) -> str:
    """The first `shown` messages joined with ' | ', each clipped, then 'and N more' (bounded length)."""
    head = " | ".join(clip(m, 200) for m in messages[:shown])
    more = len(messages) - shown
    return f"{head} | and {more:,} more" if more > 0 else head


def check_bytes(size: int) -> None:
    """Refuse a file over `MAX_BYTES`."""
    if size > MAX_BYTES:
        raise ValidationError(f"The file is {size:,} bytes; the limit is {MAX_BYTES:,}. Split it and retry.")


def too_many_rows(count: int, max_rows: int) -> ValidationError:
    """The one message for a file over the row cap."""
    return ValidationError(
        f"This file has {count:,} rows; Sigma imports at most {max_rows:,} at a time: "
        f"split it into files of {max_rows:,} rows or fewer and import them one after the other."
    )


def check_lines(lines: Sequence[str], max_rows: int | None, scan_lines: int) -> None:
    """Reject, before any parsing, a file of blank lines or with far more lines than the row cap."""
    filled = sum(1 for line in lines if line.strip(" \t,;\"'"))
    blank = len(lines) - filled - (1 if lines and not lines[-1] else 0)  # a final newline is not a blank line
    if blank > MAX_BLANK_LINES:
        raise ValidationError(
            f"This file has {blank:,} empty lines (nothing but separators or spaces); at most {MAX_BLANK_LINES:,} "
            "are accepted. Remove the empty lines (or export the file again) and retry."
        )
    if max_rows is not None and filled > max_rows + scan_lines:
        raise too_many_rows(filled - 1, max_rows)


def csv_failure(line: int, error: csv.Error) -> ValidationError:
    """The message for the csv module giving up on a record (a cell over its field limit)."""
    return ValidationError(
        f"Line {line:,}: {clip(str(error), 80)}: a cell is longer than {csv.field_size_limit():,} characters. "
        'Usually a quote (") is left open; close it, or check that this is the right file.'
    )


def check_cells(line: int, last_line: int, cells: Sequence[str], delimiter: str) -> None:
    """Refuse a record with an over-long cell, or whose quoted cell swallowed following rows."""
    longest = max((len(c) for c in cells), default=0)
    swallowed = last_line > line and any("\n" in c and delimiter in c.split("\n", 1)[1] for c in cells)
    if swallowed:
        raise ValidationError(
            f"Line {line:,}: a quote opened on this line is not closed until line {last_line:,}, so lines "
            f"{line:,} to {last_line:,} were read as one row. Close the quote (or remove it) and retry."
        )
    if longest > MAX_CELL_CHARS:
        raise ValidationError(
            f"Line {line:,}: a cell is {longest:,} characters long; the limit is {MAX_CELL_CHARS:,}. "
            "Check that this is the right file, or shorten the cell."
        )


def mixed_date_orders(examples: dict[bool, tuple[int, str]]) -> ValidationError:
    """The message for a file with dates only day-first can read and dates only month-first can read."""
    (day_line, day_text), (month_line, month_text) = examples[True], examples[False]
    return ValidationError(
        f"Dates are written both day-first (line {day_line:,}: {clip(day_text)}) and month-first "
        f"(line {month_line:,}: {clip(month_text)}). Write every date one way, best as 2026-11-20, and retry."
    )
