"""Which preset reads a file: detected from its header, chosen by the user, or a column mapping.

`ImportOptions.preset` is "auto" (detect from the header; the generic preset when no broker
matches), a broker key from `presets.PRESETS`, or "generic". With "generic" and a
`mapping` (field -> header as written in the file) exactly those columns are read: the
column-mapping step of the import page for files no preset knows. `isins` maps ISIN ->
symbol (from the security profiles) for files that name instruments by ISIN only.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd

from sigma.delimited.table import normalise_header
from sigma.errors import ValidationError
from sigma.portfolio.files.presets import AUTO, BY_KEY, GENERIC, POSITION_FIELDS, PRESETS, BrokerPreset, detect_preset
from sigma.portfolio.files.rows import SYNONYMS

_SNIFF_BYTES = 64_000
_SCAN_LINES = 50  # as many as the table reader scans for its header
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class ImportOptions:
    """How to read a positions file: the preset, a column mapping (generic only), ISIN -> symbol."""

    preset: str = AUTO
    mapping: tuple[tuple[str, str], ...] = ()  # (field, header as written)
    isins: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)


def head_lines(data: bytes) -> list[str]:
    """The first lines of the file as text (BOM dropped; UTF-16 when it has a UTF-16 BOM)."""
    head = data[:_SNIFF_BYTES]
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("utf-8-sig", errors="replace")
    return re.split(r"\r\n|\r|\n", text)[:_SCAN_LINES]


def _cells(line: str) -> list[str]:
    """The cells of a line split on the delimiter that gives the most cells."""
    splits = [next(csv.reader([line], delimiter=d, skipinitialspace=True), []) for d in _DELIMITERS]
    return max(splits, key=len)


def header_candidates(data: bytes) -> tuple[str, ...]:
    """The column names of the likeliest header line (the first line with the most cells)."""
    rows = [[c.strip() for c in _cells(line)] for line in head_lines(data)]
    best = max(rows, key=lambda r: sum(1 for c in r if c), default=[])
    return tuple(c for c in best if c)


def choose_preset(data: bytes, options: ImportOptions) -> BrokerPreset:
    """The preset `options` asks for: detected, named, or generic with the user's column mapping."""
    if options.preset == AUTO:
        lines = [frozenset(normalise_header(c) for c in _cells(line)) for line in head_lines(data)]
        return detect_preset(lines)
    if options.preset not in BY_KEY:
        names = ", ".join(sorted(BY_KEY))
        raise ValidationError(f"Unknown import preset {options.preset!r}; choose one of {names} or auto.")
    if options.preset != GENERIC or not options.mapping:
        return BY_KEY[options.preset]
    return mapped_preset(options.mapping)


def mapped_preset(mapping: tuple[tuple[str, str], ...]) -> BrokerPreset:
    """A generic preset reading exactly the columns the user mapped (field -> header as written)."""
    unknown = [f for f, _ in mapping if f not in POSITION_FIELDS]
    if unknown:
        raise ValidationError(f"Unknown field(s) in the column mapping: {', '.join(unknown)}.")
    columns = {f: normalise_header(h) for f, h in mapping if h.strip()}
    if "quantity" not in columns or not {"symbol", "isin", "underlying"} & columns.keys():
        raise ValidationError("Map at least the symbol (or ISIN) column and the quantity column, then preview again.")
    return BrokerPreset(GENERIC, "Generic CSV (your column mapping)", columns)


def resolving(options: ImportOptions | None, profiles: pd.DataFrame) -> ImportOptions:
    """`options` (default: auto) with ISIN -> symbol from a profiles frame (columns symbol, isin)."""
    options = options or ImportOptions()
    if "isin" not in profiles.columns:
        return options
    pairs = profiles.loc[profiles["isin"].notna(), ["isin", "symbol"]]
    isins = {str(i).strip().upper(): str(s) for i, s in pairs.itertuples(index=False, name=None) if str(i).strip()}
    return replace(options, isins=isins)


FORMATS: dict[str, str] = {
    AUTO: "Detect from the header",
    **{p.key: p.label for p in PRESETS},
    GENERIC: "Generic CSV: map the columns",
}
"""Every choice of file format on the import page: key -> label, auto first, generic last."""


def guess_mapping(headers: tuple[str, ...]) -> dict[str, str]:
    """Field -> header the generic synonyms would pick: the defaults of the column-mapping step."""
    index = {name: f for f in POSITION_FIELDS for name in SYNONYMS[f].split("|")}
    guesses: dict[str, str] = {}
    for header in headers:
        name = index.get(normalise_header(header))
        if name is not None:
            guesses.setdefault(name, header)
    return guesses
