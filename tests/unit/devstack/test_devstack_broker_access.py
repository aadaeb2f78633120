"""devstack's broker accounts and the reload watcher, without a broker (the broker side is in
tests/integration/test_mqtt_access_reload.py)."""

from __future__ import annotations

from pathlib import Path

from contract.broker import parse_mqtt_url
from devstack.broker_access import DEVSTACK_ACCOUNT, BrokerAccess, url_with_credentials
from server.mqtt_accounts.passwords import verify_password
from server.mqtt_accounts.rules import AccountKind
from server.mqtt_accounts.watch import AccessWatcher


def test_credentials_go_into_the_url_quoted_and_replace_any_there() -> None:
    url = url_with_credentials("mqtt://old:pw@127.0.0.1:1883", "dev", "p@ss:/word")

    address = parse_mqtt_url(url)
    assert (address.host, address.port, address.username, address.password) == ("127.0.0.1", 1883, "dev", "p@ss:/word")


def test_a_test_broker_always_has_the_devstack_account_and_the_accounts_a_test_adds(tmp_path: Path) -> None:
    access = BrokerAccess(tmp_path / "access")
    assert access.superuser is not None
    device = access.add(AccountKind.DEVICE, "kitchen")

    lines = dict(line.split(":", 1) for line in access.password_file.read_text().splitlines())
    assert set(lines) == {DEVSTACK_ACCOUNT, "kitchen"}
    assert verify_password(device.password, lines["kitchen"])
    acl = access.acl_file.read_text()
    assert f"user {DEVSTACK_ACCOUNT}\ntopic readwrite #" in acl
    assert "user kitchen\ntopic write sensebridge/v1/kitchen/reading" in acl

    rotated = access.rotate("kitchen")
    assert rotated.password != device.password
    access.revoke("kitchen")
    assert "kitchen" not in access.password_file.read_text()
    assert "user kitchen" not in access.acl_file.read_text()


def test_the_watcher_reloads_once_per_change_and_not_when_nothing_changed(tmp_path: Path) -> None:
    access = BrokerAccess(tmp_path / "access")
    reloads: list[int] = []
    watcher = AccessWatcher(access.folder, lambda: reloads.append(1))

    assert not watcher.check()
    access.add(AccountKind.INTEGRATION, "ha")
    assert watcher.check()
    assert not watcher.check()
    assert not access.write()  # the same accounts again: no new file, no reload
    assert not watcher.check()
    access.revoke("ha")
    assert watcher.check()
    assert (len(reloads), watcher.reloads) == (2, 2)


def test_a_failing_reload_is_logged_and_the_watch_goes_on(tmp_path: Path) -> None:
    access = BrokerAccess(tmp_path / "access")

    def broken() -> None:
        raise OSError("no such process")

    watcher = AccessWatcher(access.folder, broken)
    access.add(AccountKind.DEVICE, "kitchen")
    assert not watcher.check()
    assert watcher.reloads == 0
