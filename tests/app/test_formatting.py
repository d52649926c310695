"""One number format everywhere: reference strings for the formatters, and every page as every demo
user read for raw floats, "None", "nan" and a sign after the dollar ("$-1,879")."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sigma.ui.format import compact, money, pct, pp, ratio, tidy
from sigma.ui.risk.pairs import strongest_pair
from sigma.ui.risk.tables import performance_table
from tests.app.test_risk_page import open_page

pytestmark = pytest.mark.xdist_group("apptest")

BAD = re.compile(r"\bNone\b|\bnan\b|\bNaN\b|\$-|-0\.0+%|\b\d+\.\d{5,}\b")


@pytest.mark.parametrize(
    ("value", "signed", "expected"),
    [
        (-1879.4, False, "-$1,879"),
        (1879.0, True, "+$1,879"),
        (-0.3, True, "$0"),
        (None, False, "—"),
        (np.nan, True, "—"),
    ],
)
def test_money_puts_the_sign_before_the_dollar_and_rounds_first(value, signed, expected) -> None:
    assert money(value, signed) == expected


def test_compact_abbreviates_big_money_so_metric_tiles_do_not_truncate() -> None:
    assert compact(930_512.0, signed=True) == "+$931K"
    assert compact(-1_234_567.0) == "-$1.23M"
    assert compact(999_700.0) == "$1.00M"  # not "$1,000K"
    assert compact(-1_879.0) == "-$1,879"  # under $10K in full
    assert compact(2.5e9) == "$2.50B"


def test_percentages_round_before_the_sign_so_nothing_reads_minus_zero() -> None:
    assert pct(-0.0001, signed=True) == "0.0%"  # -0.01 % rounds to 0.0 at one decimal
    assert pct(0.1234) == "12.3%"
    assert pct(-0.05, signed=True) == "-5.0%"
    assert pct(0.05, signed=True, digits=2) == "+5.00%"
    assert pp(-0.04) == "0.0 pp" and pp(3.25) == "+3.2 pp"  # 3.25 → 3.2 (round half to even)
    assert ratio(-0.001) == "0.00" and ratio(float("inf")) == "—"


def test_tidy_turns_none_into_nan_and_negative_zero_into_zero() -> None:
    frame = tidy(pd.DataFrame({"a": [None, -0.00001, 0.5], "b": ["x", "y", "z"]}), ["a"])
    assert frame["a"].isna().tolist() == [True, False, False]
    assert np.signbit(frame["a"].iloc[1]) == np.False_  # -0.0 + 0.0 is +0.0
    assert frame["b"].tolist() == ["x", "y", "z"]


def test_the_default_pair_is_the_one_with_the_highest_absolute_correlation() -> None:
    m = pd.DataFrame([[1.0, 0.2, -0.9], [0.2, 1.0, 0.5], [-0.9, 0.5, 1.0]], index=list("ABC"), columns=list("ABC"))
    assert strongest_pair(m) == ("A", "C")  # |−0.9| beats 0.5 and 0.2; the diagonal never counts
    assert strongest_pair(m.iloc[:1, :1]) is None


def test_the_performance_table_has_human_labels_and_percentages() -> None:
    profile = pd.DataFrame(
        {"cagr": [0.1234, 0.1], "max_drawdown": [-0.2, -0.1], "information_ratio": [0.5, np.nan], "n_obs": [252, 252]},
        index=["Portfolio", "SPY"],
    )
    table = performance_table(profile, "SPY")
    assert table.loc["CAGR (annualised)", "Portfolio"] == "12.3%"
    assert table.loc["Max drawdown", "SPY"] == "-10.0%"
    assert table.loc["Information ratio", "SPY"] == "—"
    assert table.loc["Daily returns", "Portfolio"] == "252"
    assert table.loc["Sharpe ratio", "Portfolio"] == "—"  # a column the profile lacks


def rendered_text(at: AppTest) -> list[str]:
    """Every string a reader sees: text elements, metric values and deltas, and text cells of tables."""
    out: list[str] = []
    for kind in ("markdown", "caption", "title", "subheader", "header", "info", "warning", "success", "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        out += [str(m.label), str(m.value), str(m.proto.delta)]
    for frame in at.dataframe:
        data = frame.value
        out += [str(c) for c in data.columns] + [str(i) for i in data.index if isinstance(i, str)]
        for col in data.columns:
            if data[col].dtype == object or pd.api.types.is_string_dtype(data[col]):
                out += [str(v) for v in data[col] if isinstance(v, str) or v is None]
    return out


@pytest.mark.parametrize("user", ["alice", "bob", "carol"])
@pytest.mark.parametrize("page", ["portfolio.py", "risk.py", "correlations.py"])
def test_no_page_shows_none_nan_a_raw_float_or_a_dollar_before_the_sign(app_env, page: str, user: str) -> None:
    at = open_page(page, user)
    assert not at.exception, [e.value for e in at.exception]
    bad = [t for t in rendered_text(at) if BAD.search(t)]
    assert not bad, bad


def test_the_admin_page_lists_data_quality_problems_first_with_their_reasons(admin) -> None:
    admin.switch_page("pages/admin.py").run()
    assert not admin.exception
    quality = next(d.value for d in admin.dataframe if "reason" in d.value.columns and "coverage" in d.value.columns)
    assert list(quality.columns[:3]) == ["symbol", "status", "reason"]
    ranks = quality["status"].map({"error": 0, "warning": 1}).fillna(2).tolist()
    assert ranks == sorted(ranks)  # errors, then warnings, then ok
    problems = quality[quality["status"] != "ok"]
    assert len(problems) and problems["reason"].map(lambda r: isinstance(r, str) and len(r) > 0).all()


def test_the_portfolio_page_names_its_periods_and_keeps_metric_labels_short(app_env) -> None:
    at = open_page("portfolio.py", "alice")
    assert not at.exception
    text = rendered_text(at)
    assert not [t for t in text if "over the attribution window" in t]  # contributors say "since YYYY-MM-DD"
    assert any(re.search(r"(added|cost) \$[\d,]+ since \d{4}-\d{2}-\d{2}", t) for t in text), text
    assert "12-month income" in [m.label for m in at.metric]  # the basis is in its help, the label fits
