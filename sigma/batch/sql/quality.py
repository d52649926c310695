"""The stored data-quality report (`quality_reports`): written by the jobs, read by the Admin page.

The report frame (`sigma.market.quality.COLUMNS`, one row per symbol) is stored as pandas "split"
JSON in one row with its reference date and the UTC time it was computed; a new report replaces
the old one in the same transaction. Dates come back as `datetime.date`, counts as int64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from io import StringIO

import pandas as pd
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.status import utc_now
from sigma.db.engine import session_scope, with_lock_retry
from sigma.db.models import QualityReport

DATE_COLUMNS = ("first", "last", "worst_jump_date")


@dataclass(frozen=True)
class StoredQuality:
    """A stored report: the frame, the date staleness was judged against, and when it was computed (UTC)."""

    report: pd.DataFrame
    as_of: date
    computed_at: datetime


def _to_json(report: pd.DataFrame) -> str:
    frame = report.copy()
    for column in DATE_COLUMNS:
        if column in frame.columns:
            frame[column] = [None if pd.isna(d) else pd.Timestamp(d).date().isoformat() for d in frame[column]]
    return str(frame.to_json(orient="split", index=False))


def _from_json(payload: str) -> pd.DataFrame:
    frame = pd.read_json(StringIO(payload), orient="split", convert_dates=False, dtype=False)
    for column in DATE_COLUMNS:
        if column in frame.columns:
            frame[column] = [None if d is None or pd.isna(d) else date.fromisoformat(str(d)) for d in frame[column]]
    return frame


class QualityReports:
    """The newest stored data-quality report."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions, self._clock = sessions, clock

    def store(self, report: pd.DataFrame, as_of: date) -> datetime:
        """Replace the stored report; returns its computed_at."""
        now, payload = self._clock(), _to_json(report)

        def work() -> None:
            with session_scope(self._sessions) as s:
                s.execute(delete(QualityReport))
                s.add(QualityReport(as_of=as_of, computed_at=now, symbols=len(report), payload=payload))

        with_lock_retry(work)
        return now

    def latest(self) -> StoredQuality | None:
        """The stored report, or None when the jobs have not stored one yet."""
        with session_scope(self._sessions) as s:
            row = s.scalars(select(QualityReport).order_by(QualityReport.id.desc()).limit(1)).first()
            if row is None:
                return None
            return StoredQuality(_from_json(row.payload), row.as_of, row.computed_at)
