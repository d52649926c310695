"""Settings: defaults, parsing, and a clear error naming the variable for every bad value."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sigma.config import VARIABLES, Settings, ensure_cookie_key, from_env, readme_table
from sigma.errors import ConfigError

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
