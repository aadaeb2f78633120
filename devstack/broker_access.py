"""Accounts of a devstack broker: real ``passwords`` and ``acl`` files from the server's pure renderer.

Every devstack Mosquitto runs with ``allow_anonymous false`` (the repository's
``mosquitto/conf.d/access.conf``) and the files written here. A test broker always has the
test-only ``devstack`` account (``readwrite #``), whose credentials are in the handle's URL,
so a test that does not care about access just uses ``broker.url``. Security tests add device,
bridge and integration accounts with :meth:`BrokerAccess.add` and connect with
:meth:`BrokerAccess.url`; :meth:`~BrokerAccess.rotate` and :meth:`~BrokerAccess.revoke` rewrite
the files, and the broker's watcher reloads Mosquitto (SIGHUP), as in production.

Standard library only (plus the repository's pure :mod:`server.mqtt_accounts` modules).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from server.mqtt_accounts.files import ACL_FILE, PASSWORDS_FILE, AccessEntry, write_access_files
from server.mqtt_accounts.passwords import hash_password, new_password
from server.mqtt_accounts.rules import SUPERUSER_RULES, AccountKind, Rule

DEVSTACK_ACCOUNT = "devstack"
"""The test broker's all-topics account: ONLY devstack's brokers have it, never a deployment."""


@dataclass(frozen=True, slots=True)
class BrokerAccount:
    """An account's name, kind and clear-text password (tests only keep the clear text)."""

    username: str
    kind: AccountKind
    password: str


def url_with_credentials(url: str, username: str, password: str) -> str:
    """``url`` (``mqtt://host:port``, any credentials dropped) with ``username:password@``."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{quote(username, safe='')}:{quote(password, safe='')}@{netloc}", "", "", ""))


class BrokerAccess:
    """The accounts of one broker, written to ``folder`` on every change.

    Args:
        folder: Where ``passwords`` and ``acl`` go (created if missing).
        superuser: Also add the ``devstack`` account (``readwrite #``).
    """

    def __init__(self, folder: Path, *, superuser: bool = True) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._accounts: dict[str, tuple[BrokerAccount, AccessEntry]] = {}
        self.superuser: BrokerAccount | None = None
        if superuser:
            self.superuser = self._put(DEVSTACK_ACCOUNT, AccountKind.SERVICE, SUPERUSER_RULES)
        self.write()

    @property
    def password_file(self) -> Path:
        """The ``password_file`` Mosquitto reads."""
        return self.folder / PASSWORDS_FILE

    @property
    def acl_file(self) -> Path:
        """The ``acl_file`` Mosquitto reads."""
        return self.folder / ACL_FILE

    def add(self, kind: AccountKind, username: str, *, rules: tuple[Rule, ...] = ()) -> BrokerAccount:
        """Add (or replace) an account with a new password and write the files.

        Args:
            kind: Device, integration or service (``bridge``).
            username: Its name; a device's is its device id.
            rules: Its ACL instead of its kind's (a test that widens a rule on purpose).
        """
        account = self._put(username, kind, rules)
        self.write()
        return account

    def rotate(self, username: str) -> BrokerAccount:
        """A new password for ``username`` (the old one stops working at the reload)."""
        with self._lock:
            old, entry = self._accounts[username]
        return self.add(old.kind, username, rules=entry.rules)

    def revoke(self, username: str) -> None:
        """Remove ``username`` from the files."""
        with self._lock:
            del self._accounts[username]
        self.write()

    def url(self, broker_url: str, account: BrokerAccount) -> str:
        """``broker_url`` with ``account``'s credentials."""
        return url_with_credentials(broker_url, account.username, account.password)

    def write(self) -> bool:
        """Render the files from the accounts; True if they changed."""
        with self._lock:
            entries = [entry for _, entry in self._accounts.values()]
        return write_access_files(self.folder, entries)

    def _put(self, username: str, kind: AccountKind, rules: tuple[Rule, ...]) -> BrokerAccount:
        password = new_password()
        account = BrokerAccount(username, kind, password)
        with self._lock:
            self._accounts[username] = (account, AccessEntry(username, kind, hash_password(password), rules))
        return account
