"""Portfolios, positions, cash flows, tags, targets and the daily snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sigma.db.models.base import Base

if TYPE_CHECKING:
    from sigma.db.models.auth import User


def bounded(table: str, column: str, high: str, low: str = ">") -> CheckConstraint:
    """`ck_<table>_<column>`: the column in (0, high] (`low=">="`: [0, high]; `low="-"`: [-high, high]).

    The bounds are `sigma.portfolio.rules`' (and `sigma.market.validate.MAX_BAR_PRICE` for prices);
    migration 0004 makes them CHECK constraints on PostgreSQL and triggers on SQLite. NULL passes.
    """
    floor = f"{column} >= -{high}" if low == "-" else f"{column} {low} 0"
    return CheckConstraint(f"{floor} AND {column} <= {high}", name=f"ck_{table}_{column}")


class Portfolio(Base):
    __tablename__ = "portfolios"
    __table_args__ = (UniqueConstraint("owner_id", "name"), bounded("portfolios", "cash", "1e12", ">="))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    base_currency: Mapped[str] = mapped_column(String(3), default="USD")
    benchmark: Mapped[str] = mapped_column(String(32), default="SPY")
    cash: Mapped[float] = mapped_column(Float, default=0.0)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    owner: Mapped[User] = relationship(back_populates="portfolios")
    positions: Mapped[list[Position]] = relationship(back_populates="portfolio", cascade="all, delete-orphan")


class Position(Base):
    """A holding. Options carry underlying, strike, expiry and multiplier."""

    __tablename__ = "positions"
    __table_args__ = (
        bounded("positions", "quantity", "1e9"),
        bounded("positions", "entry_price", "1e7"),
        bounded("positions", "strike", "1e7"),
        bounded("positions", "exit_price", "1e7", ">="),
        bounded("positions", "multiplier", "1e4"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"), index=True)
    symbol: Mapped[str] = mapped_column(String(32))
    position_type: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[float] = mapped_column(Float)
    entry_price: Mapped[float] = mapped_column(Float)
    entry_date: Mapped[date] = mapped_column(Date)
    underlying: Mapped[str | None] = mapped_column(String(32), nullable=True)
    strike: Mapped[float | None] = mapped_column(Float, nullable=True)
    expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    multiplier: Mapped[float] = mapped_column(Float, default=1.0)
    exit_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    exit_price: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    portfolio: Mapped[Portfolio] = relationship(back_populates="positions")


class PortfolioSnapshot(Base):
    __tablename__ = "portfolio_snapshots"

    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    nav: Mapped[float] = mapped_column(Float)
    cash: Mapped[float] = mapped_column(Float, default=0.0)
    market_value: Mapped[float] = mapped_column(Float, default=0.0)
    long_exposure: Mapped[float] = mapped_column(Float, default=0.0)
    short_exposure: Mapped[float] = mapped_column(Float, default=0.0)
    gross_exposure: Mapped[float] = mapped_column(Float, default=0.0)
    net_exposure: Mapped[float] = mapped_column(Float, default=0.0)
    unrealized_pnl: Mapped[float] = mapped_column(Float, default=0.0)
    day_pnl: Mapped[float | None] = mapped_column(Float, nullable=True)
    flows: Mapped[float] = mapped_column(Float, default=0.0)
    delta_dollars: Mapped[float] = mapped_column(Float, default=0.0)
    gamma_dollars: Mapped[float] = mapped_column(Float, default=0.0)
    theta_dollars: Mapped[float] = mapped_column(Float, default=0.0)
    vega_dollars: Mapped[float] = mapped_column(Float, default=0.0)
    source: Mapped[str] = mapped_column(String(16))


class CashFlow(Base):
    """A deposit (+), withdrawal (-) or dividend (+) into a portfolio's cash."""

    __tablename__ = "cash_flows"
    __table_args__ = (
        Index("ix_cash_flows_portfolio_date", "portfolio_id", "date"),
        bounded("cash_flows", "amount", "1e12", "-"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # deposit | withdrawal | dividend
    amount: Mapped[float] = mapped_column(Float)  # signed: withdrawals are negative
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    color: Mapped[str] = mapped_column(String(16), default="#4c78a8")
    auto: Mapped[bool] = mapped_column(Boolean, default=False)  # automatic sector tag


class PositionTag(Base):
    __tablename__ = "position_tags"

    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class TargetPrice(Base):
    __tablename__ = "target_prices"
    __table_args__ = tuple(bounded("target_prices", c, "1e7") for c in ("target_eoy", "target_next_year", "downside"))

    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True)
    target_eoy: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_next_year: Mapped[float | None] = mapped_column(Float, nullable=True)
    downside: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


# --- risk issue: stored results and reference data -------------------------------------------
