"""The README's run command and its first admin: the password is printed once, kept in a private file, works.

The shared embedded process (``embedded``) is a first start; a second process started twice on
one data folder shows what later starts print: where the password file is and how to reset a
forgotten password, never the password itself.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from devstack.embedded import Embedded, embedded_mode
from tests.support.web import WebClient

pytestmark = pytest.mark.e2e

FIRST_START = re.compile(r"log in: +(\S+) / (\S+)\n +\(shown once; also in (\S+), readable only by you\)")


def first_admin(log: str) -> tuple[str, str, Path]:
    found = FIRST_START.search(log)
    assert found is not None, log
    username, password, path = found.groups()
    return username, password, Path(path.rstrip(","))


def test_the_first_start_prints_the_admin_password_once_in_the_banner(embedded: Embedded) -> None:
    log = embedded.log()
    username, password, _ = first_admin(log)
    assert username == "admin"
    assert len(password) >= 20
    assert log.count(password) == 1
    banner = log[log.index("sensebridge embedded mode is running") : log.index("Press Ctrl+C")]
    assert f"{username} / {password}" in banner


def test_the_password_file_is_readable_only_by_the_user(embedded: Embedded) -> None:
    username, password, path = first_admin(embedded.log())
    assert path == embedded.log_path.parent / "data" / "admin-password.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert f"username: {username}\n" in text
    assert f"password: {password}\n" in text


def test_the_printed_password_logs_in_as_an_admin(embedded: Embedded) -> None:
    username, password, _ = first_admin(embedded.log())
    browser = WebClient(embedded.base_url)
    answer = browser.login(username, password)
    assert answer.status == 200, answer.body
    assert answer.json()["role"] == "admin"
    assert browser.get("/admin/").status == 200
    assert WebClient(embedded.base_url).login(username, password + "x").status == 401


def test_a_later_start_says_where_the_password_is_and_how_to_reset_it_but_not_the_password(tmp_path: Path) -> None:
    with embedded_mode(tmp_path, "--devices", "0") as first:
        _, password, path = first_admin(first.log())
    with embedded_mode(tmp_path, "--devices", "0") as later:
        log = later.log()
    assert password not in log
    assert FIRST_START.search(log) is None
    assert f"the first admin password is in {path}" in log
    database = tmp_path / "data" / "app.sqlite3"
    assert f"DATABASE_URL=sqlite:///{database.resolve()} .venv/bin/python manage.py changepassword admin" in log
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
