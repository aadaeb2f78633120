"""Account changes reach a running Mosquitto without dropping anyone else (docs/security.md, "Rotation
and revocation").

Writers only rewrite the ``passwords`` and ``acl`` files; the broker side (here devstack's watcher,
in compose ``mosquitto/reload-on-change.sh``, in the embedded mode the runner's) sends SIGHUP. Seen
with Mosquitto 2.0.11: the reload keeps every connection whose credentials are still valid, and
disconnects a client whose account is gone or whose password changed; it is then refused. Broken
once by hand (the watcher's reload turned into a no-op): the revocation and rotation tests failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from contract.broker import parse_mqtt_url
from contract.codec import encode_status
from contract.models import Status
from contract.topics import Kind, topic
from devstack import wait_until
from devstack.broker_access import BrokerAccount
from devstack.mosquitto import BrokerHandle
from edge.agent import Agent
from edge.config import EdgeConfig
from edge.runner import build_agents, start_all, stop_all
from server.mqtt_accounts.rules import AccountKind
from tests.support.mqtt import MqttTestClient, MqttTestError

pytestmark = pytest.mark.integration

BrokerFactory = Callable[..., BrokerHandle]


@pytest.fixture
def broker(mosquitto_factory: BrokerFactory) -> BrokerHandle:
    return mosquitto_factory(persistence=False)


def login(broker: BrokerHandle, account: BrokerAccount) -> str:
    assert broker.access is not None
    return broker.access.url(f"mqtt://{broker.host}:{broker.port}", account)


def can_log_in(broker: BrokerHandle, account: BrokerAccount, client_id: str) -> bool:
    try:
        with MqttTestClient(login(broker, account), client_id=client_id, timeout=3):
            return True
    except MqttTestError:
        return False


def add_device(broker: BrokerHandle, device: str) -> BrokerAccount:
    assert broker.access is not None
    account = broker.access.add(AccountKind.DEVICE, device)
    wait_until(lambda: can_log_in(broker, account, f"{device}-probe"), what=f"{device}'s account to load")
    return account


def reloads_seen(broker: BrokerHandle) -> int:
    return broker.log_tail(10_000).count("Reloading config.")


@contextmanager
def running_agent(broker: BrokerHandle, account: BrokerAccount, outbox: Path) -> Iterator[Agent]:
    """A real edge agent logged in with ``account``."""
    config = EdgeConfig(
        broker=parse_mqtt_url(login(broker, account)), devices=(account.username,), rate_hz=20.0, outbox_dir=outbox
    )
    (agent,) = build_agents(config)
    start_all([agent])
    try:
        wait_until(lambda: agent.connected, what=f"{account.username} to connect")
        yield agent
    finally:
        stop_all([agent])


def test_a_reload_keeps_every_connection_whose_account_did_not_change(
    broker: BrokerHandle, tmp_path: Path, unique_id: str
) -> None:
    assert broker.access is not None
    kept = add_device(broker, f"{unique_id}-kept")
    with (
        running_agent(broker, kept, tmp_path / "outbox") as agent,
        MqttTestClient(broker.url, client_id=f"{unique_id}-watcher") as watcher,
    ):
        watcher.subscribe(topic(kept.username, Kind.READING))
        published = agent.stats().published
        # Other accounts come and go: each change is a reload.
        other = add_device(broker, f"{unique_id}-other")
        for change in (broker.access.rotate, broker.access.revoke):
            before = reloads_seen(broker)
            change(other.username)
            wait_until(lambda: reloads_seen(broker) > before, what=f"the reload after {change.__name__}")  # noqa: B023

        # The agent kept publishing on its first connection, and the watcher kept receiving.
        wait_until(lambda: agent.stats().published >= published + 20, what="the agent to keep publishing")
        assert watcher.expect().topic == topic(kept.username, Kind.READING)
        log = broker.log_tail(10_000)
        client_id = f"sensebridge-edge-{kept.username}"
        assert log.count(f"as {client_id} ") == 1, "the agent connected once"
        assert f"Client {client_id} disconnected" not in log
        assert f"Client {unique_id}-watcher disconnected" not in log
        assert agent.connected


def test_a_revoked_device_is_disconnected_at_the_reload_and_cannot_reconnect(
    broker: BrokerHandle, tmp_path: Path, unique_id: str
) -> None:
    assert broker.access is not None
    device = add_device(broker, f"{unique_id}-revoked")
    with running_agent(broker, device, tmp_path / "outbox") as agent:
        broker.access.revoke(device.username)

        wait_until(lambda: not agent.connected, what="the revoked agent to be disconnected")
        client_id = f"sensebridge-edge-{device.username}"
        wait_until(lambda: f"Client {client_id} disconnected" in broker.log_tail(10_000), what="the disconnect")
        # It keeps knocking (its readings stay in its outbox) and is refused each time.
        wait_until(lambda: "not authorised" in broker.log_tail(10_000), timeout=15, what="a refused reconnect")
        assert not agent.connected
        assert agent.pending > 0
    assert not can_log_in(broker, device, f"{unique_id}-again")


def test_a_rotated_password_disconnects_the_old_session_refuses_the_old_password_and_accepts_the_new(
    broker: BrokerHandle, unique_id: str
) -> None:
    assert broker.access is not None
    old = add_device(broker, f"{unique_id}-rotated")
    status_topic = topic(old.username, Kind.STATUS)
    status = encode_status(Status(device=old.username, online=True, boot="b", ts_ms=1))
    with MqttTestClient(login(broker, old), client_id=f"{unique_id}-old") as session:
        session.publish(status_topic, status)
        new = broker.access.rotate(old.username)
        wait_until(
            lambda: f"Client {unique_id}-old disconnected" in broker.log_tail(10_000), what="the old session to end"
        )
        with pytest.raises(MqttTestError):
            session.publish(status_topic, status)

    assert not can_log_in(broker, old, f"{unique_id}-old-again")
    with MqttTestClient(login(broker, new), client_id=f"{unique_id}-new") as fresh:
        fresh.publish(status_topic, status)
