"""Exposure grouped by a holding's attribute (sector, asset class, tag), and those attributes.

Conventions: exposure is delta-adjusted (`valuation`); only open positions count; a list-valued
attribute (tags) counts the position once under each of its values; a mapping-valued attribute
({label: weight}, an ETF's sector look-through) splits the position's exposure by those weights;
a missing value is "Unclassified". Share of gross is each group's gross over the sum of the
groups' gross.

Sectors use the Risk page's vocabulary (`sigma.risk.sector`): a stock counts in its GICS sector;
a broad, style or sector ETF is looked through to the GICS sectors by its reference weights (an
option by its underlying's); anything else is reported by its asset-class label ("Bonds",
"Commodities", "Cash", …), so a book of ETFs is not "Unclassified".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from sigma.portfolio.valuation import priced_symbol
from sigma.risk.sector import LOOK_THROUGH, holding_labels

UNCLASSIFIED = "Unclassified"


def _weighted_keys(rows: pd.DataFrame, column: str) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """(rows, group key, exposure) with list cells exploded and mapping cells split by weight."""
    cells = rows[column]
    if cells.map(lambda v: isinstance(v, Mapping)).any():
        pairs = cells.map(lambda v: list(v.items()) if isinstance(v, Mapping) else [(v, 1.0)])
        rows = rows.assign(_pair=pairs).explode("_pair")
        weight = rows["_pair"].map(lambda p: p[1]).astype(float)
        return rows, rows["_pair"].map(lambda p: p[0]), rows["exposure"] * weight
    if cells.map(lambda v: isinstance(v, list | tuple)).any():
        rows = rows.explode(column)
    return rows, rows[column], rows["exposure"]


def exposure_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Long, short, gross, net exposure and share of gross per value of `column` (lists exploded, mixes split)."""
    rows = frame[frame["open"]] if "open" in frame.columns else frame
    rows, keys, exposure = _weighted_keys(rows, column)
    keys = keys.where(keys.notna(), UNCLASSIFIED)
    parts = pd.DataFrame({"long": exposure.clip(lower=0.0), "short": exposure.clip(upper=0.0)})
    out = parts.groupby(keys.to_numpy()).sum()
    out["gross"] = out["long"] + out["short"].abs()
    out["net"] = out["long"] + out["short"]
    total = out["gross"].sum()
    out["share_of_gross"] = out["gross"] / total if total > 0 else np.nan
    return out.sort_values("gross", ascending=False)


def sector_mix(priced: pd.Series, sectors: pd.Series, asset_classes: pd.Series) -> pd.Series:
    """Per position: an ETF's look-through weights {sector: weight}, else its sector or asset-class label."""
    labels = holding_labels(sectors, asset_classes, missing=UNCLASSIFIED)
    mixes = priced.map(lambda s: LOOK_THROUGH.get(str(s)))
    return pd.Series(
        [dict(m) if isinstance(m, Mapping) else lab for m, lab in zip(mixes, labels, strict=True)],
        index=priced.index,
        dtype=object,
    )  # one cell per position


def with_classes(positions: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Add the priced symbol (`valuation.priced_symbol`, else the symbol), its sector mix and asset class."""
    by_symbol = profiles.set_index("symbol")
    priced = priced_symbol(positions).fillna(positions["symbol"])
    if not len(by_symbol):
        empty = pd.Series(None, index=positions.index, dtype=object)
        return positions.assign(priced=priced, sector=sector_mix(priced, empty, empty), asset_class=None)
    sectors, classes = priced.map(by_symbol["sector"]), priced.map(by_symbol["asset_class"])
    return positions.assign(priced=priced, sector=sector_mix(priced, sectors, classes), asset_class=classes)
