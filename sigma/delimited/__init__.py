"""Reading what brokers really export, one reader for broker files and price files.

`table` finds the encoding, delimiter, header, preamble and footer of a file; `cells` reads its
numbers, dates and text; `limits` holds the caps (bytes, rows, blank lines, cell length) and
turns each breach into one bounded message. Input is the uploaded file's bytes (never a path; no I/O here). The
names below are those the price-file reader (`sigma.market.providers.csv`) and the tests use.
"""

from __future__ import annotations

from sigma.delimited.cells import DateOrder, NumberStyle, parse_number
from sigma.delimited.limits import MAX_BYTES, MAX_ROWS, summarize
from sigma.delimited.table import DELIMITERS, RawTable, TableSchema, read_table

__all__ = [
    "DELIMITERS",
    "MAX_BYTES",
    "MAX_ROWS",
    "DateOrder",
    "NumberStyle",
    "RawTable",
    "TableSchema",
    "parse_number",
    "read_table",
    "summarize",
]
