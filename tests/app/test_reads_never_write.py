"""Opening a page writes nothing: every statement a page's render sends is counted, and none may change data.

Logging in writes (the server-side session); opening Portfolio, Risk, Correlations and Admin after
that must send no INSERT, UPDATE or DELETE. The snapshot backfill and the reference-data seeding
belong to the jobs process (`python -m jobs init` and the schedules), not to a page view.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event
from streamlit.testing.v1 import AppTest

from sigma.ui.apptest import login

pytestmark = pytest.mark.xdist_group("apptest")

WRITE = re.compile(r"^\s*(WITH\b.*?\b)?(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE)\b", re.IGNORECASE | re.DOTALL)
LOGIN_TABLES = re.compile(r"\b(INTO|UPDATE|FROM)\s+\"?(auth_sessions|login_failures)\b", re.IGNORECASE)


class WriteLog:
    """The data-changing statements sent through any SQLAlchemy engine while it listens."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn, _cursor, statement: str, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if WRITE.match(statement):
            self.statements.append(" ".join(statement.split())[:160])

    def beyond_login(self) -> list[str]:
        """The writes other than the login's own (its server-side session and failure counter)."""
        return [s for s in self.statements if not LOGIN_TABLES.search(s)]


@pytest.fixture
def writes() -> Iterator[WriteLog]:
    log = WriteLog()
    event.listen(Engine, "before_cursor_execute", log)
    try:
        yield log
    finally:
        event.remove(Engine, "before_cursor_execute", log)


def _open(at: AppTest, page: str) -> None:
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_write_log_sees_a_write(writes: WriteLog, app_env: dict[str, str]) -> None:
    # The detector itself: logging in records a server-side session, which is a write.
    login("alice", "sigma-demo")
    assert any(s.upper().startswith("INSERT INTO AUTH_SESSIONS") for s in writes.statements), writes.statements
    assert writes.beyond_login() == []  # the Portfolio page the login run renders wrote nothing


@pytest.mark.parametrize("username", ["alice", "bob", "carol"])
def test_opening_every_page_writes_nothing(username: str, writes: WriteLog, app_env: dict[str, str]) -> None:
    at = login(username, "sigma-demo")  # the login run also renders the Portfolio page
    assert not at.exception
    at.run()
    for page in ("pages/risk.py", "pages/correlations.py", "pages/portfolio.py"):
        _open(at, page)
    assert writes.beyond_login() == []


def test_the_admin_page_writes_nothing(writes: WriteLog, app_env: dict[str, str]) -> None:
    at = login("admin", "sigma-admin")
    _open(at, "pages/admin.py")
    _open(at, "pages/correlations.py")
    assert writes.beyond_login() == []
