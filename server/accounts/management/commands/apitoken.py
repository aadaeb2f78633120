"""``apitoken create NAME --name WHAT`` | ``apitoken list [NAME]`` | ``apitoken revoke ID``: users' API tokens.

``create`` prints the new token once (only its hash is stored); scripts send it as
``Authorization: Bearer <token>``. ``list`` shows every token (or one user's) without secrets.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contract.rest import MAX_TOKEN_NAME_CHARS
from server.accounts.models import ApiToken
from server.accounts.selectors import user_find
from server.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    """Create, list and revoke API tokens."""

    help = (__doc__ or "").split("\n\n")[0]

    def add_arguments(self, parser: ArgumentParser) -> None:
        """The three sub-commands."""
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="create a token for a user and print it once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        listing = commands.add_parser("list", help="list tokens (without secrets)")
        listing.add_argument("username", nargs="?")
        revoke = commands.add_parser("revoke", help="revoke a token by id")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the sub-command.

        Raises:
            CommandError: no such user or token, or a bad name.
        """
        command = options["command"]
        if command == "create":
            self._create(options["username"], options["name"].strip())
        elif command == "list":
            self._list(options["username"])
        else:
            self._revoke(options["token_id"])

    def _create(self, username: str, name: str) -> None:
        user = user_find(username=username)
        if user is None:
            raise CommandError(f"no user {username!r}")
        if not 1 <= len(name) <= MAX_TOKEN_NAME_CHARS:
            raise CommandError(f"--name must have 1-{MAX_TOKEN_NAME_CHARS} characters")
        token, secret = api_token_create(user=user, name=name)
        self.stderr.write(f"token {token.pk} {name!r} for {username}; it is shown this once:")
        self.stdout.write(secret)

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username is not None:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.name}\t{token.prefix}...\t"
                f"created {token.created_at:%Y-%m-%d %H:%M}\tlast used {used}"
            )

    def _revoke(self, token_id: int) -> None:
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"no API token {token_id}")
        api_token_revoke(token=token)
        self.stdout.write(f"revoked token {token_id} ({token.name!r})")
