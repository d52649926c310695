"""Exposure grouped by a holding's attribute (sector, asset class, tag), and those attributes.

Conventions: exposure is delta-adjusted (`valuation`); only open positions count; a list-valued
attribute (tags) counts the position once under each of its values; a missing value is
"Unclassified". Share of gross is each group's gross over the sum of the groups' gross.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sigma.portfolio.valuation import priced_symbol


def exposure_by(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Long, short, gross, net exposure and share of gross per value of `column` (lists are exploded)."""
    rows = frame[frame["open"]] if "open" in frame.columns else frame
    rows = rows.explode(column) if rows[column].map(lambda v: isinstance(v, list | tuple)).any() else rows
    keys = rows[column].fillna("Unclassified")
    exposure = rows["exposure"]
    grouped = pd.DataFrame({"long": exposure.clip(lower=0.0), "short": exposure.clip(upper=0.0)}).groupby(keys)
    out = grouped.sum()
    out["gross"] = out["long"] + out["short"].abs()
    out["net"] = out["long"] + out["short"]
    total = out["gross"].sum()
    out["share_of_gross"] = out["gross"] / total if total > 0 else np.nan
    return out.sort_values("gross", ascending=False)


def with_classes(positions: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """Add the priced symbol (`valuation.priced_symbol`, else the symbol) and its sector and asset class."""
    by_symbol = profiles.set_index("symbol")
    priced = priced_symbol(positions).fillna(positions["symbol"])
    return positions.assign(
        priced=priced,
        sector=priced.map(by_symbol["sector"]) if len(by_symbol) else None,
        asset_class=priced.map(by_symbol["asset_class"]) if len(by_symbol) else None,
    )
