"""security isin: the ISO 6166 code of a profile, so ISIN-only broker files resolve to symbols

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 00:40:00

Adds `securities.isin` (nullable, indexed) and fills it for the stored profiles the reference
universe knows (`sigma/market/data/universe.csv`, whose codes are checked with python-stdnum).
Profiles from other sources keep NULL until their provider gives a code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("securities") as batch:
        batch.add_column(sa.Column("isin", sa.String(12), nullable=True))
        batch.create_index("ix_securities_isin", ["isin"])
    from sigma.market.universe import load_universe  # the reference codes as of this revision

    universe = load_universe()
    rows = [{"s": s, "i": i} for s, i in zip(universe["symbol"], universe["isin"], strict=True) if i]
    if rows:
        op.get_bind().execute(sa.text("UPDATE securities SET isin = :i WHERE symbol = :s"), rows)


def downgrade() -> None:
    with op.batch_alter_table("securities") as batch:
        batch.drop_index("ix_securities_isin")
        batch.drop_column("isin")
