"""``DATABASE_URL``: what it names for Django, and a missing or invalid one is a start-up problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError
from server.config import load
from server.database import DEBUG_DATABASE_URL, describe_database, django_database

REPO = Path(__file__).resolve().parents[3]
SECRET = {"DJANGO_SECRET_KEY": "a-long-test-secret"}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        pytest.param("sqlite:///var/app.sqlite3", "var/app.sqlite3", id="relative"),
        pytest.param("sqlite:////data/app.sqlite3", "/data/app.sqlite3", id="absolute"),
        pytest.param("sqlite:///:memory:", ":memory:", id="in-memory"),
    ],
)
def test_sqlite_urls_name_a_file(url: str, name: str) -> None:
    assert django_database(url) == {"ENGINE": "django.db.backends.sqlite3", "NAME": name}


def test_a_postgresql_url_gives_every_connection_parameter() -> None:
    url = "postgresql://sense%40bridge:p%3Ass@db.lan:5433/app_db?sslmode=require&connect_timeout=5"

    assert django_database(url) == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "app_db",
        "USER": "sense@bridge",
        "PASSWORD": "p:ss",
        "HOST": "db.lan",
        "PORT": "5433",
        "OPTIONS": {"sslmode": "require", "connect_timeout": "5"},
    }


def test_postgres_scheme_socket_folder_and_defaults() -> None:
    database = django_database("postgres://%2Frun%2FPostgreSQL/app")

    assert (database["HOST"], database["PORT"], database["USER"], database["PASSWORD"]) == (
        "/run/PostgreSQL",
        "",
        "",
        "",
    )
    assert django_database("postgresql://u@[::1]:5432/app")["HOST"] == "::1"


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("postgresql://db.lan", id="no-database"),
        pytest.param("postgresql://db.lan/a/b", id="nested-path"),
        pytest.param("postgresql://db.lan/app?sslmode", id="option-without-value"),
        pytest.param("sqlite://host/app.sqlite3", id="sqlite-with-host"),
        pytest.param("mysql://db/app", id="other-database"),
    ],
)
def test_urls_that_name_no_database_are_refused(url: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the reason is checked through load below
        django_database(url)


def test_a_missing_database_url_is_a_start_up_problem_in_production() -> None:
    with pytest.raises(ConfigError) as caught:
        load(SECRET)

    [problem] = caught.value.problems
    assert problem.setting == "DATABASE_URL"
    assert "DATABASE_URL is required: postgresql://" in str(problem)


def test_development_gets_a_local_sqlite_file() -> None:
    assert load({"DJANGO_DEBUG": "1"}).database_url == DEBUG_DATABASE_URL == "sqlite:///var/sensebridge-app.sqlite3"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://app:s3cret@db", "name one database"),
        ("postgresql://app:s3cret@db:port/app", "bad port"),
        ("mysql://app:s3cret@db/app", "expected postgresql://"),
    ],
)
def test_an_invalid_database_url_is_one_problem_without_its_password(url: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load({**SECRET, "DATABASE_URL": url})

    [problem] = caught.value.problems
    assert problem.setting == "DATABASE_URL"
    assert reason in str(problem)
    assert "s3cret" not in str(caught.value)
    assert "app:***@db" in str(problem)


def test_log_lines_name_the_file_or_hide_the_password() -> None:
    assert describe_database("sqlite:////data/app.sqlite3") == "/data/app.sqlite3"
    assert describe_database("postgresql://app:s3cret@db/app") == "postgresql://app:***@db/app"


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``python <args>`` in the checkout with only ``env`` as settings (none from this shell)."""
    keep = {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}
    return subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k in keep} | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_manage_py_stops_with_the_problem_listed_when_the_database_url_is_missing() -> None:
    result = _run("manage.py", "migrate", env={"DJANGO_SECRET_KEY": "x"})

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "invalid server settings (1 problem)" in result.stderr
    assert "DATABASE_URL is required" in result.stderr


def test_migrate_creates_the_tables_of_the_installed_apps(tmp_path: Path) -> None:
    env = {"DJANGO_SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite3'}"}

    migrated = _run("-m", "server", "migrate", "--noinput", env=env)
    shown = _run("manage.py", "showmigrations", "auth", "contenttypes", "sessions", env=env)

    assert migrated.returncode == 0, migrated.stderr
    assert shown.returncode == 0, shown.stderr
    assert "[ ]" not in shown.stdout
    assert shown.stdout.count("[X]") >= 15
