"""A batch run as the Admin page shows it (the `batch_runs` rows are written by `sql.runs`).

A run's per-phase records live in `result["phases"]`, in plan order, one `PhaseRecord` each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sigma.batch.status import JobStatus, Json, Trigger


@dataclass(frozen=True)
class PhaseRecord:
    """One phase of a run: when it ran, how it ended, what it wrote, what failed, how much it covered."""

    name: str
    status: JobStatus
    started_at: datetime | None
    finished_at: datetime | None
    rows: int
    items: int
    failures: dict[str, str]
    coverage: float
    message: str

    def to_json(self) -> Json:
        """The record as stored in `batch_runs.result["phases"]`."""
        return {
            "name": self.name,
            "status": str(self.status),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "rows": self.rows,
            "items": self.items,
            "failures": dict(self.failures),
            "coverage": self.coverage,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, raw: Json) -> PhaseRecord:
        """A record read back from `batch_runs.result["phases"]`."""

        def when(value: object) -> datetime | None:
            return datetime.fromisoformat(str(value)) if value else None

        failures = raw.get("failures") or {}
        return cls(
            name=str(raw.get("name", "")),
            status=JobStatus(str(raw.get("status", "failed"))),
            started_at=when(raw.get("started_at")),
            finished_at=when(raw.get("finished_at")),
            rows=int(str(raw.get("rows", 0))),
            items=int(str(raw.get("items", 0))),
            failures={str(k): str(v) for k, v in dict(failures).items()} if isinstance(failures, dict) else {},
            coverage=float(str(raw.get("coverage", 0.0))),
            message=str(raw.get("message", "")),
        )


@dataclass(frozen=True)
class RunView:
    """A batch run as the Admin page shows it."""

    id: int
    job: str
    status: JobStatus
    trigger: Trigger
    phase: str
    progress: float
    message: str
    started_at: datetime
    finished_at: datetime | None
    result: Json
    requested_by: int | None = None
    params: Json | None = None

    @property
    def phases(self) -> list[PhaseRecord]:
        """The per-phase records, in plan order (empty for a run that recorded none)."""
        raw = self.result.get("phases") if isinstance(self.result, dict) else None
        return [PhaseRecord.from_json(p) for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []
