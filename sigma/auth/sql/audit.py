"""The `audit_log` rows: every admin action, who did it, to what, and when.

`record` is the one writer. Callers run it inside the transaction that does the action, so an
action and its audit row commit or roll back together: a refused or failed action leaves no row,
and no action is done without one. The actor's name is read from the database by id (the
`AuthUser` handed in may be stale or forged); details never hold a password or a hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from sigma.auth.model import AuthUser, as_utc
from sigma.db.models import AuditEntry, User

SYSTEM_ACTOR = "system"  # the jobs process or the command line, when no admin acted


class AuditAction(StrEnum):
    """What an admin did (the closed set of audited actions)."""

    CREATE_USER = "create_user"
    SET_ROLE = "set_role"
    RESET_PASSWORD = "reset_password"
    UNLOCK = "unlock"
    DEACTIVATE = "deactivate"
    ACTIVATE = "activate"
    QUEUE_RUN = "queue_run"


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log as the Admin page shows it (times in UTC)."""

    at: datetime
    actor: str
    action: str
    target: str
    details: Mapping[str, object] = field(default_factory=dict)


def record(
    s: Session,
    actor: AuthUser | None,
    action: AuditAction,
    target: str,
    details: Mapping[str, object] | None,
    at: datetime,
) -> None:
    """Add the audit row of `action` on `target` by `actor` (None: the system) to the caller's transaction."""
    user = s.get(User, actor.id) if actor is not None else None
    name = user.username if user is not None else SYSTEM_ACTOR
    s.add(
        AuditEntry(
            at=at,
            actor_id=user.id if user is not None else None,
            actor=name[:64],
            action=str(action),
            target=target[:256],
            details=dict(details or {}),
        )
    )


def recent(s: Session, limit: int) -> list[AuditRecord]:
    """The newest `limit` audit rows, newest first."""
    rows = s.scalars(select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)).all()
    return [AuditRecord(as_utc(r.at) or r.at, r.actor, r.action, r.target, dict(r.details or {})) for r in rows]
