"""Attacks on the broker, against real Mosquitto (the repository's conf.d: anonymous off), the real
bridge (``python -m bridge`` on its ``bridge`` service account, shared subscription, SQLite store)
and real edge agents logged in with their own device accounts (docs/security.md, "MQTT accounts
and ACLs").

Mosquitto 2.0.11 with an ``acl_file`` answers a publish that the ACL denies with PUBACK reason
"Not authorized" (MQTT 5) and drops it, and grants every SUBSCRIBE but delivers only messages whose
concrete topic the subscriber may ``read``: so "cannot subscribe" is checked as "receives nothing".
Each guard was broken once by hand (anonymous allowed, a device's or integration's rule widened to
``+``) and the test below it failed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from contract.broker import parse_mqtt_url
from contract.codec import encode_ack, encode_batch, encode_reading, encode_status
from contract.models import Reading, Status, StorageAck
from contract.topics import Kind, subscription, topic
from devstack import ManagedProcess, ServerHandle, wait_until
from devstack.apps import start_bridge
from devstack.broker_access import BrokerAccount
from devstack.mosquitto import BrokerHandle
from edge.agent import Agent
from edge.config import EdgeConfig
from edge.runner import build_agents, start_all, stop_all
from server.mqtt_accounts.rules import BRIDGE_ACCOUNT, AccountKind
from tests.support.mqtt import MqttTestClient, MqttTestError, acked

pytestmark = pytest.mark.integration

BrokerFactory = Callable[..., BrokerHandle]
QUIET_S = 1.5  # how long "nothing arrives" is watched for: the bridge acks within milliseconds


def reading(device: str, seq: int, *, boot: str = "boot1") -> Reading:
    now = time.time_ns() // 1_000_000
    return Reading(device=device, boot=boot, seq=seq, ts_ms=now - 1000 + seq, values={"temperature": 21.5})


def turns_false(check: Callable[[], bool], seconds: float) -> bool:
    """Watch ``check`` for ``seconds``: True as soon as it is false, False if it held throughout."""
    try:
        wait_until(lambda: not check(), timeout=seconds, what="a change")
    except TimeoutError:
        return False
    return True


def plain_url(broker: BrokerHandle) -> str:
    return f"mqtt://{broker.host}:{broker.port}"


def login(broker: BrokerHandle, account: BrokerAccount) -> str:
    assert broker.access is not None
    return broker.access.url(plain_url(broker), account)


def refused(url: str, client_id: str) -> MqttTestError:
    with pytest.raises(MqttTestError, match="connection refused") as caught, MqttTestClient(url, client_id=client_id):
        pass
    return caught.value


class Fleet:
    """A private broker with a bridge account, two devices, an integration, and the bridge's store."""

    def __init__(self, broker: BrokerHandle, redis_url: str, workdir: Path, unique_id: str) -> None:
        assert broker.access is not None
        self.broker, self.redis_url, self.workdir, self.unique_id = broker, redis_url, workdir, unique_id
        self.a, self.b = f"{unique_id}-a", f"{unique_id}-b"
        self.device_a = broker.access.add(AccountKind.DEVICE, self.a)
        self.device_b = broker.access.add(AccountKind.DEVICE, self.b)
        self.integration = broker.access.add(AccountKind.INTEGRATION, f"{unique_id}-int")
        self.bridge_account = broker.access.add(AccountKind.SERVICE, BRIDGE_ACCOUNT)
        self.store = workdir / "store.sqlite3"
        self.bridge: ManagedProcess | None = None
        # The watcher reloads the broker within a fraction of a second; wait until the last account works.
        wait_until(self._bridge_can_log_in, what="the broker to load the new accounts")

    def _bridge_can_log_in(self) -> bool:
        try:
            with MqttTestClient(login(self.broker, self.bridge_account), client_id=f"{self.unique_id}-probe"):
                return True
        except MqttTestError:
            return False

    def start_bridge(self) -> ManagedProcess:
        self.bridge = start_bridge(
            self.workdir,
            mqtt_url=login(self.broker, self.bridge_account),
            store_url=f"sqlite:///{self.store}",
            client_id=f"bridge-{self.unique_id}",
            redis_url=self.redis_url,
            share_group="bridge",
        )
        return self.bridge

    def stop_bridge(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()

    def stored(self, device: str) -> list[int]:
        if not self.store.exists():
            return []
        with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True) as db:
            return [seq for (seq,) in db.execute("SELECT seq FROM readings WHERE device = ? ORDER BY seq", (device,))]

    def known_devices(self) -> set[str]:
        with sqlite3.connect(f"file:{self.store}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT device FROM devices UNION SELECT device FROM readings").fetchall()
            quarantined = db.execute("SELECT topic FROM quarantine").fetchall()
        return {device for (device,) in rows} | {name for (name,) in quarantined}


