"""nightly batch: phase-aware run records, request parameters, insight cards and the admin audit log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 05:40:00

`batch_runs` gains who asked (`requested_by`), which process ran it (`holder`, so a run whose holder
died can be marked `died`) and its parameters (`params`: phases, portfolio, from-date); per-phase
records live in `result["phases"]`. `job_requests` gains `params` so the console can queue one phase
or one portfolio. `insights` holds the cards the `insights` phase writes (one row per portfolio,
rule and subject; first seen, last seen, dismissed by). `audit_log` holds every admin action.
Downgrade drops the new tables and columns.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("batch_runs") as batch:
        batch.add_column(sa.Column("requested_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("holder", sa.String(128), nullable=False, server_default=""))
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
        batch.create_foreign_key("fk_batch_runs_requested_by", "users", ["requested_by"], ["id"], ondelete="SET NULL")
    with op.batch_alter_table("job_requests") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=True))
    op.create_table(
        "insights",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("portfolio_id", sa.Integer(), sa.ForeignKey("portfolios.id", ondelete="CASCADE"), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False, server_default=""),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.String(256), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, server_default=""),
        sa.Column("numbers", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_by", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("portfolio_id", "rule", "subject", name="uq_insights_portfolio_rule_subject"),
    )
    op.create_index("ix_insights_portfolio_active", "insights", ["portfolio_id", "active"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(256), nullable=False, server_default=""),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", "audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_insights_portfolio_active", "insights")
    op.drop_table("insights")
    with op.batch_alter_table("job_requests") as batch:
        batch.drop_column("params")
    with op.batch_alter_table("batch_runs") as batch:
        batch.drop_constraint("fk_batch_runs_requested_by", type_="foreignkey")
        batch.drop_column("params")
        batch.drop_column("holder")
        batch.drop_column("requested_by")
