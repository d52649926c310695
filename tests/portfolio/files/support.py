"""Shared set-up of the broker-file tests: the sample files, the clock, and parse helpers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sigma.portfolio.files.positions import parse_positions_csv
from sigma.portfolio.model import RowStatus

DATA = Path(__file__).parents[2] / "data"
AS_OF = date(2026, 11, 20)
OK, WARNING, ERROR = RowStatus.OK, RowStatus.WARNING, RowStatus.ERROR


def parse(text: str, known=None, as_of=AS_OF):
    return parse_positions_csv(text.encode(), as_of, known)


def only_row(text: str, known=None):
    preview = parse(text, known)
    assert len(preview.rows) == 1
    return preview.rows[0]
