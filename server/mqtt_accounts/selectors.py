"""Reads of the MQTT accounts table."""

from __future__ import annotations

from server.mqtt_accounts.files import AccessEntry
from server.mqtt_accounts.models import MqttAccount
from server.mqtt_accounts.rules import AccountKind


def mqtt_account_find(*, kind: AccountKind, username: str) -> MqttAccount | None:
    """The active ``kind`` account called ``username``, or None."""
    return MqttAccount.objects.filter(kind=kind.value, username=username).first()


def mqtt_account_list(*, kind: AccountKind | None = None) -> list[MqttAccount]:
    """Every active account (of ``kind``), by kind then name."""
    accounts = MqttAccount.objects.all()
    if kind is not None:
        accounts = accounts.filter(kind=kind.value)
    return list(accounts)


def mqtt_access_entries() -> list[AccessEntry]:
    """The active accounts as the broker's files need them."""
    return [
        AccessEntry(username=a.username, kind=a.account_kind, password_hash=a.password_hash)
        for a in MqttAccount.objects.all()
    ]
