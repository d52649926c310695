"""The scheduler's liveness row (`scheduler_heartbeat`), written by the jobs process, read by the Admin page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.heartbeat import Beat
from sigma.batch.status import utc_now
from sigma.db.engine import session_scope, with_lock_retry
from sigma.db.models import SchedulerHeartbeat


class Heartbeat:
    """The scheduler's liveness row."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def beat(self, name: str, host: str, pid: int) -> None:
        """Write or refresh the heartbeat of scheduler `name`."""
        now = self._clock()

        def work() -> None:
            with session_scope(self._sessions) as s:
                row = s.get(SchedulerHeartbeat, name)
                if row is None or row.pid != pid or row.host != host:
                    s.merge(SchedulerHeartbeat(name=name, host=host, pid=pid, started_at=now, last_beat=now))
                else:
                    row.last_beat = now

        with_lock_retry(work)

    def last(self, name: str = "scheduler") -> Beat | None:
        """The last heartbeat of scheduler `name`, if it ever beat."""
        with session_scope(self._sessions) as s:
            row = s.get(SchedulerHeartbeat, name)
            return None if row is None else Beat(row.name, row.host, row.pid, row.started_at, row.last_beat)
