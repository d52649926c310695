"""The scheduler's last sign of life, as the Admin page reads it (written by `sql.heartbeat`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Beat:
    """The heartbeat row of one scheduler: who runs it, since when, and when it last beat."""

    name: str
    host: str
    pid: int
    started_at: datetime
    last_beat: datetime
