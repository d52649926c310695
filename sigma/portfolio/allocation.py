"""Allocation of a book as a tree for a treemap: asset class → sector → position.

Conventions: only open positions count; a node's `value` is |exposure| / NAV (exposure is
delta-adjusted, `valuation`; shorts count by their size), `exposure` the same in dollars, and a
parent's value is the sum of its children's (plotly's `branchvalues="total"`). Sectors follow the
positions' `sector` cell: a GICS sector or asset-class label ("Bonds", "Cash", …), or an ETF's
look-through mix {sector: weight}, which splits the position's exposure across those sectors
(one leaf per sector). Uninvested cash is a top-level "Cash" node when positive. Ids are
"class", "class/sector" and "class/sector/position id"; the root's parent is "".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sigma.conventions import NON_EQUITY_LABELS
from sigma.typing import FloatArray

ALLOCATION_COLUMNS = ("id", "parent", "label", "value", "exposure")
CASH_LABEL = "Cash"

CLASS_LABELS = {
    "equity": "Equities",
    "etf": "ETFs",
    "bond_etf": "Bonds",
    "commodity_etf": "Commodities",
    "crypto_etf": "Crypto",
    "reit_etf": "Real estate",
    "cash_etf": "Cash ETFs",
    "index": "Indices",
    "unclassified": "Unclassified",
}


def _sector_pairs(sector: pd.Series, cls: pd.Series) -> pd.Series:
    """Per position a list of (sector, weight): an ETF's look-through mix, else [(its sector or class label, 1)]."""
    label = cls.map(NON_EQUITY_LABELS).fillna("Unclassified")
    return pd.Series(
        [
            list(m.items()) if isinstance(m, Mapping) else [(m if isinstance(m, str) and m else lab, 1.0)]
            for m, lab in zip(sector, label, strict=True)
        ],  # one small list per position
        index=sector.index,
        dtype=object,
    )


def allocation(positions: pd.DataFrame, exposure: FloatArray, cash: float, nav: float) -> pd.DataFrame:
    """Asset class → sector → position tree (`ALLOCATION_COLUMNS`) of |exposure| as a fraction of NAV.

    `positions` (id, symbol, asset_class, sector) are the open positions, `exposure` theirs in the same order.
    """
    book = positions.reset_index(drop=True)
    cls = book["asset_class"].fillna("unclassified").astype(str)
    rows = book.assign(
        _class=cls,
        _pair=_sector_pairs(book["sector"], cls),
        _exp=np.abs(np.asarray(exposure, dtype=float)),
    ).explode("_pair")
    sector = rows["_pair"].map(lambda p: str(p[0])).to_numpy()
    weight = rows["_pair"].map(lambda p: float(p[1])).to_numpy(float)
    parent = rows["_class"].to_numpy() + "/" + sector
    leaves = pd.DataFrame(
        {
            "id": parent + "/" + rows["id"].astype(str).to_numpy(),
            "parent": parent,
            "label": rows["symbol"].astype(str).to_numpy(),
            "exposure": rows["_exp"].to_numpy(float) * weight,
            "class": rows["_class"].to_numpy(),
            "sector": sector,
        }
    )
    sectors = leaves.groupby(["class", "sector", "parent"], as_index=False)["exposure"].sum()
    sectors = sectors.assign(id=sectors["parent"], label=sectors["sector"], parent=sectors["class"])
    classes = leaves.groupby("class", as_index=False)["exposure"].sum()
    classes = classes.assign(
        id=classes["class"], label=classes["class"].map(lambda c: CLASS_LABELS.get(c, c)), parent=""
    )
    cash_node = pd.DataFrame({"id": ["cash"], "parent": [""], "label": [CASH_LABEL], "exposure": [cash]})
    tree = pd.concat([classes, sectors, leaves, cash_node if cash > 0 else cash_node.iloc[:0]], ignore_index=True)
    tree["value"] = tree["exposure"] / nav if nav > 0 else np.nan
    out: pd.DataFrame = tree.reindex(columns=list(ALLOCATION_COLUMNS))
    return out
