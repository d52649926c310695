"""Insight cards the nightly batch writes: one row per (portfolio, rule, subject)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sigma.db.models.base import Base


class Insight(Base):
    """An insight card: a rule of DOMAIN.md that fired for a portfolio, with the numbers behind it.

    `subject` names what it is about (a symbol, a sector, a factor; "" for the whole book), so a
    card that fires again night after night keeps its row, its `first_seen` and its dismissal.
    `active` is false once the rule stops firing.
    """

    __tablename__ = "insights"
    __table_args__ = (
        UniqueConstraint("portfolio_id", "rule", "subject", name="uq_insights_portfolio_rule_subject"),
        Index("ix_insights_portfolio_active", "portfolio_id", "active"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128), default="", server_default="")
    severity: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    title: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    numbers: Mapped[dict[str, Any]] = mapped_column(JSON)
    as_of: Mapped[date] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    dismissed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
