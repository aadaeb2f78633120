"""The README's run command (``./scripts/run``, the embedded mode) as a user runs it, on free ports.

Its accounts as a user gets them: the first admin's name and password from the file the first start
writes (``<data dir>/admin-password.txt``), more users added with the README's documented command
(``DJANGO_DEBUG=1 DATABASE_URL=sqlite:///<data dir>/app.sqlite3 .venv/bin/python manage.py adduser
NAME --role ROLE``, the password on stdin) while it runs.
"""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from devstack.env import REPO_ROOT, app_env
from devstack.net import LOOPBACK, free_port
from devstack.process import ProcessError
from devstack.wait import WaitTimeoutError, wait_until

BANNER = "sensebridge embedded mode is running"
DATA_DIR = "data"  # under the caller's folder
ADMIN_PASSWORD_FILE = "admin-password.txt"  # noqa: S105 - a file name, written by the first start (bootstrap.py)
DATABASE_FILE = "app.sqlite3"
MANAGE_TIMEOUT_S = 120.0  # a Django start-up on a busy machine
START_TIMEOUT_S = 180.0  # the first run may install packages and build the dashboard
STOP_TIMEOUT_S = 30.0
_LOG_TAIL_CHARS = 4000


@dataclass
class Embedded:
    """A running ``./scripts/run``."""

    process: subprocess.Popen[bytes]
    http_port: int
    mqtt_port: int
    log_path: Path

    @property
    def base_url(self) -> str:
        """The dashboard URL."""
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def mqtt_url(self) -> str:
        """The broker URL."""
        return f"mqtt://{LOOPBACK}:{self.mqtt_port}"

    def log(self) -> str:
        """Everything it printed so far."""
        return self.log_path.read_text(errors="replace")

    @property
    def data_dir(self) -> Path:
        """Its ``--data-dir``."""
        return self.log_path.parent / DATA_DIR

    @property
    def database_url(self) -> str:
        """Its application database, as the README's commands name it."""
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"

    def admin_login(self) -> tuple[str, str]:
        """The first admin's (username, password), from the file the first start wrote.

        Raises:
            FileNotFoundError: the data folder was not new (the file is written at the first start only).
            ValueError: the file lacks a line.
        """
        fields = dict(
            line.split(": ", 1)
            for line in (self.data_dir / ADMIN_PASSWORD_FILE).read_text().splitlines()
            if line.startswith(("username: ", "password: "))
        )
        if set(fields) != {"username", "password"}:
            raise ValueError(f"{ADMIN_PASSWORD_FILE} names no username and password")
        return fields["username"], fields["password"]

    def manage(self, *args: str, stdin: str = "") -> str:
        """``manage.py <args>`` on its database as the README runs it (``DJANGO_DEBUG=1 DATABASE_URL=...``): the output.

        Raises:
            ProcessError: the command failed (its output included).
        """
        done = subprocess.run(
            [str(REPO_ROOT / ".venv" / "bin" / "python"), "manage.py", *args],
            cwd=REPO_ROOT,
            env=app_env(DJANGO_DEBUG="1", DATABASE_URL=self.database_url),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=MANAGE_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stderr + done.stdout)[-_LOG_TAIL_CHARS:]
            raise ProcessError(f"manage.py {args[0] if args else ''}", f"exited with {done.returncode}", log_tail=tail)
        return done.stdout

    def add_user(self, username: str, role: str, password: str) -> None:
        """Add a user with the README's command (``manage.py adduser NAME --role ROLE``, the password on stdin).

        Raises:
            ProcessError: the command failed (its output included).
        """
        self.manage("adduser", username, "--role", role, stdin=password + "\n")

    def api_token(self, username: str, name: str) -> str:
        """A new API token of ``username`` (``manage.py apitoken create``, which prints the secret last).

        Raises:
            ProcessError: the command failed (its output included).
        """
        return self.manage("apitoken", "create", username, "--name", name).strip().splitlines()[-1]


@contextmanager
def embedded_mode(workdir: Path, *extra: str) -> Iterator[Embedded]:
    """Start ``./scripts/run`` with free ports and a private data folder; Ctrl+C (SIGINT) it afterwards.

    Args:
        workdir: Existing folder for ``embedded.log`` and the data folder ``data/`` (:attr:`Embedded.data_dir`).
        extra: More arguments, e.g. ``"--devices", "3"``.

    Raises:
        ProcessError: it exited, or printed no banner within :data:`START_TIMEOUT_S` (with its output).
    """
    http_port, mqtt_port = free_port(), free_port()
    log_path = workdir / "embedded.log"
    argv = [str(REPO_ROOT / "scripts" / "run"), "--host", LOOPBACK, "--port", str(http_port)]
    argv += ["--mqtt-host", LOOPBACK, "--mqtt-port", str(mqtt_port), "--data-dir", str(workdir / DATA_DIR), *extra]
    with log_path.open("wb") as log:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=app_env())
    running = Embedded(process=process, http_port=http_port, mqtt_port=mqtt_port, log_path=log_path)
    try:
        try:
            wait_until(
                lambda: BANNER in running.log() or process.poll() is not None,
                timeout=START_TIMEOUT_S,
                what="the banner",
                interval=0.1,
            )
        except WaitTimeoutError:
            raise ProcessError(
                "scripts/run", f"no banner within {START_TIMEOUT_S:g} s", log_tail=running.log()[-_LOG_TAIL_CHARS:]
            ) from None
        if BANNER not in running.log():
            raise ProcessError(
                "scripts/run", f"exited with {process.returncode}", log_tail=running.log()[-_LOG_TAIL_CHARS:]
            )
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def banner_urls(log: str) -> list[str]:
    """URLs the banner shows."""
    return re.findall(r"(?:http|mqtt)://[^\s)]+", log)
