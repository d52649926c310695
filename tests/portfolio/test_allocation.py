"""Allocation tree: values by hand (look-through split, asset-class labels, cash node) and tree invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sigma.charts.allocation import CLASS_COLORS, allocation_treemap
from sigma.portfolio.allocation import ALLOCATION_COLUMNS, allocation

POSITIONS = pd.DataFrame(
    {
        "id": [1, 2, 3, 4, 5],
        "symbol": ["AAPL", "XOM", "SPY", "TLT", "GLD"],
        "asset_class": ["equity", "equity", "etf", "bond_etf", "commodity_etf"],
        "sector": [
            "Information Technology",
            "Energy",
            {"Information Technology": 0.3, "Financials": 0.7},
            "Bonds",
            None,
        ],
    }
)
EXPOSURE = np.array([3_000.0, -1_000.0, 2_000.0, 1_000.0, 500.0])
CASH, NAV = 500.0, 6_000.0  # 3,000 − 1,000 + 2,000 + 1,000 + 500 + cash 500


def test_allocation_values_by_hand() -> None:
    tree = allocation(POSITIONS, EXPOSURE, CASH, NAV).set_index("id")
    assert list(tree.reset_index().columns) == list(ALLOCATION_COLUMNS)
    # equities: |3,000| + |−1,000| = 4,000 → 4,000 / 6,000; SPY's 2,000 split 30 / 70 by look-through
    expected = {
        "equity": 4_000.0,
        "equity/Information Technology": 3_000.0,
        "equity/Energy": 1_000.0,
        "equity/Energy/2": 1_000.0,
        "etf": 2_000.0,
        "etf/Information Technology": 600.0,
        "etf/Financials/3": 1_400.0,
        "bond_etf/Bonds": 1_000.0,
        "commodity_etf/Commodities/5": 500.0,  # no sector: the asset-class label
        "cash": 500.0,
    }
    for node, dollars in expected.items():
        assert tree.loc[node, "exposure"] == pytest.approx(dollars)
        assert tree.loc[node, "value"] == pytest.approx(dollars / NAV)
    assert tree.loc["equity", "label"] == "Equities" and tree.loc["etf/Financials/3", "label"] == "SPY"
    assert tree.loc["cash", "parent"] == "" and tree.loc["equity/Energy", "parent"] == "equity"


def test_every_parent_is_the_sum_of_its_children_and_roots_sum_to_gross_plus_cash() -> None:
    tree = allocation(POSITIONS, EXPOSURE, CASH, NAV)
    assert tree["id"].is_unique
    children = tree[tree["parent"] != ""].groupby("parent")["value"].sum()
    parents = tree.set_index("id").loc[children.index, "value"]
    np.testing.assert_allclose(parents.to_numpy(), children.to_numpy(), rtol=1e-12)
    roots = tree.loc[tree["parent"] == "", "value"].sum()
    assert roots == pytest.approx((np.abs(EXPOSURE).sum() + CASH) / NAV)


def test_no_cash_node_when_cash_is_not_positive_and_an_empty_book_gives_an_empty_tree() -> None:
    assert "cash" not in set(allocation(POSITIONS, EXPOSURE, -100.0, NAV)["id"])
    empty = allocation(POSITIONS.iloc[:0], EXPOSURE[:0], 0.0, 0.0)
    assert empty.empty and list(empty.columns) == list(ALLOCATION_COLUMNS)


def test_the_treemap_figure_carries_the_tree() -> None:
    tree = allocation(POSITIONS, EXPOSURE, CASH, NAV)
    fig = allocation_treemap(tree)
    trace = fig.data[0]
    assert trace.type == "treemap" and trace.branchvalues == "total"
    assert list(trace.ids) == list(tree["id"]) and list(trace.parents) == list(tree["parent"])
    np.testing.assert_allclose(trace.values, tree["value"].to_numpy())


def test_the_treemap_colours_each_tile_by_its_asset_class_and_cash_is_grey() -> None:
    tree = pd.DataFrame(
        {
            "id": ["equity", "equity/IT", "equity/IT/AAPL", "cash"],
            "parent": ["", "equity", "equity/IT", ""],
            "label": ["Equities", "Information Technology", "AAPL", "Cash"],
            "value": [0.9, 0.9, 0.9, 0.1],
            "exposure": [900.0, 900.0, 900.0, 100.0],
        }
    )
    colors = list(allocation_treemap(tree).data[0].marker.colors)
    assert colors == [CLASS_COLORS["Equities"]] * 3 + [CLASS_COLORS["Cash"]]
