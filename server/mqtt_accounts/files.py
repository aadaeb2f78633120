"""The broker's two access files, rendered from the accounts and written atomically (pure, stdlib only).

``passwords`` (Mosquitto's ``password_file``): ``<user>:<$7$ hash>`` per active account.
``acl`` (its ``acl_file``): one ``user <name>`` section per account with that account's
rules (:mod:`server.mqtt_accounts.rules`), and no global ``topic``/``pattern`` lines, so an
account missing from the file may do nothing. Revoked accounts are simply absent.

Writers only write the files (each through a temporary file and ``os.replace``, so the broker
never reads half a file); the broker side notices the change and reloads Mosquitto
(:mod:`server.mqtt_accounts.watch`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from server.mqtt_accounts.rules import AccountKind, Rule, rules_for

PASSWORDS_FILE = "passwords"
ACL_FILE = "acl"
HEADER = "# Written by sensebridge (server/mqtt_accounts): edit accounts with `manage.py mqtt`, not this file."


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One active account as the files need it.

    Attributes:
        username: The account's name (a device's is its device id).
        kind: What it is for.
        password_hash: Its ``$7$`` hash.
        rules: Its ACL; empty means the rules of its kind.
    """

    username: str
    kind: AccountKind
    password_hash: str
    rules: tuple[Rule, ...] = ()

    @property
    def acl(self) -> tuple[Rule, ...]:
        """The ACL lines this account gets."""
        return self.rules or rules_for(self.kind, self.username)


def render_passwords(entries: Iterable[AccessEntry]) -> str:
    """The ``password_file`` text (sorted by user name, so an unchanged set renders the same bytes)."""
    lines = [f"{e.username}:{e.password_hash}" for e in sorted(entries, key=lambda e: e.username)]
    return "\n".join(lines) + "\n" if lines else ""


def render_acl(entries: Iterable[AccessEntry]) -> str:
    """The ``acl_file`` text: per-user sections only (sorted, like :func:`render_passwords`)."""
    blocks = [HEADER]
    for entry in sorted(entries, key=lambda e: e.username):
        blocks.append("\n".join([f"# {entry.kind.value}", f"user {entry.username}", *(r.line for r in entry.acl)]))
    return "\n\n".join(blocks) + "\n"


def _write_atomically(path: Path, text: str) -> bool:
    """Replace ``path`` with ``text`` unless it already holds it; True if it changed."""
    try:
        if path.read_text() == text:
            return False
    except FileNotFoundError:
        pass
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # Mosquitto (its own user in the container) must read the files; nobody else needs to.
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def write_access_files(folder: Path, entries: Iterable[AccessEntry]) -> bool:
    """Write ``passwords`` and ``acl`` for ``entries`` into ``folder`` (created 0750 if missing).

    A reload that falls between the two writes is harmless: an account whose password is in
    the file but not yet (or no longer) in the ACL may connect but do nothing, as every rule
    is per account.

    Returns:
        True if either file changed.

    Raises:
        OSError: the folder or a file cannot be written.
    """
    items = list(entries)
    folder.mkdir(mode=0o750, parents=True, exist_ok=True)
    acl_changed = _write_atomically(folder / ACL_FILE, render_acl(items))
    passwords_changed = _write_atomically(folder / PASSWORDS_FILE, render_passwords(items))
    return acl_changed or passwords_changed
