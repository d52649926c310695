"""Broker CSV import of target prices: parse and validate, never write.

Every row ends "ok", "warning" (imported, with a reason) or "error" (not imported): a target
<= 0 is an error, a downside above the target a warning, a symbol the price store does not know
an error. Header synonyms and cell rules: `files.rows`.
"""

from __future__ import annotations

from collections.abc import Collection

from sigma.delimited.cells import unescape_text
from sigma.delimited.table import RawRow, RawTable, TableSchema, read_table
from sigma.portfolio.files.rows import Issues, flag_duplicates, fmt_number, number_cell, schema_synonyms, symbol_cell
from sigma.portfolio.model import ImportRow, TargetDraft, TargetImportPreview

TARGET_SCHEMA = TableSchema(
    synonyms=schema_synonyms("symbol", "target_eoy", "target_next_year", "downside", "note"),
    required=(("symbol",), ("target_eoy", "target_next_year", "downside")),
    number_fields=frozenset({"target_eoy", "target_next_year", "downside"}),
)


def parse_targets_csv(data: bytes, known_symbols: Collection[str] | None = None) -> TargetImportPreview:
    """Read a target-prices file into a preview; a target <= 0 is an error, downside above target a warning."""
    table = read_table(data, TARGET_SCHEMA)
    known = None if known_symbols is None else {s.strip().upper() for s in known_symbols}
    rows = [_target_row(table, raw, known) for raw in table.rows]
    return TargetImportPreview(tuple(flag_duplicates(rows, lambda d: d.symbol)), table.detected)


def _target_row(table: RawTable, raw: RawRow, known: set[str] | None) -> ImportRow[TargetDraft]:
    issues = Issues()
    symbol = symbol_cell(table, raw, issues)
    labels = {"target_eoy": "target EOY", "target_next_year": "target next year", "downside": "downside"}
    values = {name: number_cell(table, raw, name, label, issues) for name, label in labels.items()}
    for name, value in values.items():
        if value is not None and value <= 0:
            issues.errors.append(f"{labels[name]} {fmt_number(value)} is not positive")
    if all(v is None for v in values.values()) and not issues.errors:
        issues.errors.append("no target given (target EOY, target next year or downside)")
    upside = values["target_eoy"] if values["target_eoy"] is not None else values["target_next_year"]
    downside = values["downside"]
    if upside is not None and downside is not None and 0 < upside < downside:
        issues.warnings.append(f"downside {fmt_number(downside)} is above the target {fmt_number(upside)}")
    if symbol and known is not None and symbol not in known:
        issues.errors.append(f"unknown symbol {symbol}")
    note = unescape_text(table.value(raw, "note"))
    return issues.row(
        raw, symbol, TargetDraft(symbol, values["target_eoy"], values["target_next_year"], downside, note)
    )
