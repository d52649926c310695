"""SQLAlchemy 2 typed ORM models: the tables of ARCHITECTURE.md used so far, one module per domain.

Import every model from here (`from sigma.db.models import Price`): importing this package
registers every table on `Base.metadata`. Quantities are stored positive; the position type
gives the sign. Prices carry their source (`live`, `simulated`, `csv`). Timestamps are UTC.
Later issues add their tables in their own Alembic migrations.
"""

from sigma.db.models.auth import AuthSession, LoginFailure, User
from sigma.db.models.base import Base
from sigma.db.models.insights import Insight
from sigma.db.models.jobs import AuditEntry, BatchRun, JobLock, JobRequest, QualityReport, SchedulerHeartbeat
from sigma.db.models.market import Price, Security
from sigma.db.models.portfolios import (
    CashFlow,
    Portfolio,
    PortfolioSnapshot,
    Position,
    PositionTag,
    Tag,
    TargetPrice,
)
from sigma.db.models.risk import BenchmarkWeight, FactorDefinition, RiskResult, StressScenario

__all__ = [
    "AuditEntry",
    "AuthSession",
    "Base",
    "BatchRun",
    "BenchmarkWeight",
    "CashFlow",
    "FactorDefinition",
    "Insight",
    "JobLock",
    "JobRequest",
    "LoginFailure",
    "Portfolio",
    "PortfolioSnapshot",
    "Position",
    "PositionTag",
    "Price",
    "QualityReport",
    "RiskResult",
    "SchedulerHeartbeat",
    "Security",
    "StressScenario",
    "Tag",
    "TargetPrice",
    "User",
]
