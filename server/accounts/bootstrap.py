"""The embedded mode's first admin: created with a random password at the first start.

:func:`embedded_admin_ensure` runs after the migrations, before the banner. When no active
admin exists it creates ``admin`` (or ``admin-2``, ... if that name is taken by a non-admin)
with a random password, writes both to ``<data dir>/admin-password.txt`` readable only by
the user (0600), and returns banner lines that show the password this once. Later starts
get lines that say where the file is and how to reset a forgotten password, never the
password itself.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from contract.access import Role
from server.accounts.selectors import admin_list
from server.accounts.services import user_create

PASSWORD_FILE = "admin-password.txt"  # noqa: S105 - a file name
FIRST_ADMIN = "admin"
PASSWORD_BYTES = 15  # 20 characters of URL-safe base64, 120 bits
PRIVATE = 0o600
LABEL = "  log in:      "
INDENT = " " * len(LABEL)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable and writable by this user only (0600), replacing it atomically.

    Raises:
        OSError: the folder is not writable (or the temporary name is a symlink).
    """
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE)
    try:
        os.fchmod(fd, PRIVATE)  # whatever the umask
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


def _free_name() -> str:
    taken = set(User.objects.filter(username__startswith=FIRST_ADMIN).values_list("username", flat=True))
    candidates = (FIRST_ADMIN, *(f"{FIRST_ADMIN}-{n}" for n in range(2, len(taken) + 3)))
    return next(name for name in candidates if name not in taken)


def reset_command(username: str, database_url: str) -> str:
    """The command that sets a new password for ``username`` in the embedded mode's database."""
    return f"DJANGO_DEBUG=1 DATABASE_URL={database_url} .venv/bin/python manage.py changepassword {username}"


def embedded_admin_ensure(*, data_dir: Path, database_url: str) -> list[str]:
    """Make sure an admin exists; the banner lines that tell the user how to log in.

    Args:
        data_dir: The embedded mode's data folder (the password file goes there).
        database_url: The application database's URL (for the reset command shown).

    Raises:
        django.db.DatabaseError: the database refused.
        OSError: the password file could not be written (then no account is created).
    """
    path = data_dir / PASSWORD_FILE
    with transaction.atomic():
        admin = admin_list().first()
        if admin is None:
            username, password = _free_name(), secrets.token_urlsafe(PASSWORD_BYTES)
            created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            write_private(
                path,
                f"sensebridge embedded mode: the first admin account, created {created}\n"
                f"username: {username}\npassword: {password}\n"
                "Log in at the dashboard's /admin/ to change it, then delete this file.\n",
            )
            user_create(username=username, password=password, role=Role.ADMIN, validate=False)
            return [
                f"{LABEL}{username} / {password}",
                f"{INDENT}(shown once; also in {path}, readable only by you)",
            ]
    where = f"the first admin password is in {path}" if path.exists() else f"as {admin.username} (or another admin)"
    return [
        f"{LABEL}{where}",
        f"{INDENT}forgot it? {reset_command(admin.username, database_url)}",
    ]