@pytest.fixture
def fleet(
    mosquitto_factory: BrokerFactory, redis_server: ServerHandle, tmp_path: Path, unique_id: str
) -> Iterator[Fleet]:
    made = Fleet(mosquitto_factory(persistence=False), redis_server.url, tmp_path, unique_id)
    yield made
    made.stop_bridge()


@contextmanager
def running_agent(fleet: Fleet, account: BrokerAccount, *, rate_hz: float = 20.0) -> Iterator[Agent]:
    """A real edge agent logged in as ``account`` (its device id is the account's name)."""
    config = EdgeConfig(
        broker=parse_mqtt_url(login(fleet.broker, account)),
        devices=(account.username,),
        rate_hz=rate_hz,
        outbox_dir=fleet.workdir / "outbox",
        ack_timeout_s=1.0,
    )
    (agent,) = build_agents(config)
    start_all([agent])
    try:
        yield agent
    finally:
        stop_all([agent])


def test_an_anonymous_client_and_a_wrong_password_are_refused(fleet: Fleet) -> None:
    refused(plain_url(fleet.broker), f"{fleet.unique_id}-anonymous")
    wrong = BrokerAccount(fleet.a, AccountKind.DEVICE, "not-the-password")
    refused(login(fleet.broker, wrong), f"{fleet.unique_id}-guess")
    # A device's password is not another device's.
    stolen = BrokerAccount(fleet.b, AccountKind.DEVICE, fleet.device_a.password)
    refused(login(fleet.broker, stolen), f"{fleet.unique_id}-stolen")


def test_a_device_cannot_publish_to_another_devices_topics_and_nothing_of_it_is_stored(fleet: Fleet) -> None:
    fleet.start_bridge()
    forged = reading(fleet.b, 0)
    with MqttTestClient(login(fleet.broker, fleet.device_a), client_id=f"{fleet.a}-mqtt") as device_a:
        for name, payload in (
            (topic(fleet.b, Kind.READING), encode_reading(forged)),
            (topic(fleet.b, Kind.BATCH), encode_batch([forged])),
            (topic(fleet.b, Kind.STATUS), encode_status(Status(device=fleet.b, online=True, boot="x", ts_ms=1))),
        ):
            with pytest.raises(MqttTestError, match="Not authorized"):
                device_a.publish(name, payload)
        # Its own topic works, and once its reading is stored the bridge has seen everything before it.
        device_a.publish(topic(fleet.a, Kind.READING), encode_reading(reading(fleet.a, 0)))
    wait_until(lambda: fleet.stored(fleet.a) == [0], what="device A's own reading to be stored")

    assert fleet.stored(fleet.b) == []
    assert not any(fleet.b in name for name in fleet.known_devices()), "B is unknown to the store"


