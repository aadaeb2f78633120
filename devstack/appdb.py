"""An application database with one user per role and an API token each, for tests, benchmarks and dev tools.

Prepared the way an operator does it, with the documented commands run as processes
(``manage.py migrate``, ``manage.py adduser NAME --role ROLE`` with the password on stdin,
``manage.py apitoken create NAME --name WHAT``, which prints the secret once), configured only
through the environment. That costs a few seconds of Django start-ups, so an SQLite database
is prepared once per process into a template file and each caller gets a copy of it
(:func:`app_database`): same users, same tokens, own file. Tickets for ``/ws/live/`` are not
prepared: they are single-use, so a program asks for one per connection with a token
(:func:`ticket_for`).

Standard library only, like the package root (Django is never set up in the caller's process).
"""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.env import REPO_ROOT, app_env

SECRET_KEY = "devstack-only"  # noqa: S105 - DJANGO_SECRET_KEY of every process devstack starts
# One user per role, with passwords the validators accept: (role, password).
USERS: Mapping[str, tuple[str, str]] = {
    "vera": ("viewer", "vera-reads-charts-2026"),
    "otto": ("operator", "otto-sends-commands-2026"),
    "ada": ("admin", "ada-manages-users-2026"),
}
TOKEN_NAME = "devstack"  # noqa: S105 - the name each user's prepared token is listed under
TICKET_PATH = "/api/v1/auth/ticket"
DATABASE_FILE = "app.sqlite3"


class AppDatabaseError(RuntimeError):
    """A ``manage.py`` command failed while preparing a database; the message ends with its output."""


@dataclass(frozen=True)
class AppDatabase:
    """A prepared application database.

    Attributes:
        url: Its ``DATABASE_URL``.
        tokens: Each user's API token (``sbt_...``), by user name.
    """

    url: str
    tokens: Mapping[str, str]

    def password(self, username: str) -> str:
        """The password of ``username`` (one of :data:`USERS`)."""
        return USERS[username][1]

    def env(self) -> dict[str, str]:
        """The settings a process on this database needs (``DATABASE_URL``, ``DJANGO_SECRET_KEY``)."""
        return {"DATABASE_URL": self.url, "DJANGO_SECRET_KEY": SECRET_KEY}


def manage(*args: str, database_url: str, stdin: str = "", timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """``python manage.py <args>`` on ``database_url``, with settings from the environment only."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=app_env(DJANGO_SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _run(*args: str, database_url: str, stdin: str = "") -> str:
    done = manage(*args, database_url=database_url, stdin=stdin)
    if done.returncode != 0:
        raise AppDatabaseError(f"manage.py {' '.join(args)} exited with {done.returncode}:\n{done.stderr}{done.stdout}")
    return done.stdout


def prepare(database_url: str) -> dict[str, str]:
    """Migrate the (empty) database at ``database_url``, add :data:`USERS` and an API token each.

    Returns:
        Each user's API token, by user name.

    Raises:
        AppDatabaseError: a command failed.
    """
    _run("migrate", "--noinput", database_url=database_url)
    tokens = {}
    for name, (role, password) in USERS.items():
        _run("adduser", name, "--role", role, database_url=database_url, stdin=password + "\n")
        printed = _run("apitoken", "create", name, "--name", TOKEN_NAME, database_url=database_url)
        tokens[name] = printed.strip().splitlines()[-1]
    return tokens


def sqlite_url(path: Path) -> str:
    """The ``DATABASE_URL`` of the SQLite file ``path``."""
    return f"sqlite:///{path.resolve()}"


_template_lock = threading.Lock()
_template: tuple[Path, dict[str, str]] | None = None


def _prepared_template() -> tuple[Path, dict[str, str]]:
    """The process's template database (prepared on first use, removed at exit) and its tokens."""
    global _template  # noqa: PLW0603 - one template per process, made on first use
    with _template_lock:
        if _template is None:
            folder = Path(tempfile.mkdtemp(prefix="sensebridge-appdb-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            path = folder / DATABASE_FILE
            _template = path, prepare(sqlite_url(path))
        return _template


def app_database(workdir: Path, *, name: str = DATABASE_FILE) -> AppDatabase:
    """A prepared SQLite application database of its own in ``workdir`` (a copy of the process's template).

    Args:
        workdir: Existing folder for the file.
        name: The file's name.

    Raises:
        AppDatabaseError: preparing the template failed.
    """
    template, tokens = _prepared_template()
    path = workdir / name
    # The commands that wrote the template have exited: the file is complete (no journal left).
    shutil.copyfile(template, path)
    return AppDatabase(sqlite_url(path), dict(tokens))


def ticket_for(base_url: str, token: str, *, timeout: float = 10.0) -> str:
    """A fresh single-use ``/ws/live/`` ticket from the server at ``base_url``, asked for with the API token ``token``.

    Raises:
        urllib.error.URLError: the server refused (an ``HTTPError`` carries the status) or is unreachable.
    """
    url = base_url.rstrip("/") + TICKET_PATH
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an http(s) URL: {base_url!r}")
    request = urllib.request.Request(url, method="POST", headers={"Authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - the scheme is checked above
        return str(json.loads(answer.read())["ticket"])


def live_url(base_url: str, ticket: str) -> str:
    """The ``ws://`` URL of ``/ws/live/`` on the server at ``base_url`` (``http://...``) signed in with ``ticket``."""
    return "ws" + base_url.rstrip("/").removeprefix("http") + f"/ws/live/?ticket={ticket}"
