"""prices without rowid (SQLite): store price rows clustered by (symbol, date)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:30:00

On SQLite the `prices` table is rebuilt as a WITHOUT ROWID table, so its rows live in the
primary-key b-tree in (symbol, date) order and a symbol's history is one contiguous range
instead of one index lookup plus one table lookup per row. PostgreSQL is left unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = "symbol, date, open, high, low, close, adj_close, volume, source"


def _rebuild(suffix: str) -> None:
    """Copy `prices` into a new table created with `suffix` (e.g. "WITHOUT ROWID") and swap it in."""
    op.execute(
        "CREATE TABLE prices_rebuild ("
        "symbol VARCHAR(32) NOT NULL, date DATE NOT NULL, open FLOAT, high FLOAT, low FLOAT, "
        "close FLOAT NOT NULL, adj_close FLOAT NOT NULL, volume BIGINT, source VARCHAR(16) NOT NULL, "
        f"PRIMARY KEY (symbol, date)){suffix}"
    )
    op.execute(f"INSERT INTO prices_rebuild ({COLUMNS}) SELECT {COLUMNS} FROM prices ORDER BY symbol, date")
    op.execute("DROP TABLE prices")
    op.execute("ALTER TABLE prices_rebuild RENAME TO prices")
    op.execute("CREATE INDEX ix_prices_date ON prices (date)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild(" WITHOUT ROWID")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild("")
