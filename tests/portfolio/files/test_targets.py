"""Broker target-price files: statuses and unknown symbols."""

from __future__ import annotations

from sigma.portfolio.files.targets import parse_targets_csv
from tests.portfolio.files.support import DATA, ERROR, OK, WARNING


def test_the_targets_file_gives_the_expected_statuses():
    known = {"AAPL", "MSFT", "NVDA", "TSLA", "GE", "AMD"}
    preview = parse_targets_csv((DATA / "targets_sample.csv").read_bytes(), known)
    expected = {
        2: (OK, ""),
        3: (OK, ""),
        4: (WARNING, "downside 170 is above the target 150"),
        5: (ERROR, "target EOY -5 is not positive"),
        6: (ERROR, "target EOY 0 is not positive"),
        7: (ERROR, "no target given"),
        8: (ERROR, "unknown symbol XYZ"),
        9: (WARNING, "duplicate of line 3"),
    }
    for row in preview.rows:
        assert row.status == expected[row.line][0]
        assert expected[row.line][1] in "; ".join(row.reasons)
    assert [r.line for r in preview.rows] == list(expected)
    msft = preview.valid_drafts[1]
    assert (msft.symbol, msft.target_eoy, msft.target_next_year, msft.downside) == ("MSFT", 480.0, 520.0, 390.0)
    assert preview.valid_drafts[-1].note == "revised, later line"


def test_without_known_symbols_no_target_is_unknown():
    preview = parse_targets_csv((DATA / "targets_sample.csv").read_bytes())
    assert {r.line: r.status for r in preview.rows}[8] is OK
