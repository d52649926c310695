"""finite checks: every stored amount, quantity and price is a finite number in its range

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:45:00

The last guard behind `sigma.portfolio.rules` and `sigma.market.validate`: inf, NaN, 1e308 or a
zero price never reaches the tables, whatever path wrote it. The bounds (the same as the rules'):
quantity (0, 1e9]; entry price, strike, targets (0, 1e7]; exit price [0, 1e7]; multiplier
(0, 1e4]; portfolio cash [0, 1e12]; a cash flow [-1e12, 1e12]; stored prices (0, 1e9].

PostgreSQL gets CHECK constraints (NaN fails them: PostgreSQL orders NaN above every number).
On SQLite a CHECK can only be added by rebuilding the table, and with foreign keys on (they are,
and a migration runs inside a transaction where the pragma cannot change) dropping the old
`portfolios` or `positions` table would cascade-delete every position, tag, target and snapshot.
So `prices` (no table refers to it) is rebuilt WITHOUT ROWID with real CHECK constraints, as in
0002 (a trigger there would cost a quarter more per bulk write), and the other tables get BEFORE
INSERT / BEFORE UPDATE triggers that abort with "CHECK constraint failed: <name>" (an
IntegrityError, like a CHECK). SQLite stores NaN as NULL, so NaN reaches a NOT NULL column as
NULL and is refused there; NULL passes a check (a blank strike, exit or target).

Existing rows: stored prices are a cache of the providers, so price rows without a usable close
are deleted and unusable open/high/low set to NULL; a cash balance left a rounding residue below
0 (the old rule allowed -1e-9) is set to 0. Any other row outside its range stops the migration
with a message naming the table, the rows and the column: fix or delete them, then start again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

POSITIVE = "{c} > 0 AND {c} <= {high}"
NON_NEGATIVE = "{c} >= 0 AND {c} <= {high}"
SYMMETRIC = "{c} >= -{high} AND {c} <= {high}"

# table -> (column, rule, bound); the constraint is called ck_<table>_<column>
CHECKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "portfolios": (("cash", NON_NEGATIVE, "1e12"),),
    "positions": (
        ("quantity", POSITIVE, "1e9"),
        ("entry_price", POSITIVE, "1e7"),
        ("strike", POSITIVE, "1e7"),
        ("exit_price", NON_NEGATIVE, "1e7"),
        ("multiplier", POSITIVE, "1e4"),
    ),
    "cash_flows": (("amount", SYMMETRIC, "1e12"),),
    "target_prices": tuple((c, POSITIVE, "1e7") for c in ("target_eoy", "target_next_year", "downside")),
    "prices": tuple((c, POSITIVE, "1e9") for c in ("open", "high", "low", "close", "adj_close")),
}


def _rule(rule: str, column: str, high: str) -> str:
    return rule.format(c=column, high=high)


def _clean_caches() -> None:
    """Prices are a provider cache: drop rows without a usable close, NULL unusable open/high/low."""
    good = " AND ".join(f"({_rule(POSITIVE, c, '1e9')})" for c in ("close", "adj_close"))
    op.execute(f"DELETE FROM prices WHERE NOT ({good}) OR close IS NULL OR adj_close IS NULL")
    for column in ("open", "high", "low"):
        op.execute(f"UPDATE prices SET {column} = NULL WHERE NOT ({_rule(POSITIVE, column, '1e9')})")
    op.execute("UPDATE portfolios SET cash = 0 WHERE cash < 0 AND cash >= -1e-9")


def _refuse_bad_rows() -> None:
    """Stop with one message naming every table, column and (up to five) rows out of range."""
    bind, problems = op.get_bind(), []
    for table, checks in CHECKS.items():
        key = "symbol || ' ' || date" if table == "prices" else "position_id" if table == "target_prices" else "id"
        for column, rule, high in checks:
            where = f"NOT ({_rule(rule, column, high)})"
            rows = bind.execute(sa.text(f"SELECT {key}, {column} FROM {table} WHERE {where} LIMIT 5")).all()
            if rows:
                shown = ", ".join(f"{k} ({v!r})" for k, v in rows)
                problems.append(f"{table}.{column} outside its range in rows {shown}")
    if problems:
        raise RuntimeError(
            "Migration 0004 (finite checks) cannot start: " + "; ".join(problems) + ". These rows hold "
            "infinite or absurd numbers; fix or delete them (in the app or with SQL), then start again."
        )


def _sqlite_triggers(table: str, column: str, rule: str, high: str) -> None:
    name, condition = f"ck_{table}_{column}", rule.format(c=f"NEW.{column}", high=high)
    for event, when in (("insert", "INSERT"), ("update", f"UPDATE OF {column}")):
        op.execute(
            f"CREATE TRIGGER {name}_{event} BEFORE {when} ON {table} WHEN NOT ({condition}) "
            f"BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
        )


PRICE_COLUMNS = "symbol, date, open, high, low, close, adj_close, volume, source"


def _rebuild_prices(checked: bool) -> None:
    """SQLite: copy `prices` into a WITHOUT ROWID table with (or without) its CHECKs and swap it in."""
    checks = "".join(
        f", CONSTRAINT ck_prices_{c} CHECK ({_rule(rule, c, high)})" for c, rule, high in CHECKS["prices"] if checked
    )
    op.execute(
        "CREATE TABLE prices_rebuild ("
        "symbol VARCHAR(32) NOT NULL, date DATE NOT NULL, open FLOAT, high FLOAT, low FLOAT, "
        "close FLOAT NOT NULL, adj_close FLOAT NOT NULL, volume BIGINT, source VARCHAR(16) NOT NULL, "
        f"PRIMARY KEY (symbol, date){checks}) WITHOUT ROWID"
    )
    op.execute(f"INSERT INTO prices_rebuild ({PRICE_COLUMNS}) SELECT {PRICE_COLUMNS} FROM prices ORDER BY symbol, date")
    op.execute("DROP TABLE prices")
    op.execute("ALTER TABLE prices_rebuild RENAME TO prices")
    op.execute("CREATE INDEX ix_prices_date ON prices (date)")


def upgrade() -> None:
    _clean_caches()
    _refuse_bad_rows()
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, checks in CHECKS.items():
        for column, rule, high in checks:
            if not sqlite:
                op.create_check_constraint(f"ck_{table}_{column}", table, _rule(rule, column, high))
            elif table != "prices":
                _sqlite_triggers(table, column, rule, high)
    if sqlite:
        _rebuild_prices(checked=True)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, checks in CHECKS.items():
        for column, _rule_text, _high in checks:
            name = f"ck_{table}_{column}"
            if not sqlite:
                op.drop_constraint(name, table, type_="check")
            elif table != "prices":
                op.execute(f"DROP TRIGGER IF EXISTS {name}_insert")
                op.execute(f"DROP TRIGGER IF EXISTS {name}_update")
    if sqlite:
        _rebuild_prices(checked=False)
