"""The application database on a real PostgreSQL (started from Debian's binaries by the
``postgres`` fixture): the documented production command applies every migration, a second
run applies none, and the ORM writes rows PostgreSQL itself can read back."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest

from devstack import REPO_ROOT, ServerHandle, app_env

pytestmark = pytest.mark.integration


def manage(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    """``python manage.py <args>`` as production runs it: settings from the environment only."""
    env = app_env(DJANGO_SECRET_KEY="integration-test-only", DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database_url(postgres: ServerHandle, unique_id: str) -> Iterator[str]:
    """A new, empty database on the session's PostgreSQL, dropped after the test."""
    name = f"app_{unique_id}".replace("-", "_")
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres.url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrate_applies_every_migration_once_on_postgresql(database_url: str) -> None:
    first = manage("migrate", "--noinput", database_url=database_url)
    assert first.returncode == 0, first.stderr
    assert "Applying auth.0001_initial... OK" in first.stdout

    second = manage("migrate", "--noinput", database_url=database_url)
    assert second.returncode == 0, second.stderr
    assert "No migrations to apply." in second.stdout

    plan = manage("showmigrations", "--plan", database_url=database_url)
    assert plan.returncode == 0, plan.stderr
    lines = [line for line in plan.stdout.splitlines() if line.strip()]
    assert lines
    assert all(line.startswith("[X]") for line in lines), plan.stdout


def test_rows_written_through_the_orm_are_in_postgresql(database_url: str) -> None:
    assert manage("migrate", "--noinput", database_url=database_url).returncode == 0
    created = manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('probe', password='x' * 20)",
        database_url=database_url,
    )
    assert created.returncode == 0, created.stderr
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT username, is_superuser FROM auth_user").fetchone()
    assert row == ("probe", False)


def test_an_unreachable_database_fails_the_migration_with_a_clear_error(postgres: ServerHandle) -> None:
    url = postgres.url.rsplit("/", 1)[0] + "/no_such_database"
    result = manage("migrate", "--noinput", database_url=url)
    assert result.returncode != 0
    assert "no_such_database" in result.stderr
