"""The application database: ``DATABASE_URL`` -> Django ``DATABASES``, and applying migrations.

Users, roles, device credentials, commands, rooms and alerts live here (readings stay in the
reading store, :mod:`storage`): PostgreSQL in production, an SQLite file in the embedded mode.

``DATABASE_URL`` is parsed here rather than with dj-database-url: two schemes are supported, the
reasons must read as settings problems (with the password hidden), and the URL is checked when
the settings are read, before Django is imported.
"""

from __future__ import annotations

from typing import IO, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from config import urls

POSTGRES_SCHEMES = ("postgresql", "postgres")
DEBUG_DATABASE_URL = "sqlite:///var/sensebridge-app.sqlite3"


def django_database(url: str) -> dict[str, Any]:
    """Django's ``DATABASES["default"]`` for ``url``.

    ``sqlite:///relative/path``, ``sqlite:////absolute/path`` (``sqlite:///:memory:`` too), or
    ``postgresql://[user[:password]@]host[:port]/database[?libpq options]``; the host may be a
    percent-encoded socket folder (``%2Frun%2Fpostgresql``).

    Raises:
        ValueError: the reason ``url`` names no database (without the URL: callers show it masked).
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(urls.sqlite_path(url))}
    if parts.scheme not in POSTGRES_SCHEMES:
        raise ValueError("expected postgresql://... or sqlite:///...")
    name = unquote(parts.path.removeprefix("/"))
    if not name or "/" in name:
        raise ValueError("name one database in the path: postgresql://user:password@host[:port]/database")
    # urlsplit lower-cases .hostname, which would change a socket folder's name: take it as written.
    host = parts.netloc.rpartition("@")[2]
    host = host[1 : host.index("]")] if host.startswith("[") else host.partition(":")[0]
    try:
        options = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)) if parts.query else {}
        port = parts.port
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(host),
        "PORT": "" if port is None else str(port),
        "OPTIONS": options,
    }


def describe_database(url: str) -> str:
    """What ``url`` names, for a log line: the SQLite file, or the URL with its password hidden."""
    if urlsplit(url).scheme == "sqlite":
        return str(urls.sqlite_path(url))
    return urls.masked(url)


def migrate(*, out: IO[str], label: str) -> int:
    """Apply every pending migration of the installed apps, reporting on one line of ``out``.

    Django must be set up. Returns how many migrations were applied.

    Args:
        out: Where the progress line goes.
        label: How the line starts (it names the database).

    Raises:
        django.db.Error: the database refused.
    """
    from django.core.management import call_command  # noqa: PLC0415 - needs Django set up
    from django.db import connection  # noqa: PLC0415
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    try:
        executor = MigrationExecutor(connection)
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        if pending == 0:
            print(f"{label}: migrations up to date", file=out, flush=True)
            return 0
        print(f"{label}: applying {pending} migrations ...", end=" ", file=out, flush=True)
        call_command("migrate", interactive=False, verbosity=0)
        print("done", file=out, flush=True)
        return pending
    finally:
        connection.close()  # the server's threads open their own