def test_only_the_bridges_acks_reach_a_device_and_no_device_receives_another_devices_acks(fleet: Fleet) -> None:
    fleet.start_bridge()
    with (
        MqttTestClient(login(fleet.broker, fleet.device_a), client_id=f"{fleet.a}-mqtt") as device_a,
        MqttTestClient(login(fleet.broker, fleet.device_b), client_id=f"{fleet.b}-mqtt") as device_b,
    ):
        # Mosquitto grants the subscriptions (SUBACK success) but delivers nothing A may not read.
        device_a.subscribe(topic(fleet.b, Kind.ACK))
        device_a.subscribe(subscription(Kind.ACK))
        device_a.subscribe("#")
        device_b.subscribe(topic(fleet.b, Kind.ACK))
        device_b.publish(topic(fleet.b, Kind.READING), encode_reading(reading(fleet.b, 7)))

        assert acked(device_b, {7}) >= {7}  # the bridge's ack reached B
        with pytest.raises(MqttTestError, match="no message"):
            device_a.expect(timeout=QUIET_S)


def test_a_forged_ack_from_any_account_but_the_bridge_never_reaches_the_device_and_its_outbox_keeps_every_reading(
    fleet: Fleet,
) -> None:
    # The bridge is down: the agent's readings wait in its outbox.
    with running_agent(fleet, fleet.device_a) as agent:
        wait_until(lambda: agent.connected and agent.pending >= 10, what="ten unacknowledged readings")
        forged = encode_ack(StorageAck(device=fleet.a, boot=agent.boot, ranges=((0, 1_000_000),)))
        for forger, name in ((fleet.device_b, "device"), (fleet.integration, "integration")):
            with (
                MqttTestClient(login(fleet.broker, forger), client_id=f"{fleet.unique_id}-{name}-forger") as client,
                pytest.raises(MqttTestError, match="Not authorized"),
            ):
                client.publish(topic(fleet.a, Kind.ACK), forged)
        # A marker from the bridge's account, sent after the forgeries: an ack for another device,
        # which the agent counts as bad. Once it is counted, a forged ack that got through would
        # have arrived before it; had one, the agent would delete its readings (acked > 0).
        with MqttTestClient(login(fleet.broker, fleet.bridge_account), client_id=f"{fleet.unique_id}-mark") as bridge:
            bridge.publish(topic(fleet.a, Kind.ACK), encode_ack(StorageAck(device=fleet.b, boot="x", ranges=((0, 0),))))
        wait_until(lambda: agent.bad_acks == 1, what="the agent to see the bridge's marker")
        assert not turns_false(lambda: agent.acked == 0, QUIET_S), "a forged ack deleted readings"
        stats = agent.stats()
        assert stats.pending == stats.sampled > 0

        # The bridge comes back: every reading is stored exactly once and the outbox drains.
        fleet.start_bridge()
        wait_until(lambda: agent.acked >= stats.sampled and agent.pending == 0, timeout=30, what="the outbox to drain")
        seqs = fleet.stored(fleet.a)
        assert seqs == list(range(len(seqs)))
        assert len(seqs) >= stats.sampled


def test_an_integration_reads_readings_and_status_and_may_publish_nowhere(fleet: Fleet) -> None:
    with (
        MqttTestClient(login(fleet.broker, fleet.integration), client_id=f"{fleet.unique_id}-int") as integration,
        MqttTestClient(login(fleet.broker, fleet.device_a), client_id=f"{fleet.a}-mqtt") as device_a,
    ):
        integration.subscribe(subscription(Kind.READING))
        integration.subscribe(subscription(Kind.STATUS))
        integration.subscribe(subscription(Kind.ACK))  # granted, but nothing may be delivered
        device_a.publish(topic(fleet.a, Kind.READING), encode_reading(reading(fleet.a, 1)))
        status = encode_status(Status(device=fleet.a, online=True, boot="boot1", ts_ms=1))
        device_a.publish(topic(fleet.a, Kind.STATUS), status)
        got = {integration.expect().topic, integration.expect().topic}
        assert got == {topic(fleet.a, Kind.READING), topic(fleet.a, Kind.STATUS)}

        for kind in Kind:
            with pytest.raises(MqttTestError, match="Not authorized"):
                integration.publish(topic(fleet.a, kind), b"{}")
        with pytest.raises(MqttTestError, match="Not authorized"):
            integration.publish("elsewhere/entirely", b"x")
        with pytest.raises(MqttTestError, match="no message"):
            integration.expect(timeout=QUIET_S)
