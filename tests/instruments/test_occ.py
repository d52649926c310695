"""OCC option symbols: reference values, the three written forms, errors, round trip."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sigma.errors import ValidationError
from sigma.instruments.occ import OccStyle, OccSymbol, OptionKind, format_occ, looks_like_occ, parse_occ

AAPL_CALL = OccSymbol(underlying="AAPL", expiry=date(2025, 1, 17), kind=OptionKind.CALL, strike=150.0)


def test_the_padded_occ_symbol_reads_root_expiry_kind_and_strike():
    # 00150000 thousandths of a dollar = 150.000
    assert parse_occ("AAPL  250117C00150000") == OccSymbol("AAPL", date(2025, 1, 17), "call", 150.0)


def test_compact_and_dotted_forms_name_the_same_contract():
    assert parse_occ("AAPL250117C00150000") == AAPL_CALL
    assert parse_occ(".AAPL250117C150") == AAPL_CALL
    assert parse_occ("  aapl250117c00150000 ") == AAPL_CALL


def test_fractional_strikes_and_puts_are_read_exactly():
    # 00452500 / 1000 = 452.5
    spy = parse_occ("SPY   261218P00452500")
    assert (spy.underlying, spy.kind, spy.strike, spy.expiry) == ("SPY", OptionKind.PUT, 452.5, date(2026, 12, 18))
    assert parse_occ(".SPY261218P452.5") == spy


def test_a_root_with_a_digit_is_kept_whole():
    # adjusted contracts get roots like AAPL1; the last 15 characters are always date, C/P, strike
    assert parse_occ("AAPL1 250117C00150000").underlying == "AAPL1"
    assert parse_occ("AAPL1250117C00150000").underlying == "AAPL1"


def test_format_writes_each_style():
    assert format_occ(AAPL_CALL) == "AAPL  250117C00150000"
    assert format_occ(AAPL_CALL, OccStyle.COMPACT) == "AAPL250117C00150000"
    assert format_occ(AAPL_CALL, OccStyle.DOTTED) == ".AAPL250117C150"
    assert len(format_occ(AAPL_CALL)) == 21


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("AAPL", "not an OCC option symbol"),
        ("AAPL  251317C00150000", "impossible expiry date 251317"),
        ("AAPL  250117X00150000", "not an OCC option symbol"),
        ("AAPL  250117C00000000", "Strike 0.0"),
        ("TOOLONGROOT250117C00150000", "not an OCC option symbol"),
    ],
)
def test_bad_symbols_raise_an_error_naming_the_problem(text, problem):
    with pytest.raises(ValidationError, match=problem):
        parse_occ(text)


def test_looks_like_occ_separates_option_symbols_from_tickers():
    assert looks_like_occ("AAPL  250117C00150000")
    assert looks_like_occ(".AAPL250117C150")
    assert looks_like_occ("AAPL251317C00150000")  # shaped like one, so its parse error is shown
    assert not looks_like_occ("AAPL")
    assert not looks_like_occ("BRK.B")


_roots = st.from_regex(r"[A-Z][A-Z0-9]{0,5}", fullmatch=True)
_expiries = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
_strikes = st.integers(min_value=1, max_value=99_999_999).map(lambda t: t / 1000)


@settings(max_examples=200, deadline=None)
@given(
    root=_roots, expiry=_expiries, kind=st.sampled_from(OptionKind), strike=_strikes, style=st.sampled_from(OccStyle)
)
def test_format_then_parse_gives_back_the_same_contract(root, expiry, kind, strike, style):
    symbol = OccSymbol(root, expiry, kind, strike)
    assert parse_occ(format_occ(symbol, style)) == symbol


def test_the_kind_is_stored_as_the_enum_and_a_put_is_written_with_a_capital_p() -> None:
    put = OccSymbol("SPY", date(2026, 12, 18), "put", 452.5)  # type: ignore[arg-type]  # as a form passes it
    assert put.kind is OptionKind.PUT  # the string "put" is turned into the member, not kept as a str
    assert format_occ(put) == "SPY   261218P00452500"
    assert format_occ(put, OccStyle.DOTTED) == ".SPY261218P452.5"


def test_the_largest_strike_and_the_last_year_an_occ_symbol_can_write_are_accepted() -> None:
    top = OccSymbol("SPX", date(2099, 12, 31), OptionKind.CALL, 99_999.999)
    assert format_occ(top) == "SPX   991231C99999999"
    assert parse_occ("SPX   991231C99999999") == top


@pytest.mark.parametrize(
    ("root", "expiry", "message"),
    [
        ("aapl", date(2025, 1, 17), "Option root 'aapl' must be 1–6 upper-case letters or digits."),
        ("AAPL", date(2100, 1, 15), "Expiry 2100-01-15 is outside 2000–2099, which an OCC symbol cannot write."),
        ("AAPL", date(1999, 12, 17), "Expiry 1999-12-17 is outside 2000–2099, which an OCC symbol cannot write."),
    ],
)
def test_a_contract_an_occ_symbol_cannot_write_is_refused_with_advice(root: str, expiry: date, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        OccSymbol(root, expiry, OptionKind.CALL, 150.0)
    assert str(info.value) == message
