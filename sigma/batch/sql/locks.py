"""Cross-process job locks: a lease row in `job_locks`, renewed while its holder works.

A lock is taken when absent or expired. Its holder renews the lease every third of its TTL from a
background thread (`Lease`), so a live run keeps it however long it takes, and a holder that died
(SIGKILL, power loss) stops renewing: its lock expires within one TTL (about a minute by default) and
the next run takes it over. Two schedulers on one database therefore never run the same job at once,
and a crash never blocks a job for longer than the TTL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from sigma.batch.locks import JobBusy
from sigma.batch.status import utc_now
from sigma.db.engine import session_scope
from sigma.db.models import JobLock

log = logging.getLogger("sigma.jobs")
DEFAULT_TTL = timedelta(seconds=60)


class JobLocks:
    """Lease locks in the database, safe across processes and schedulers."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        holder: str,
        clock: Callable[[], datetime] = utc_now,
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self._sessions = sessions
        self.holder = holder
        self._clock = clock
        self.ttl = ttl

    def acquire(self, name: str, ttl: timedelta | None = None) -> bool:
        """Take the lock `name` if it is free or expired; True when taken."""
        now = self._clock()
        try:
            with session_scope(self._sessions) as s:
                s.execute(delete(JobLock).where(JobLock.name == name, JobLock.expires_at < now))
                s.add(JobLock(name=name, holder=self.holder, acquired_at=now, expires_at=now + (ttl or self.ttl)))
            return True
        except IntegrityError:
            return False

    def renew(self, name: str, ttl: timedelta | None = None) -> bool:
        """Extend this holder's lease by a TTL from now; False when it no longer holds the lock."""
        with session_scope(self._sessions) as s:
            done = s.execute(
                update(JobLock)
                .where(JobLock.name == name, JobLock.holder == self.holder)
                .values(expires_at=self._clock() + (ttl or self.ttl))
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult

    def release(self, name: str) -> None:
        """Give the lock back (only if this holder has it)."""
        with session_scope(self._sessions) as s:
            s.execute(delete(JobLock).where(JobLock.name == name, JobLock.holder == self.holder))

    @contextmanager
    def held(self, name: str, on_lost: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold the lock for a block, renewing its lease; raise JobBusy if another live holder has it.

        `on_lost` is called (from the renewal thread) if the lease is lost, e.g. after the database
        was unreachable for longer than a TTL and another process took the lock over.
        """
        if not self.acquire(name):
            raise JobBusy(f"{name} is already running in another process; wait for it to finish.")
        lease = Lease(self, name, on_lost)
        lease.start()
        try:
            yield
        finally:
            lease.stop()
            self.release(name)


class Lease(threading.Thread):
    """Renews a held lock every third of its TTL until stopped."""

    def __init__(self, locks: JobLocks, name: str, on_lost: Callable[[], None] | None) -> None:
        super().__init__(name=f"lease-{name}", daemon=True)
        self._locks, self._lock_name, self._on_lost = locks, name, on_lost
        self._stopped = threading.Event()

    def run(self) -> None:
        """Renew until stopped; report a lost lease once and end."""
        interval = max(self._locks.ttl.total_seconds() / 3.0, 0.05)
        while not self._stopped.wait(interval):
            try:
                kept = self._locks.renew(self._lock_name)
            except OperationalError as exc:  # the database is briefly away: try again next round
                log.warning("could not renew the lease of %s: %s", self._lock_name, exc)
                continue
            if not kept:
                log.error("lost the lease of %s: another process took it over", self._lock_name)
                if self._on_lost is not None:
                    self._on_lost()
                return

    def stop(self) -> None:
        """Stop renewing (the caller releases the lock)."""
        self._stopped.set()
        self.join(timeout=5)
