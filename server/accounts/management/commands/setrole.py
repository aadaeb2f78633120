"""``setrole NAME --role viewer|operator|admin``: change a user's role (admins are also Django superusers)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contract.access import Role
from server.accounts.selectors import user_find, user_role
from server.accounts.services import user_set_role


class Command(BaseCommand):
    """Change a user's role."""

    help = __doc__ or ""

    def add_arguments(self, parser: ArgumentParser) -> None:
        """NAME and --role."""
        parser.add_argument("username", help="an existing user's name")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role], help="what the user may do")

    def handle(self, *args: Any, **options: Any) -> None:
        """Change the role.

        Raises:
            CommandError: no such user.
        """
        username: str = options["username"]
        user = user_find(username=username)
        if user is None:
            raise CommandError(f"no user {username!r}")
        before, role = user_role(user), Role(options["role"])
        user_set_role(user=user, role=role)
        self.stdout.write(f"{username}: {before.value if before else 'disabled'} -> {role.value}")
