"""The embedded mode's MQTT accounts: the bridge and each simulated device get one at every start.

Anonymous access is off here too. At start, after the migrations, :func:`embedded_accounts_ensure`
gives the ``bridge`` service account and one device account per simulated device a new random
password (kept in memory only: the in-process bridge and agents get them directly), keeps
every other account (a real Pi added with ``manage.py mqtt device add``) and writes the
broker's files into ``<data dir>/mqtt-access/``. Mosquitto reads them and is reloaded (SIGHUP)
when they change, e.g. after ``manage.py mqtt`` or the admin changed an account.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from contract.broker import BrokerAddress
from server.mqtt_accounts import location
from server.mqtt_accounts.passwords import new_password
from server.mqtt_accounts.rules import BRIDGE_ACCOUNT, AccountKind
from server.mqtt_accounts.selectors import mqtt_account_find
from server.mqtt_accounts.services import (
    mqtt_access_render,
    mqtt_account_create,
    mqtt_account_rotate,
    mqtt_service_set_password,
)

ACCESS_DIR = "mqtt-access"
"""The broker's ``passwords`` and ``acl`` in the data folder."""


@dataclass(frozen=True, slots=True)
class EmbeddedCredentials:
    """The passwords of this run's in-process clients.

    Attributes:
        bridge: The ``bridge`` service account's password.
        devices: Simulated device id -> its password.
    """

    bridge: str
    devices: dict[str, str]

    def bridge_address(self, host: str, port: int) -> BrokerAddress:
        """Where and as whom the in-process bridge connects."""
        return BrokerAddress(host, port, username=BRIDGE_ACCOUNT, password=self.bridge)

    def device_address(self, device: str, host: str, port: int) -> BrokerAddress:
        """Where and as whom simulated ``device`` connects."""
        return BrokerAddress(host, port, username=device, password=self.devices[device])


def access_dir(data_dir: Path) -> Path:
    """The folder of the broker's files in ``data_dir``."""
    return data_dir / ACCESS_DIR


def embedded_accounts_ensure(*, data_dir: Path, devices: Sequence[str]) -> EmbeddedCredentials:
    """New passwords for ``bridge`` and the simulated ``devices``; the broker's files written.

    Raises:
        MqttAccountError: a simulated device's name is taken by an integration account.
        django.db.DatabaseError: the database refused.
        OSError: the files cannot be written.
    """
    folder = access_dir(data_dir)
    location.install(folder)
    with transaction.atomic():
        bridge = new_password()
        mqtt_service_set_password(username=BRIDGE_ACCOUNT, password=bridge)
        passwords = {}
        for device in devices:
            exists = mqtt_account_find(kind=AccountKind.DEVICE, username=device) is not None
            service = mqtt_account_rotate if exists else mqtt_account_create
            _, passwords[device] = service(kind=AccountKind.DEVICE, username=device)
    mqtt_access_render(access_dir=folder)  # written even when nothing changed (a new data folder)
    return EmbeddedCredentials(bridge=bridge, devices=passwords)


def add_device_command(*, database_url: str, data_dir: Path, broker_url: str) -> str:
    """The command that adds a real Pi's account to this embedded mode's database (for the banner)."""
    return (
        f"DJANGO_DEBUG=1 DATABASE_URL={database_url} MQTT_ACCESS_DIR={access_dir(data_dir)} "
        f".venv/bin/python manage.py mqtt device add <device id> --broker-url {broker_url}"
    )
