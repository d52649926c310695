"""Stored risk results, stress scenarios, factor definitions and benchmark weights."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sigma.db.models.base import Base


class RiskResult(Base):
    """A storable risk result (computed on demand now, precomputed by the batch later)."""

    __tablename__ = "risk_results"

    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    params_key: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    source: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StressScenario(Base):
    """A stress scenario: shocks by factor (reference data, admin-editable)."""

    __tablename__ = "stress_scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # historical | hypothetical
    description: Mapped[str] = mapped_column(Text, default="")
    shocks: Mapped[dict[str, Any]] = mapped_column(JSON)
    window_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    window_end: Mapped[date | None] = mapped_column(Date, nullable=True)


class FactorDefinition(Base):
    """A style factor as an ETF spread: long_symbol minus short_symbol (or long only)."""

    __tablename__ = "factor_definitions"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    long_symbol: Mapped[str] = mapped_column(String(32))
    short_symbol: Mapped[str | None] = mapped_column(String(32), nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")


class BenchmarkWeight(Base):
    """Sector weights of a benchmark or ETF (look-through), with an as-of date."""

    __tablename__ = "benchmark_weights"

    benchmark: Mapped[str] = mapped_column(String(32), primary_key=True)
    sector: Mapped[str] = mapped_column(String(64), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    as_of: Mapped[date] = mapped_column(Date)
