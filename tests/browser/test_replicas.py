"""Two app replicas on one PostgreSQL (issue 11): a login on one is honoured by the other.

Two `streamlit run app.py` servers on two ports share one throwaway PostgreSQL database and one
SIGMA_COOKIE_KEY, and nothing else: each has its own data dir (and its own process memory), so
what carries a login across is the signed cookie and the `auth_sessions` row it names. One
browser context plays one user: cookies ignore the port (RFC 6265), so a cookie set by
127.0.0.1:A is sent to 127.0.0.1:B, as a cookie set behind a load balancer's one host name is
sent to whichever replica answers. Logging out on B revokes the row, so A refuses the cookie too.
Needs SIGMA_TEST_DATABASE_URL (skips without it outside CI, like every PostgreSQL test).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, text

from tests.browser.support import FIRST_RENDER_MS, chromium, log_in, new_page, no_error_box, open_login, settle
from tests.seeded import seeded_environment

if TYPE_CHECKING:
    from tests.browser.conftest import ServerStarter

pytestmark = pytest.mark.browser

COOKIE = "sigma_auth"
LIVE_SESSIONS = text(
    "SELECT count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id "
    "WHERE u.username = :username AND s.revoked_at IS NULL"
)


@pytest.fixture(scope="module")
def database(_pg_url: str) -> str:
    """The session's throwaway PostgreSQL database (tests/conftest.py creates and drops it)."""
    return _pg_url


@pytest.fixture(scope="module")
def replicas(
    database: str, streamlit_server: ServerStarter, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The URLs of two replicas: same database and cookie key, separate data dirs and processes."""
    chromium()
    shared = seeded_environment(tmp_path_factory.mktemp("replicas-seed"), database_url=database)
    with ExitStack() as stack:
        urls = []
        for name in ("a", "b"):
            data = tmp_path_factory.mktemp(f"replica-{name}")
            env = {**os.environ, **shared, "SIGMA_DATA_DIR": str(data)}
            urls.append(stack.enter_context(streamlit_server(env, data / "streamlit.log")))
        yield urls[0], urls[1]


def _live_sessions(database: str, username: str) -> int:
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            return int(conn.execute(LIVE_SESSIONS, {"username": username}).scalar_one())
    finally:
        engine.dispose()


def _login_cookies(context: Any, url: str) -> list[Any]:
    return [c for c in context.cookies(url) if c["name"] == COOKIE]


def test_a_login_on_one_replica_is_honoured_by_the_other_and_a_logout_there_ends_it(  # type: ignore[no-untyped-def]
    replicas: tuple[str, str], database: str, browser
) -> None:
    a, b = replicas
    assert a != b
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page_a = new_page(context)
    log_in(page_a, a, "carol", "sigma-demo")
    # The cookie is written by a component iframe once it has loaded: wait for it as the browser sees it.
    page_a.wait_for_function(f"() => document.cookie.includes('{COOKIE}=')")
    issued = _login_cookies(context, a)
    assert len(issued) == 1 and issued[0]["domain"] == "127.0.0.1"
    assert _login_cookies(context, b) == issued, "the browser does not send A's cookie to B (ports differ)"
    assert _live_sessions(database, "carol") == 1

    page_b = new_page(context)
    page_b.goto(b)
    login_form = page_b.get_by_role("button", name="Log in")
    settle(page_b, page_b.get_by_role("heading", name="Portfolio").or_(login_form), timeout=FIRST_RENDER_MS)
    no_error_box(page_b, "replica-b-logged-in")
    assert login_form.count() == 0, "replica B showed the login form: it did not honour A's cookie"
    assert "Carol Singh" in page_b.locator('[data-testid="stSidebar"]').inner_text()

    page_b.get_by_role("button", name="Log out").click()
    settle(page_b, page_b.get_by_role("button", name="Log in"))
    assert _live_sessions(database, "carol") == 0

    page_a.reload()
    settle(page_a, page_a.get_by_role("button", name="Log in"), timeout=FIRST_RENDER_MS)
    no_error_box(page_a, "replica-a-after-logout-on-b")
    # Not only forgotten by the browser: A refuses the old cookie, revoked in the shared database.
    context.add_cookies(issued)
    open_login(page_a, a)
    assert page_a.get_by_role("heading", name="Portfolio").count() == 0
    context.close()
