"""``mqtt``: the broker's accounts (docs/security.md, "Provisioning a device / an integration").

    manage.py mqtt device add|rotate|revoke <device id> [--broker-url mqtt://host:port]
    manage.py mqtt integration add|rotate|revoke <name> [--broker-url ...]
    manage.py mqtt service bridge --password-file PATH   (the compose stack's shared secret)
    manage.py mqtt list
    manage.py mqtt render [--access-dir DIR]

``add`` and ``rotate`` generate the password and print it once with what the Pi (or the
integration) needs; nobody types a password on a command line. Every change re-renders the
broker's ``passwords`` and ``acl`` files into ``MQTT_ACCESS_DIR`` (or ``--access-dir``); the
broker reloads when they change. The printed broker URL is ``--broker-url``, by default
``mqtt://<host of the first PUBLIC_URLS entry, else this machine's name>:1883``.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from contract.broker import read_password_file
from server.mqtt_accounts.errors import MqttAccountError
from server.mqtt_accounts.instructions import broker_url_check, device_instructions, integration_instructions
from server.mqtt_accounts.location import default_broker_url
from server.mqtt_accounts.rules import BRIDGE_ACCOUNT, AccountKind
from server.mqtt_accounts.selectors import mqtt_account_list
from server.mqtt_accounts.services import (
    mqtt_access_render,
    mqtt_account_create,
    mqtt_account_revoke,
    mqtt_account_rotate,
    mqtt_service_set_password,
)

ACTIONS = ("add", "rotate", "revoke")


class Command(BaseCommand):
    """Add, rotate, revoke and list MQTT accounts; render the broker's files."""

    help = (__doc__ or "").split("\n\n")[0]

    def add_arguments(self, parser: ArgumentParser) -> None:
        """The sub-commands."""
        parser.add_argument("--access-dir", type=Path, default=None, help="where the files go (MQTT_ACCESS_DIR)")
        kinds = parser.add_subparsers(dest="what", required=True)
        for kind, noun in ((AccountKind.DEVICE, "device id"), (AccountKind.INTEGRATION, "integration name")):
            sub = kinds.add_parser(kind.value, help=f"{kind.value} accounts: add, rotate or revoke")
            sub.add_argument("action", choices=ACTIONS)
            sub.add_argument("name", help=noun)
            sub.add_argument(
                "--broker-url",
                default=None,
                help="the broker URL to print (mqtt[s]://host[:port]); default mqtt://<public host>:1883",
            )
        service = kinds.add_parser("service", help="set a service account's password from a file")
        service.add_argument("name", choices=(BRIDGE_ACCOUNT,))
        service.add_argument("--password-file", type=Path, required=True, help="file whose first line is it")
        kinds.add_parser("list", help="every account (no passwords: only hashes are stored)")
        kinds.add_parser("render", help="write the broker's passwords and acl files from the database")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the sub-command.

        Raises:
            CommandError: a bad or reserved name, a taken name, an unknown account, an unwritable folder.
        """
        access_dir: Path | None = options["access_dir"]
        what = options["what"]
        try:
            if what == "list":
                self._list()
            elif what == "render":
                changed = mqtt_access_render(access_dir=access_dir)
                self.stderr.write("access files written" if changed else "access files already up to date")
            elif what == "service":
                password = read_password_file(options["password_file"])
                mqtt_service_set_password(username=options["name"], password=password, access_dir=access_dir)
                self.stderr.write(f"service account {options['name']!r} set from {options['password_file']}")
            else:
                self._account(AccountKind(what), options["action"], options["name"], options, access_dir)
        except (MqttAccountError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from None

    def _account(
        self, kind: AccountKind, action: str, name: str, options: dict[str, Any], access_dir: Path | None
    ) -> None:
        broker_url = broker_url_check(options["broker_url"] or default_broker_url())
        if action == "revoke":
            mqtt_account_revoke(kind=kind, username=name, access_dir=access_dir)
            self.stdout.write(
                f"{kind.value} {name!r} revoked: the broker disconnects it at its next reload "
                "and refuses it from then on."
            )
            return
        create = action == "add"
        service = mqtt_account_create if create else mqtt_account_rotate
        _, password = service(kind=kind, username=name, access_dir=access_dir)
        done = "created" if create else "given a new password (the old one stops working now)"
        text = (
            device_instructions(broker_url=broker_url, device=name, password=password, action=done)
            if kind is AccountKind.DEVICE
            else integration_instructions(broker_url=broker_url, name=name, password=password, action=done)
        )
        self.stdout.write(text)

    def _list(self) -> None:
        accounts = mqtt_account_list()
        if not accounts:
            self.stdout.write("no MQTT accounts")
            return
        for account in accounts:
            rotated = account.rotated_at.isoformat(timespec="seconds") if account.rotated_at else "never"
            created = account.created_at.isoformat(timespec="seconds")
            self.stdout.write(f"{account.kind:<12} {account.username:<40} created {created}  rotated {rotated}")
