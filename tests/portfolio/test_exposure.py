"""Exposure by attribute with ETF look-through: the Portfolio page's sectors speak the Risk page's vocabulary."""

from __future__ import annotations

import pandas as pd
import pytest

from sigma.portfolio.exposure import exposure_by, sector_mix, with_classes
from sigma.risk.sector import LOOK_THROUGH


def _book() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "symbol": ["SPY", "XLK", "AAPL", "TLT", "ZZZ"],
            "position_type": ["LONG", "SHORT", "LONG", "LONG", "LONG"],
            "underlying": [None] * 5,
            "open": [True] * 5,
            "exposure": [10_000.0, -2_000.0, 3_000.0, 5_000.0, 1_000.0],
        }
    )


def _profiles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "symbol": ["SPY", "XLK", "AAPL", "TLT"],
            "sector": [None, "Information Technology", "Information Technology", None],
            "asset_class": ["etf", "sector_etf", "stock", "bond_etf"],
        }
    )


def test_a_broad_etf_is_split_across_sectors_by_its_look_through_weights() -> None:
    frame = with_classes(_book(), _profiles())
    table = exposure_by(frame, "sector")
    spy_it = LOOK_THROUGH["SPY"]["Information Technology"]  # 34 / 98.2 = 0.3462
    # IT: SPY's 34/98.2 of $10,000 = $3,462.32, + AAPL $3,000 long, − XLK $2,000 short
    assert table.loc["Information Technology", "long"] == pytest.approx(10_000 * spy_it + 3_000)
    assert table.loc["Information Technology", "short"] == pytest.approx(-2_000.0)
    assert table.loc["Financials", "net"] == pytest.approx(10_000 * 13.0 / 98.2)
    assert table.loc["Bonds", "net"] == pytest.approx(5_000.0)  # the asset-class label, as on the Risk page
    assert table.loc["Unclassified", "net"] == pytest.approx(1_000.0)  # no profile at all
    assert table["net"].sum() == pytest.approx(_book()["exposure"].sum())  # splitting conserves exposure
    assert table["share_of_gross"].sum() == pytest.approx(1.0)


def test_an_etf_gets_its_sector_weights_and_a_stock_its_sector() -> None:
    priced = pd.Series(["QQQ", "AAPL"])  # an option on QQQ is priced (and looked through) as QQQ
    mix = sector_mix(priced, pd.Series([None, "Information Technology"]), pd.Series(["etf", "stock"]))
    assert mix[0] == LOOK_THROUGH["QQQ"] and sum(mix[0].values()) == pytest.approx(1.0)
    assert mix[1] == "Information Technology"


def test_tags_still_count_a_position_once_under_each_tag() -> None:
    frame = _book().assign(tags=[["core"], ["hedge"], ["core", "tech"], [], ["core"]])
    table = exposure_by(frame[frame["tags"].map(len) > 0], "tags")
    assert table.loc["core", "gross"] == pytest.approx(14_000.0)
    assert table.loc["tech", "gross"] == pytest.approx(3_000.0)
