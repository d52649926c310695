"""Cross-process job locks: a lease row in `job_locks`, taken when absent or expired, released at the end.

Two schedulers on one database therefore never run the same job at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.locks import JobBusy
from sigma.batch.status import utc_now
from sigma.db.engine import session_scope
from sigma.db.models import JobLock


class JobLocks:
    """Lease locks in the database, safe across processes and schedulers."""

    def __init__(self, sessions: sessionmaker[Session], holder: str, clock: Callable[[], datetime] = utc_now) -> None:
        self._sessions = sessions
        self._holder = holder
        self._clock = clock

    def acquire(self, name: str, ttl: timedelta = timedelta(hours=2)) -> bool:
        """Take the lock `name` if it is free or expired; True when taken."""
        now = self._clock()
        try:
            with session_scope(self._sessions) as s:
                s.execute(delete(JobLock).where(JobLock.name == name, JobLock.expires_at < now))
                s.add(JobLock(name=name, holder=self._holder, acquired_at=now, expires_at=now + ttl))
            return True
        except IntegrityError:
            return False

    def release(self, name: str) -> None:
        """Give the lock back (only if this holder has it)."""
        with session_scope(self._sessions) as s:
            s.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == self._holder))

    @contextmanager
    def held(self, name: str, ttl: timedelta = timedelta(hours=2)) -> Iterator[None]:
        """Hold the lock for a block; raise JobBusy if another holder has it."""
        if not self.acquire(name, ttl):
            raise JobBusy(f"{name} is already running in another process; wait for it to finish.")
        try:
            yield
        finally:
            self.release(name)
