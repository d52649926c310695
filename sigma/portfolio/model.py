"""What the Portfolio page draws: frozen results of `PortfolioService`.

Conventions: money in the portfolio's base currency (USD); percentages are fractions (0.05 = 5 %);
"% of NAV" figures divide by the NAV at `as_of`; exposures are delta-adjusted (DOMAIN.md,
"Positions and valuation"); theta is $ per calendar day, vega $ per vol point, dollar gamma the
change of dollar delta for a 1 % move of the underlying.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from sigma.portfolio.activity import ActivityItem
from sigma.portfolio.health import HealthScore

HOLDING_COLUMNS = (
    "position_id", "symbol", "type", "quantity", "price", "market_value", "cost_basis", "pnl", "pnl_pct", "weight",
    "day_change_pct", "spark", "tags", "target_eoy", "target_next_year", "downside", "target_note",
    "target_upside_pct", "downside_pct", "entry_date", "expiry", "strike", "vol_source",
)  # fmt: skip
CLOSED_COLUMNS = (
    "position_id", "symbol", "type", "quantity", "entry_date", "entry_price", "exit_date", "exit_price",
    "realized_pnl", "realized_pnl_pct",
)  # fmt: skip
EQUITY_COLUMNS = ("date", "nav", "twr_cum", "benchmark_cum", "drawdown", "benchmark_drawdown")
EXPOSURE_COLUMNS = ("group", "long", "short", "gross", "net", "pct_nav")
OPTION_COLUMNS = (
    "symbol", "type", "underlying", "strike", "expiry", "days_to_expiry", "quantity", "price", "delta", "gamma",
    "theta", "vega", "dollar_delta", "vol_source", "expired",
)  # fmt: skip
ATTRIBUTION_COLUMNS = ("symbol", "pnl", "contribution_pct")
CASH_FLOW_COLUMNS = ("id", "date", "kind", "amount", "note")


@dataclass(frozen=True)
class PortfolioInfo:
    """One portfolio as the sidebar and the page list it; `cash` is the current balance."""

    id: int
    name: str
    description: str
    benchmark: str
    base_currency: str
    cash: float
    archived: bool


@dataclass(frozen=True)
class TagInfo:
    """A tag of the acting user; `auto` tags are sector tags kept by `sync_sector_tags`."""

    id: int
    name: str
    color: str
    auto: bool
    n_positions: int


@dataclass(frozen=True)
class ImportResult:
    """What a committed import did: rows written, rows skipped (already there), error lines not imported."""

    imported: int
    skipped: int
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kpis:
    """Headline numbers of the whole book at `as_of` (never filtered by tag)."""

    nav: float
    cash: float
    day_pnl: float
    day_pnl_pct: float  # day P&L / previous NAV (NaN without a previous snapshot)
    unrealized_pnl: float
    realized_pnl: float
    long: float
    short: float  # ≤ 0
    gross: float
    net: float
    long_pct: float  # of NAV
    short_pct: float
    gross_pct: float
    net_pct: float
    beta: float | None  # vs the portfolio's benchmark, 252-day OLS on snapshot returns
    beta_reason: str | None  # why beta is None
    health: HealthScore | None
    health_reason: str | None
    expected_return: float | None  # Σ exposure × (target EOY / spot − 1) / NAV over positions with a target
    target_coverage: float  # share of gross exposure that has a target
    delta_dollars: float
    gamma_dollars: float
    theta_dollars: float
    vega_dollars: float


@dataclass(frozen=True)
class PortfolioView:
    """Everything the Portfolio page shows, with where the numbers come from."""

    info: PortfolioInfo
    as_of: date
    source: str
    kpis: Kpis
    holdings: pd.DataFrame
    closed: pd.DataFrame
    equity: pd.DataFrame
    exposures: dict[str, pd.DataFrame]
    options: pd.DataFrame
    attribution: pd.DataFrame
    activity: list[ActivityItem]
    notes: list[str] = field(default_factory=list)
    tag: str | None = None
