"""derived position history: drop position_snapshots

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:00:00

A position's value on any day follows from its record and that day's prices, and the only reader
of the stored rows (the P&L attribution window) needs two days of them: the first and the last.
Storing every position on every day cost days × positions rows (4.2 million for a
20,000-position book, most of a backfill's time) for two of them ever being read. The Portfolio
view now values the positions on those two days from the prices (`sigma.portfolio.snapshots
.window_rows`); the daily portfolio snapshots stay. Downgrade recreates the empty table (the
next backfill of an older version refills it).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

NUMBERS = ("price", "market_value", "exposure", "unrealized_pnl")
GREEKS = ("delta", "gamma", "theta", "vega")


def upgrade() -> None:
    op.drop_table("position_snapshots")


def downgrade() -> None:
    op.create_table(
        "position_snapshots",
        sa.Column("position_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in NUMBERS),
        *(sa.Column(name, sa.Float(), nullable=True) for name in GREEKS),
        sa.ForeignKeyConstraint(["portfolio_id"], ["portfolios.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["position_id"], ["positions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("position_id", "date"),
    )
    op.create_index("ix_position_snapshots_portfolio_date", "position_snapshots", ["portfolio_id", "date"])
