"""Batch runs, job requests, job locks, the scheduler heartbeat and the stored data-quality report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sigma.db.models.base import Base


class BatchRun(Base):
    """One run of a job, with phase-by-phase progress."""

    __tablename__ = "batch_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16))  # running | succeeded | failed | partial
    trigger: Mapped[str] = mapped_column(String(16), default="manual")  # manual | schedule | request
    phase: Mapped[str] = mapped_column(String(64), default="")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    holder: Mapped[str] = mapped_column(String(128), default="", server_default="")  # host:pid of the runner
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # phases, portfolio, from-date


class JobRequest(Base):
    """A run queued from the Admin page; the jobs process picks it up."""

    __tablename__ = "job_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    picked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    batch_run_id: Mapped[int | None] = mapped_column(ForeignKey("batch_runs.id", ondelete="SET NULL"), nullable=True)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # phases, portfolio, from-date


class JobLock(Base):
    """A lease that keeps two runs of one job from overlapping, across processes."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SchedulerHeartbeat(Base):
    __tablename__ = "scheduler_heartbeat"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_beat: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QualityReport(Base):
    """The latest data-quality report of the stored prices, written by the jobs (`jobs init`, market data).

    `payload` is the report frame (`sigma.market.quality.COLUMNS`) as pandas "split" JSON; `as_of` is
    the reference date its staleness was judged against; only the newest row is kept.
    """

    __tablename__ = "quality_reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    symbols: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """One admin action: who did what to whom, when (written by `sigma.auth.sql.audit.record` only)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256), default="", server_default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
