"""The import page's steps on a file's bytes (AppTest cannot drive st.file_uploader).

A ten-line fake service parses with the real parser and counts its calls.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sigma.portfolio.service import ImportOptions
from sigma.ui.portfolio.imports import preview_once
from tests.portfolio.files.test_brokers import BROKERS

FIDELITY = str(BROKERS / "fidelity/portfolio_positions.csv")
GENERIC = str(BROKERS / "generic/custodian_semicolon.csv")


class FakeService:
    """What the import steps ask of `PortfolioService`, with the real parser."""

    def __init__(self) -> None:
        self.previews: list[str] = []

    def preview_import(self, user, pid, data, options=None):
        from sigma.portfolio.files.positions import parse_positions_csv

        self.previews.append(options.preset if options else "auto")
        return parse_positions_csv(data, date(2026, 11, 20), None, options)


class User:
    id = 7


@pytest.fixture(autouse=True)
def _fresh_caches():
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_the_preview_is_parsed_once_per_file_and_again_for_another_preset():
    svc, data = FakeService(), Path(FIDELITY).read_bytes()
    first = preview_once(svc, User(), 1, data, ImportOptions())
    again = preview_once(svc, User(), 1, data, ImportOptions())
    other = preview_once(svc, User(), 1, data, ImportOptions("schwab"))
    assert svc.previews == ["auto", "schwab"]
    assert again.rows == first.rows
    assert other.preset == "schwab"


def _page(path: str) -> None:
    from datetime import date

    import streamlit as st

    from sigma.portfolio.files.positions import parse_positions_csv
    from sigma.portfolio.model import ImportResult
    from sigma.ui.portfolio.imports import import_file

    class Svc:
        def preview_import(self, user, pid, data, options=None):
            return parse_positions_csv(data, date(2026, 11, 20), None, options)

        def commit_import(self, user, pid, data, all_or_nothing=False, options=None):
            st.session_state["committed"] = (options.preset, all_or_nothing)
            return ImportResult(len(self.preview_import(user, pid, data, options).valid_drafts), 0, ())

        def record_cash_flow(self, user, pid, day, kind, amount, note=""):
            st.session_state["deposit"] = (day, str(kind), amount)

        def today(self):
            return date(2026, 11, 20)

    class User:
        id = 7

    with open(path, "rb") as fh:
        import_file(Svc(), User(), 1, fh.read())  # type: ignore[arg-type]


def test_the_page_names_the_detected_preset_and_the_cash_found():
    app = AppTest.from_function(_page, args=(FIDELITY,), default_timeout=30).run()
    assert not app.exception
    assert [c.value for c in app.caption] == ["Detected: Fidelity positions export"]
    assert [i.value for i in app.info] == ["Cash found: 3,210.55 in 1 line(s), not positions."]
    assert app.checkbox(key="import_cash").label == "Also record the cash found (3,210.55) as a deposit today"
    assert app.button(key="import_valid").label == "Import the 3 valid rows"


def test_the_column_mapping_step_reads_a_file_no_preset_knows():
    app = AppTest.from_function(_page, args=(GENERIC,), default_timeout=30).run()
    assert app.error[0].value.endswith("Choose your broker's preset, or Generic and map the columns by hand.")
    app.selectbox(key="import_preset").select("generic").run()
    for field, header in (("symbol", "Kennung"), ("quantity", "Stueck"), ("price", "Einstand"), ("date", "Kaufdatum")):
        app.selectbox(key=f"import_map_{field}").select(header)
    app.run()
    assert not app.exception
    assert [c.value for c in app.caption] == ["Read as: Generic CSV (your column mapping)"]
    assert app.button(key="import_valid").label == "Import the 2 valid rows"


def test_importing_with_the_cash_box_ticked_records_the_cash_found_as_one_deposit():
    app = AppTest.from_function(_page, args=(FIDELITY,), default_timeout=30).run()
    app.checkbox(key="import_cash").check().run()
    app.button(key="import_valid").click().run()
    assert not app.exception
    assert app.session_state["committed"] == ("auto", False)
    assert app.session_state["deposit"] == (date(2026, 11, 20), "deposit", 3210.55)
    assert [s.value for s in app.success] == ["Imported 3 position(s); 0 already present or skipped."]
