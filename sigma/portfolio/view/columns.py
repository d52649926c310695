"""Columns of the frames the Portfolio page draws (`PortfolioView`), in display order."""

from __future__ import annotations

HOLDING_COLUMNS = (
    "position_id",
    "symbol",
    "type",
    "quantity",
    "price",
    "market_value",
    "cost_basis",
    "pnl",
    "pnl_pct",
    "realized_pnl",
    "day_pnl",
    "weight",
    "day_change_pct",
    "spark",
    "tags",
    "target_eoy",
    "target_next_year",
    "downside",
    "target_note",
    "target_upside_pct",
    "downside_pct",
    "entry_date",
    "expiry",
    "strike",
    "vol_source",
)
CLOSED_COLUMNS = (
    "position_id",
    "symbol",
    "type",
    "quantity",
    "entry_date",
    "entry_price",
    "exit_date",
    "exit_price",
    "realized_pnl",
    "realized_pnl_pct",
)
EQUITY_COLUMNS = ("date", "nav", "twr_cum", "benchmark_cum", "drawdown", "benchmark_drawdown")
EXPOSURE_COLUMNS = ("group", "long", "short", "gross", "net", "pct_nav")
OPTION_COLUMNS = (
    "symbol",
    "type",
    "underlying",
    "strike",
    "expiry",
    "days_to_expiry",
    "quantity",
    "price",
    "delta",
    "gamma",
    "theta",
    "vega",
    "dollar_delta",
    "vol_source",
    "expired",
)
ATTRIBUTION_COLUMNS = ("symbol", "pnl", "contribution_pct")
CASH_SYMBOL = "Cash"
CASH_FLOW_COLUMNS = ("id", "date", "kind", "amount", "note")
