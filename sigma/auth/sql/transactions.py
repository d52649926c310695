"""How the auth package runs its SQL: one session per read, one transaction per write.

The package reaches `sigma.db` only through `sql/`: these are `sigma.db.engine`'s helpers under
the names the auth code uses. A write is retried while another process holds the write lock.
"""

from __future__ import annotations

from sigma.db.engine import read_session as read
from sigma.db.engine import write_transaction as write

__all__ = ["read", "write"]
