"""`python -m jobs create-user`: how a production install gets its first admin, under the policy."""

from __future__ import annotations

import io

import pytest

from jobs.cli import main
from sigma.auth.service import AuthService
from sigma.config import from_env
from sigma.db import make_engine, session_factory
from tests.auth.conftest import ADMIN_PW


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGMA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIGMA_ENV", "production")
    monkeypatch.setenv("SIGMA_COOKIE_KEY", "k" * 48)
    monkeypatch.setenv("SIGMA_BCRYPT_ROUNDS", "4")
    return tmp_path


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_the_cli_creates_the_first_admin_who_can_then_log_in(env, monkeypatch, capsys):
    _stdin(monkeypatch, ADMIN_PW + "\n")
    assert main(["create-user", "Root", "--role", "admin", "--name", "Ada Admin"]) == 0
    assert capsys.readouterr().out == "created admin 'root' (id 1)\n"
    settings = from_env()
    engine = make_engine(settings.database_url)
    try:
        auth = AuthService(session_factory(engine), settings)
        user = auth.authenticate("root", ADMIN_PW)
        assert user is not None and (user.name, user.is_admin) == ("Ada Admin", True)
    finally:
        engine.dispose()


def test_the_cli_refuses_a_weak_password_or_a_taken_name_with_advice(env, monkeypatch, capsys):
    _stdin(monkeypatch, "sigma-admin\n")
    assert main(["create-user", "root", "--role", "admin"]) == 1
    assert capsys.readouterr().err.startswith("error: Passwords need at least 12 characters (this one has 11).")
    _stdin(monkeypatch, ADMIN_PW + "\n")
    assert main(["create-user", "root"]) == 0
    _stdin(monkeypatch, ADMIN_PW + "\n")
    assert main(["create-user", "ROOT"]) == 1
    assert capsys.readouterr().err == "error: The username 'root' is taken. Choose another one.\n"
