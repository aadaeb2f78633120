"""An application database on the session's PostgreSQL with one user per role, and the server on it.

Shared by the accounts integration tests. The database is prepared by
:func:`devstack.appdb.prepare` with the documented commands (``manage.py migrate``,
``adduser NAME --role ROLE`` with the password on stdin, ``apitoken create``), the users are
its :data:`~devstack.appdb.USERS`; the ASGI server is started from the environment only, as in
production. Django is never set up in the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from devstack import REPO_ROOT, ServerHandle, app_env
from devstack.appdb import SECRET_KEY, USERS, manage, prepare
from devstack.apps import start_asgi

__all__ = [
    "PUBLIC_URL",
    "SECRET_KEY",
    "USERS",
    "AccountsServer",
    "accounts_server",
    "manage",
    "postgres_database",
    "prepare",
    "probe",
]

# As behind a proxy that sends the upstream's Host. Plain http: an https public URL makes the
# cookies Secure, which a client speaking http to 127.0.0.1 never sends back (the https case
# behind a real TLS proxy: test_proxy_headers.py).
PUBLIC_URL = "http://pi.example.net"


def probe(*args: str, database_url: str, stdin: str = "") -> dict[str, Any]:
    """Run :mod:`tests.integration.accounts_probe`; its JSON answer."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.accounts_probe", *args],
        cwd=REPO_ROOT,
        env=app_env(DJANGO_SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(answer, dict)
    return answer


@contextmanager
def postgres_database(server: ServerHandle) -> Iterator[str]:
    """A new, empty database on ``server``, dropped afterwards; its URL."""
    name = f"accounts_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class AccountsServer:
    """An ASGI server on a prepared application database."""

    url: str
    database_url: str


@contextmanager
def accounts_server(workdir: Path, database_url: str, *, asgi_server: str = "uvicorn") -> Iterator[AccountsServer]:
    """The ASGI server on ``database_url`` (already prepared), stopped afterwards."""
    handle = start_asgi(
        workdir,
        server=asgi_server,
        store_url=f"sqlite:///{workdir / 'store.sqlite3'}",
        layer="memory",
        extra_env={"DATABASE_URL": database_url, "DJANGO_SECRET_KEY": SECRET_KEY, "PUBLIC_URLS": PUBLIC_URL},
    )
    try:
        yield AccountsServer(handle.url, database_url)
    finally:
        handle.stop()
