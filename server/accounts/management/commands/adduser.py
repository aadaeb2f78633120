"""``adduser NAME --role viewer|operator|admin``: a new user with a role.

The password is asked for twice on a terminal, or read from the first line of stdin
(``python manage.py adduser ada --role operator < password-file``), never taken
from the command line, which other users see in ``ps``. It must pass the password
validators (10 characters at least, not common, not all digits, not like the name).
"""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from contract.access import Role
from server.accounts.selectors import user_find
from server.accounts.services import user_create


def read_password(*, confirm: bool = True) -> str:
    """A password from the terminal (asked twice) or from the first line of stdin.

    Raises:
        CommandError: the two entries differ, or stdin is empty.
    """
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Password (again): ") != password:
            raise CommandError("the two passwords differ")
        return password
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("no password on stdin (one line expected)")
    return password


class Command(BaseCommand):
    """Add a user with a role."""

    help = __doc__.split("\n\n")[0] if __doc__ else ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        """NAME and --role."""
        parser.add_argument("username", help="the new user's name")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role], help="what the user may do")

    def handle(self, *args: Any, **options: Any) -> None:
        """Create the user.

        Raises:
            CommandError: the name is taken or the password is refused.
        """
        username: str = options["username"]
        role = Role(options["role"])
        if user_find(username=username) is not None:
            raise CommandError(f"user {username!r} exists; change its role with: manage.py setrole {username} --role")
        password = read_password()
        try:
            user_create(username=username, password=password, role=role)
        except ValidationError as exc:
            raise CommandError("password refused: " + " ".join(exc.messages)) from None
        except IntegrityError:
            raise CommandError(f"user {username!r} exists") from None
        self.stdout.write(f"added {username} ({role.value})")
