"""Broker position exports as the brokers write them: every preset × variant in the preview.

Fixtures live in tests/data/brokers/<broker>/, written in the shapes of each broker's download
(preamble, BOM, option descriptions, cash and money-market lines, totals, disclaimers,
semicolons with decimal commas, ISIN-only rows). Option prices are per share: a cost basis
total of $1,700 for 2 contracts is 1700 / (2 × 100) = 8.50.
"""

from __future__ import annotations

from datetime import date

import pytest

from sigma.market.universe import load_universe
from sigma.portfolio.files.mapping import ImportOptions, resolving
from sigma.portfolio.files.positions import BrokerPreview, parse_positions_csv
from tests.portfolio.files.support import AS_OF, DATA, ERROR

BROKERS = DATA / "brokers"
UNIVERSE = load_universe()
KNOWN = set(UNIVERSE["symbol"])

# symbol, type, quantity, entry price, underlying, strike, expiry
AAPL_C250_JAN16 = ("AAPL270116C00250000", "LC", 2.0, 8.5, "AAPL", 250.0, date(2027, 1, 16))

CASES = {
    "schwab/positions_preamble_options_cash.csv": (
        "schwab",
        [
            ("AAPL", "LONG", 100.0, 150.25, None, None, None),  # 15,025 / 100
            ("MSFT", "LONG", 50.0, 410.0, None, None, None),
            ("TSLA", "SHORT", 20.0, 380.0, None, None, None),  # -20 shares, 7,600 / 20
            AAPL_C250_JAN16,
            ("NVDA261218P00150000", "SP", 3.0, 6.5, "NVDA", 150.0, date(2026, 12, 18)),  # 1,950 / 300
        ],
        [(9, 5432.10)],
        {},
    ),
    "schwab/positions_bom_reordered.csv": (
        "schwab",
        [
            ("JPM", "LONG", 30.0, 180.0, None, None, None),
            ("SPY", "LONG", 10.0, 520.0, None, None, None),
            ("SPY270319P00520000", "LP", 1.0, 10.15, "SPY", 520.0, date(2027, 3, 19)),  # 1,015 / 100
        ],
        [(5, 1000.0)],
        {},
    ),
    "schwab/positions_all_accounts_lf.csv": ("schwab", [("KO", "LONG", 200.0, 60.0, None, None, None)], [], {}),
    "fidelity/portfolio_positions.csv": (
        "fidelity",
        [
            ("AAPL", "LONG", 100.0, 150.25, None, None, None),  # Type "Cash" is the account, not the side
            ("MSFT", "LONG", 50.0, 410.0, None, None, None),  # Type "Margin" likewise
            ("NVDA270115C00200000", "LC", 2.0, 8.5, "NVDA", 200.0, date(2027, 1, 15)),  # " -NVDA270115C200"
        ],
        [(2, 3210.55)],
        {},
    ),
    "fidelity/two_accounts_shorts.csv": (
        "fidelity",
        [
            ("GOOGL", "LONG", 40.0, 150.0, None, None, None),  # no average: 6,000 / 40
            ("TSLA", "SHORT", 10.0, 380.0, None, None, None),
            ("AAPL261218P00200000", "SP", 1.0, 4.5, "AAPL", 200.0, date(2026, 12, 18)),  # 450 / 100
        ],
        [(2, 1500.0)],
        {},
    ),
    "fidelity/older_headers_unquoted_footer.csv": (
        "fidelity",
        [("META", "LONG", 12.0, 500.0, None, None, None)],
        [(2, 250.0)],
        {},
    ),
    "ibkr/flex_open_positions.csv": (
        "ibkr",
        [
            ("AAPL", "LONG", 100.0, 150.25, None, None, None),
            ("TSLA", "SHORT", 10.0, 380.0, None, None, None),
            ("AAPL270115C00250000", "LC", 2.0, 8.5, "AAPL", 250.0, date(2027, 1, 15)),
            ("SPY261218P00520000", "SP", 3.0, 6.5, "SPY", 520.0, date(2026, 12, 18)),
        ],
        [],
        {},
    ),
    "ibkr/flex_with_section_markers.csv": (
        "ibkr",
        [("MSFT", "LONG", 50.0, 410.0, None, None, None), ("QQQ", "LONG", 15.0, 450.25, None, None, None)],
        [],
        {},
    ),
    "ibkr/flex_option_columns.csv": (
        "ibkr",
        [
            ("AAPL261218P00200000", "SP", 1.0, 4.5, "AAPL", 200.0, date(2026, 12, 18)),  # "AAPL 18DEC26 200 P"
            ("NVDA270115C00150000", "LC", 4.0, 12.25, "NVDA", 150.0, date(2027, 1, 15)),  # from the columns
            ("KO", "LONG", 200.0, 60.0, None, None, None),
        ],
        [],
        {},
    ),
    "degiro/portfolio_en_semicolon.csv": (
        "degiro",
        [("AAPL", "LONG", 10.0, 230.5, None, None, None), ("MSFT", "LONG", 5.0, 420.0, None, None, None)],
        [(5, 1234.56)],
        {4: "ISIN IE00B3RBWM25 is in no security profile; add the profile with its ISIN or write the ticker"},
    ),
    "degiro/portefeuille_nl_dates.csv": (
        "degiro",
        [("NVDA", "LONG", 1000.0, 140.25, None, None, None), ("TLT", "LONG", 25.0, 88.1, None, None, None)],
        [(5, -12.40)],
        {4: "ISIN US0378331006 has a wrong check digit; check the code in the file"},
    ),
    "degiro/portfolio_comma_split_currency.csv": (
        "degiro",
        [("AMZN", "LONG", 8.0, 210.75, None, None, None), ("SPY", "LONG", 2.0, 590.0, None, None, None)],
        [(4, 500.0)],
        {},
    ),
    "vanguard/ofxdownload_with_transactions.csv": (
        "vanguard",
        [("VTI", "LONG", 120.0, 290.5, None, None, None), ("AGG", "LONG", 50.0, 99.1, None, None, None)],
        [(2, 5432.1)],
        {},
    ),
    "vanguard/two_accounts_mutual_fund.csv": (
        "vanguard",
        [("SPY", "LONG", 3.0, 590.0, None, None, None)],
        [(3, 100.0)],
        {2: "unknown symbol VFIAX"},
    ),
    "vanguard/bom_blank_tail.csv": ("vanguard", [("TLT", "LONG", 1000.0, 88.1, None, None, None)], [], {}),
    "etrade/view_summary_all_positions.csv": (
        "etrade",
        [
            ("AAPL", "LONG", 100.0, 150.25, None, None, None),
            ("MSFT", "LONG", 50.0, 410.0, None, None, None),
            AAPL_C250_JAN16,  # "AAPL Jan 16 '27 $250 Call"
        ],
        [(10, 5432.10)],
        {},
    ),
    "etrade/shorts_and_puts_bom.csv": (
        "etrade",
        [
            ("TSLA", "SHORT", 10.0, 380.0, None, None, None),
            ("SPY261218P00520000", "SP", 3.0, 6.5, "SPY", 520.0, date(2026, 12, 18)),  # "SPY Dec 18 '26 $520 Put"
        ],
        [(4, 1000.0)],
        {},
    ),
    "robinhood/positions_with_equity.csv": (
        "robinhood",
        [("AAPL", "LONG", 10.5, 150.25, None, None, None), ("TSLA", "LONG", 2.0, 380.0, None, None, None)],
        [],
        {},
    ),
    "robinhood/minimal.csv": (
        "robinhood",
        [("AAPL", "LONG", 3.0, 200.0, None, None, None), (*AAPL_C250_JAN16[:2], 1.0, *AAPL_C250_JAN16[3:])],
        [],
        {},
    ),
    "robinhood/snake_case_unknown.csv": (
        "robinhood",
        [("NVDA", "LONG", 12.0, 120.5, None, None, None)],
        [],
        {3: "unknown symbol ZZZQ"},
    ),
}


def read(name: str, options: ImportOptions | None = None) -> BrokerPreview:
    return parse_positions_csv((BROKERS / name).read_bytes(), AS_OF, KNOWN, resolving(options, UNIVERSE))


def positions(preview: BrokerPreview) -> list[tuple[object, ...]]:
    return [
        (d.symbol, d.position_type.value, d.quantity, pytest.approx(d.entry_price), d.underlying, d.strike, d.expiry)
        for d in preview.valid_drafts
    ]


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_broker_variant_is_detected_and_previews_the_right_positions_cash_and_errors(name):
    preset, expected, cash, errors = CASES[name]
    preview = read(name)
    assert preview.preset == preset
    assert positions(preview) == expected
    assert [(c.line, pytest.approx(c.amount)) for c in preview.cash] == cash
    assert {r.line: r.reasons[0] for r in preview.rows if r.status is ERROR} == errors


@pytest.mark.parametrize("name", sorted(CASES))
def test_choosing_the_preset_on_the_page_reads_the_same_as_detecting_it(name):
    detected = read(name)
    chosen = read(name, ImportOptions(preset=detected.preset))
    assert positions(chosen) == positions(detected)
