"""Writes of the MQTT accounts table; each one re-renders the broker's access files.

Each service is ``<entity>_<action>`` with keyword-only arguments. Passwords are generated
here (:func:`~server.mqtt_accounts.passwords.new_password`) and returned once; only their
``$7$`` hash is stored. After the transaction commits, the ``passwords`` and ``acl`` files
are written into the access folder (``MQTT_ACCESS_DIR``, or ``access_dir``); the broker side
notices and reloads Mosquitto. Permissions are the caller's business (the admin checks the
role; management commands are run by whoever can reach the database anyway).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from server.mqtt_accounts import location
from server.mqtt_accounts.errors import NameTakenError, UnknownAccountError
from server.mqtt_accounts.files import write_access_files
from server.mqtt_accounts.models import MqttAccount
from server.mqtt_accounts.passwords import hash_password, new_password, verify_password
from server.mqtt_accounts.rules import AccountKind, validate_name
from server.mqtt_accounts.selectors import mqtt_access_entries


def mqtt_access_render(*, access_dir: Path | None = None) -> bool:
    """Write the broker's files from the table now.

    Args:
        access_dir: The folder (default: ``MQTT_ACCESS_DIR``).

    Returns:
        True if a file changed.

    Raises:
        OSError: the folder cannot be written.
    """
    return write_access_files(access_dir or location.access_dir(), mqtt_access_entries())


def _render_after_commit(access_dir: Path | None) -> None:
    transaction.on_commit(lambda: mqtt_access_render(access_dir=access_dir))


def mqtt_account_create(
    *,
    kind: AccountKind,
    username: str,
    password: str | None = None,
    access_dir: Path | None = None,
    now: datetime | None = None,
) -> tuple[MqttAccount, str]:
    """A new ``kind`` account and its password (returned this once).

    Args:
        kind: Device, integration or service.
        username: Its name (a device's is its device id).
        password: Its password; None (always, except the compose bridge's shared secret) to generate one.
        access_dir: Where the files go (default ``MQTT_ACCESS_DIR``).
        now: The creation time (default: now).

    Raises:
        BadNameError: not a valid or a reserved name.
        NameTakenError: an account of any kind has that name.
    """
    validate_name(username, kind)
    secret = password if password is not None else new_password()
    try:
        with transaction.atomic():
            account = MqttAccount.objects.create(
                username=username,
                kind=kind.value,
                password_hash=hash_password(secret),
                created_at=now or timezone.now(),
            )
            _render_after_commit(access_dir)
    except IntegrityError:
        taken = MqttAccount.objects.filter(username=username).first()
        what = f"a {taken.kind} account" if taken is not None else "an account"
        raise NameTakenError(username, f"{what} called {username!r} exists already") from None
    return account, secret


def mqtt_account_rotate(
    *,
    kind: AccountKind,
    username: str,
    password: str | None = None,
    access_dir: Path | None = None,
    now: datetime | None = None,
) -> tuple[MqttAccount, str]:
    """A new password for an account (returned this once); the old one stops working at the broker's reload.

    Raises:
        UnknownAccountError: no ``kind`` account has that name.
    """
    secret = password if password is not None else new_password()
    with transaction.atomic():
        account = MqttAccount.objects.select_for_update().filter(kind=kind.value, username=username).first()
        if account is None:
            raise UnknownAccountError(username, f"no {kind.value} account {username!r}")
        account.password_hash = hash_password(secret)
        account.rotated_at = now or timezone.now()
        account.save(update_fields=["password_hash", "rotated_at"])
        _render_after_commit(access_dir)
    return account, secret


def mqtt_account_revoke(*, kind: AccountKind, username: str, access_dir: Path | None = None) -> None:
    """Delete an account: the broker disconnects it at its reload and refuses it from then on.

    Raises:
        UnknownAccountError: no ``kind`` account has that name.
    """
    with transaction.atomic():
        deleted, _ = MqttAccount.objects.filter(kind=kind.value, username=username).delete()
        if not deleted:
            raise UnknownAccountError(username, f"no {kind.value} account {username!r}")
        _render_after_commit(access_dir)


def mqtt_service_set_password(
    *, username: str, password: str, access_dir: Path | None = None, now: datetime | None = None
) -> MqttAccount:
    """Create or update a service account with a password chosen elsewhere (a secret the service also reads).

    An unchanged password keeps its hash (no file change, no broker reload).

    The compose stack's bridge reads its password from a secret file; the one-shot migrate
    service gives the broker the same one through this.

    Raises:
        BadNameError: not a service account's name.
        ValueError: an empty password.
    """
    validate_name(username, AccountKind.SERVICE)
    if not password:
        raise ValueError("the service account's password is empty")
    with transaction.atomic():
        account, created = MqttAccount.objects.select_for_update().get_or_create(
            username=username,
            defaults={
                "kind": AccountKind.SERVICE.value,
                "password_hash": hash_password(password),
                "created_at": now or timezone.now(),
            },
        )
        if not created and not verify_password(password, account.password_hash):
            account.password_hash = hash_password(password)
            account.rotated_at = now or timezone.now()
            account.save(update_fields=["password_hash", "rotated_at"])
        _render_after_commit(access_dir)
    return account
