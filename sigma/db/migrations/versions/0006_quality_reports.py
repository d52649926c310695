"""quality reports: the data-quality report of the stored prices, kept by the jobs

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 03:30:00

The Admin page rebuilt the report over every stored price on each render (1.7 s). The jobs
process now stores it when prices change (`python -m jobs init`, the market-data job) and the
page reads the newest row, saying when it was computed. Downgrade drops the table (the page then
computes the report itself, with a note).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("symbols", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("quality_reports")
