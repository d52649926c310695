"""The database: engine, session scope, ORM models, migrations and bulk upserts.

Only services (and the jobs process through them) import this package; pages never do.
"""

from sigma.db.engine import make_engine, session_factory, session_scope, with_lock_retry
from sigma.db.migrate import upgrade_to_head
from sigma.db.models import Base
from sigma.db.upsert import upsert

__all__ = ["Base", "make_engine", "session_factory", "session_scope", "upgrade_to_head", "upsert", "with_lock_retry"]
