"""Settings: defaults, parsing, and a clear error naming the variable for every bad value."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sigma.config import VARIABLES, Settings, ensure_cookie_key, from_env, readme_table, redact_url
from sigma.db import make_engine
from sigma.errors import ConfigError, DatabaseUnavailable

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_need_no_environment() -> None:
    s = from_env({})
    assert s.env == "development" and s.market_data == "simulated"
    assert s.database_url == "sqlite:///data/sigma.db" and s.is_sqlite
    assert s.market_end is None and s.login_max_failures == 5


def test_values_are_parsed() -> None:
    s = from_env(
        {
            "SIGMA_MARKET_DATA": "AUTO",
            "SIGMA_MARKET_END": "2026-11-20",
            "SIGMA_PROVIDER_TIMEOUT": "2.5",
            "SIGMA_DATABASE_URL": "postgresql+psycopg://u:secret@h/db",
        }
    )
    assert s.market_data == "auto" and s.market_end == date(2026, 11, 20) and s.provider_timeout == 2.5
    assert "secret" not in s.redacted_database_url() and not s.is_sqlite


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SIGMA_ENV", "staging"),
        ("SIGMA_MARKET_DATA", "bloomberg"),
        ("SIGMA_MARKET_END", "20/11/2026"),
        ("SIGMA_PROVIDER_TIMEOUT", "-1"),
        ("SIGMA_LOGIN_MAX_FAILURES", "many"),
        ("SIGMA_DATABASE_URL", "mysql://x"),
        ("SIGMA_SCHEDULE_MARKET_DATA", "every day"),
        ("SIGMA_COOKIE_KEY", "short"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(name)):
        from_env({name: value})


def test_production_refuses_to_start_without_a_cookie_key() -> None:
    with pytest.raises(ConfigError, match="SIGMA_COOKIE_KEY"):
        from_env({"SIGMA_ENV": "production"})
    assert from_env({"SIGMA_ENV": "production", "SIGMA_COOKIE_KEY": "k" * 48}).is_production


def test_a_demo_cookie_key_is_generated_once_into_the_data_dir(tmp_path: Path) -> None:
    s = from_env({"SIGMA_DATA_DIR": str(tmp_path)})
    first = ensure_cookie_key(s).cookie_key
    assert len(first) >= 32 and ensure_cookie_key(s).cookie_key == first
    assert (tmp_path / "cookie_key").stat().st_mode & 0o077 == 0


def test_the_cookie_key_never_appears_in_the_repr() -> None:
    assert "k" * 48 not in repr(from_env({"SIGMA_COOKIE_KEY": "k" * 48}))


def test_every_variable_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for var in VARIABLES:
        assert f"`{var.name}`" in readme, f"{var.name} missing from the README table"
    assert readme_table().splitlines()[0] in readme


def test_settings_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().env = "production"  # type: ignore[misc]


SECRET_URLS = [
    "mysql://bob:hunter2-secret@db.example.com/sigma",  # a scheme Sigma does not support
    "postgresql+psycopg://bob:hunter2-secret@db.example.com:5432/sigma",
    "postgresql+nodriver://bob:hunter2-secret@db.example.com/sigma",  # no such SQLAlchemy driver
    "postgresql://bob:hunter2@secret/x@db.example.com/sigma",  # an unencoded "@" in the password
    "bob:hunter2-secret@db.example.com/sigma",  # no scheme at all: SQLAlchemy cannot parse it
]


@pytest.mark.parametrize("url", SECRET_URLS)
def test_redact_url_never_shows_the_password(url: str) -> None:
    shown = redact_url(url)
    assert "hunter2" not in shown and "secret" not in shown
    assert "bob:***@" in shown


def test_redact_url_keeps_a_url_without_a_password() -> None:
    assert redact_url("sqlite:///data/sigma.db") == "sqlite:///data/sigma.db"
    assert redact_url("postgresql+psycopg://postgres@127.0.0.1:5432/sigma") == (
        "postgresql+psycopg://postgres@127.0.0.1:5432/sigma"
    )
    assert Settings(database_url=SECRET_URLS[1]).redacted_database_url() == (
        "postgresql+psycopg://bob:***@db.example.com:5432/sigma"
    )


def test_an_unsupported_database_url_is_refused_without_its_password() -> None:
    with pytest.raises(ConfigError) as refused:
        from_env({"SIGMA_DATABASE_URL": SECRET_URLS[0]})
    assert str(refused.value) == (
        "SIGMA_DATABASE_URL='mysql://bob:***@db.example.com/sigma' is not valid: expected a sqlite:/// or "
        "postgresql+psycopg:// URL. Fix or unset SIGMA_DATABASE_URL."
    )
    assert refused.value.__cause__ is None and refused.value.__context__ is not None
    assert "hunter2" not in str(refused.value.__context__)


@pytest.mark.parametrize("url", [SECRET_URLS[2], "sqlite+nodriver://bob:hunter2-secret@x/sigma"])
def test_a_database_url_sqlalchemy_cannot_use_is_a_config_error_without_its_password(url: str) -> None:
    with pytest.raises(ConfigError, match=r"SIGMA_DATABASE_URL='[^']*bob:\*\*\*@") as refused:
        make_engine(url)
    assert "hunter2" not in str(refused.value) and refused.value.__cause__ is None


def test_a_database_that_is_down_is_named_without_its_password() -> None:
    with pytest.raises(DatabaseUnavailable) as down:
        make_engine("postgresql+psycopg://bob:hunter2-secret@127.0.0.1:1/sigma")
    assert "postgresql+psycopg://bob:***@127.0.0.1:1/sigma" in str(down.value)
    assert "hunter2" not in str(down.value)


@pytest.mark.parametrize("url", [SECRET_URLS[0], SECRET_URLS[2]])
def test_the_cli_never_prints_the_database_password(url: str, monkeypatch, capsys, tmp_path: Path) -> None:
    from jobs.cli import main

    monkeypatch.setenv("SIGMA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIGMA_DATABASE_URL", url)
    assert main(["list"]) == 2
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    assert err.startswith("error: SIGMA_DATABASE_URL='") and "bob:***@db.example.com" in err
