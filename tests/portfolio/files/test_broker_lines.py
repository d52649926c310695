"""What broker files say besides positions, the column-mapping step, ISINs and option descriptions."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sigma.conventions import OptionKind
from sigma.errors import ValidationError
from sigma.instruments.occ import OccSymbol
from sigma.portfolio.files.descriptions import option_from_text
from sigma.portfolio.files.mapping import ImportOptions, header_candidates, resolving
from sigma.portfolio.files.rows import compact_date
from tests.portfolio.files.support import AS_OF, ERROR, parse
from tests.portfolio.files.test_brokers import BROKERS, read


def test_pending_activity_and_money_market_lines_are_set_aside_with_a_note_each():
    preview = read("fidelity/portfolio_positions.csv")
    assert preview.preset_label == "Fidelity positions export"
    assert preview.notes == (
        "line 2: 'SPAXX**' is cash (3,210.55), not a position",
        "line 6: skipped, 'Pending Activity' is not a position (activity or total line)",
    )
    assert preview.cash_total == pytest.approx(3210.55)
    assert [r.line for r in preview.rows] == [3, 4, 5]


def test_the_disclaimer_footer_is_skipped_not_an_error():
    preview = read("fidelity/portfolio_positions.csv")
    assert [(s.line, s.reason) for s in preview.detected.skipped if s.reason == "footer"] == [
        (9, "footer"),
        (11, "footer"),
        (12, "footer"),
    ]
    assert preview.errors == 0


def test_a_second_table_after_the_positions_is_ignored_with_one_note():
    preview = read("vanguard/ofxdownload_with_transactions.csv")
    assert preview.notes[0] == "line 8: a second table starts here; its 3 line(s) are not positions and are ignored"
    assert [r.line for r in preview.rows] == [3, 4]


def test_flex_section_markers_are_skipped_with_notes():
    preview = read("ibkr/flex_with_section_markers.csv")
    assert preview.notes == tuple(
        f"line {n}: skipped, Flex section marker {m!r}" for n, m in ((7, "EOS"), (8, "EOA"), (9, "EOF"))
    )


def test_a_file_without_cost_basis_uses_the_last_price_and_says_so():
    row = read("degiro/portfolio_en_semicolon.csv").rows[0]
    assert row.reasons[0] == "no cost basis in the file; entry price is the last price 230.5"


def test_degiro_day_first_dotted_dates_are_the_entry_dates():
    drafts = read("degiro/portefeuille_nl_dates.csv").valid_drafts
    assert [d.entry_date for d in drafts] == [date(2025, 3, 15), date(2026, 9, 2)]


def test_an_account_type_column_is_not_read_as_the_position_side():
    preview = parse("Symbol,Quantity,Average Cost,Type\nAAPL,10,150,Margin\nMSFT,5,400,Cash\n")
    assert [(d.symbol, d.position_type.value) for d in preview.valid_drafts] == [("AAPL", "LONG"), ("MSFT", "LONG")]


def test_an_isin_in_the_symbol_column_resolves_through_the_profiles():
    profiles = pd.DataFrame({"symbol": ["AAPL", "MSFT"], "isin": ["US0378331005", None]})
    options = resolving(None, profiles)
    assert dict(options.isins) == {"US0378331005": "AAPL"}
    text = "Symbol,Quantity,Price\nUS0378331005,10,150\nUS5949181045,5,400\n"
    preview = parse_with(text, options)
    assert [d.symbol for d in preview.valid_drafts] == ["AAPL"]
    assert preview.rows[1].status is ERROR
    assert preview.rows[1].reasons == (
        "ISIN US5949181045 is in no security profile; add the profile with its ISIN or write the ticker",
        "entry date missing; the as-of date 2026-11-20 is used",
    )


def parse_with(text: str, options: ImportOptions):
    from sigma.portfolio.files.positions import parse_positions_csv

    return parse_positions_csv(text.encode(), AS_OF, None, options)


def test_the_generic_column_mapping_reads_a_file_no_preset_knows():
    data = (BROKERS / "generic/custodian_semicolon.csv").read_bytes()
    assert header_candidates(data) == ("Wertpapier", "Stueck", "Einstand", "Kaufdatum", "Kennung")
    with pytest.raises(ValidationError, match="Choose your broker's preset, or Generic and map the columns by hand"):
        parse_with(data.decode(), ImportOptions())
    mapping = (("symbol", "Kennung"), ("quantity", "Stueck"), ("price", "Einstand"), ("date", "Kaufdatum"))
    preview = parse_with(data.decode(), ImportOptions(preset="generic", mapping=mapping))
    assert preview.preset_label == "Generic CSV (your column mapping)"
    assert [(d.symbol, d.quantity, d.entry_price, d.entry_date) for d in preview.valid_drafts] == [
        ("AAPL", 15.0, 150.25, date(2025, 1, 3)),
        ("MSFT", 4.0, 410.0, date(2025, 2, 10)),
    ]


def test_a_mapping_without_a_quantity_column_is_refused_with_advice():
    with pytest.raises(ValidationError, match="Map at least the symbol"):
        parse_with("a,b\nAAPL,1\n", ImportOptions(preset="generic", mapping=(("symbol", "a"),)))


def test_an_unknown_preset_name_is_refused():
    with pytest.raises(ValidationError, match="Unknown import preset 'tdameritrade'"):
        parse_with("symbol,qty,price\nAAPL,1,2\n", ImportOptions(preset="tdameritrade"))


@pytest.mark.parametrize(
    "text",
    [
        "AAPL 01/16/2027 250.00 C",
        " -AAPL270116C250",
        "AAPL Jan 16 '27 $250 Call",
        "AAPL $250 Call 1/16/2027",
        "AAPL 1/16/2027 Call $250",
        "AAPL 16JAN27 250 C",
    ],
)
def test_every_broker_option_description_names_the_same_contract(text):
    assert option_from_text(text) == OccSymbol("AAPL", date(2027, 1, 16), OptionKind.CALL, 250.0)


def test_tickers_and_cash_labels_are_not_options():
    assert [option_from_text(t) for t in ("AAPL", "BRK.B", "SPAXX**", "Cash & Cash Investments")] == [None] * 4


def test_an_impossible_option_date_is_an_error_naming_the_symbol():
    row = parse("Symbol,Qty,Price\nAAPL 02/30/2027 250.00 C,1,5\n").rows[0]
    assert row.status is ERROR
    assert (
        row.reasons[0] == "symbol 'AAPL 02/30/2027 250.00 C': 'AAPL 02/30/2027 250.00 C' has an impossible expiry date"
    )


@pytest.mark.parametrize(
    ("text", "iso"),
    [("20270115", "2027-01-15"), ("20250115;093015", "2025-01-15"), ("2025-02-10;10:30:00", "2025-02-10")],
)
def test_ibkr_compact_dates_read_as_iso(text, iso):
    assert compact_date(text) == iso
