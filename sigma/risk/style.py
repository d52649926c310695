"""Style factors as ETF spreads: daily factor returns from closes or from returns.

Conventions: a factor is `FactorSpec` (name, long symbol, short symbol or None) and its daily
return is the long ETF's simple return minus the short one's (or the long one's alone):
Market = SPY, Size = IWM − SPY, Value = IWD − IWF, Momentum = MTUM − SPY, Quality = QUAL − SPY,
LowVol = USMV − SPY. The ORM row holding a factor's definition is `sigma.db.models.FactorDefinition`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sigma.errors import UnknownSymbol

FactorSpec = tuple[str, str, str | None]  # (name, long symbol, short symbol or None)
DEFAULT_FACTORS: tuple[FactorSpec, ...] = (
    ("Market", "SPY", None),
    ("Size", "IWM", "SPY"),
    ("Value", "IWD", "IWF"),
    ("Momentum", "MTUM", "SPY"),
    ("Quality", "QUAL", "SPY"),
    ("LowVol", "USMV", "SPY"),
)
STYLE_NAMES: tuple[str, ...] = tuple(name for name, _, short in DEFAULT_FACTORS if short)  # spreads, not Market


def factor_symbols(definitions: Sequence[FactorSpec]) -> list[str]:
    """Every ETF the factors are built from, sorted."""
    return sorted({s for _, long, short in definitions for s in (long, short) if s})


def _require(frame: pd.DataFrame, definitions: Sequence[FactorSpec]) -> list[str]:
    """The factor ETFs, or UnknownSymbol naming those `frame` lacks."""
    needed = factor_symbols(definitions)
    missing = sorted(set(needed) - set(frame.columns))
    if missing:
        raise UnknownSymbol(missing, "Style factors need these ETFs' prices: run python -m jobs run market_data")
    return needed


def style_factors(returns: pd.DataFrame, definitions: Sequence[FactorSpec] = DEFAULT_FACTORS) -> pd.DataFrame:
    """Daily factor returns (long − short, or long alone) from the ETFs' daily returns."""
    rets = returns[_require(returns, definitions)]
    out = {name: rets[long] - (rets[short] if short else 0.0) for name, long, short in definitions}
    return pd.DataFrame(out, index=rets.index)


def build_style_factors(close: pd.DataFrame, definitions: Sequence[FactorSpec] = DEFAULT_FACTORS) -> pd.DataFrame:
    """Daily factor returns from the ETFs' closes (dates x symbols); the first date has no return."""
    returns = close[_require(close, definitions)].pct_change(fill_method=None).iloc[1:]
    return style_factors(returns, definitions)
