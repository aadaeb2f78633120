"""The edge agent against a real Mosquitto: publish, presence, storage acks, and no loss
across a broker restart.

The broker is this test's own (``mosquitto_factory``: the repo's config on a free port,
without persistence, so a restart forgets everything: the worst case for the agent).
A paho client on the test side plays the bridge: it watches the device's topics and
sends storage acks.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from contract.broker import parse_mqtt_url
from contract.codec import decode_batch, decode_reading, decode_status, encode_ack
from contract.models import Status, StorageAck, seq_ranges
from contract.topics import Kind, topic
from devstack import ServerFactory, ServerHandle
from edge.agent import Agent
from edge.config import EdgeConfig
from edge.sources.simulator import SimulatedDevice

pytestmark = pytest.mark.integration

TIMEOUT_S = 30.0


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT_S) -> None:
    """Poll ``condition`` until true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    tick = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:g} s waiting for {what}")
        tick.wait(0.02)


class GatedSource:
    """A simulated device that produces exactly as many readings as the test allows."""

    def __init__(self) -> None:
        self._budget = 0
        self._lock = threading.Lock()
        self._device = SimulatedDevice(seed=1, index=0)

    def allow(self, count: int) -> None:
        with self._lock:
            self._budget += count

    def read(self) -> dict[str, float]:
        with self._lock:
            if self._budget == 0:
                return {}  # nothing to report: no reading, no sequence number
            self._budget -= 1
        return self._device.at(time.time())


class Watcher:
    """The bridge's stand-in: sees the device's readings and batches, sends storage acks."""

    def __init__(self, url: str, device: str) -> None:
        self.device = device
        self.seqs: set[int] = set()
        self.since_mark: set[int] = set()
        self.boots: set[str] = set()
        self.keys_since_mark: set[tuple[str, int]] = set()
        self.statuses: list[Status] = []
        self.problems: list[str] = []
        self.subscribed = threading.Event()
        self._lock = threading.Lock()
        self._topics = {topic(device, kind): kind for kind in (Kind.READING, Kind.BATCH, Kind.STATUS)}
        address = parse_mqtt_url(url)  # the broker's test account: anonymous clients are refused
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(address.username, address.password)
        self.client.reconnect_delay_set(1, 1)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.connect_async(address.host, address.port)
        self.client.loop_start()

    def _on_connect(self, client: mqtt.Client, *_: object) -> None:
        client.subscribe([(name, 1) for name in self._topics])

    def _on_subscribe(self, *_: object) -> None:
        self.subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        kind = self._topics[message.topic]
        try:
            if kind is Kind.STATUS:
                self.statuses.append(decode_status(message.payload))
                return
            readings = [decode_reading(message.payload)] if kind is Kind.READING else decode_batch(message.payload)
        except ValueError as exc:  # ContractError is a ValueError
            self.problems.append(f"{message.topic}: {exc}")
            return
        with self._lock:
            for reading in readings:
                if reading.device != self.device:
                    self.problems.append(f"reading of {reading.device} on {message.topic}")
                self.seqs.add(reading.seq)
                self.since_mark.add(reading.seq)
                self.keys_since_mark.add((reading.boot, reading.seq))
                self.boots.add(reading.boot)

    def seen(self) -> set[int]:
        with self._lock:
            return set(self.seqs)

    def seen_since_mark(self) -> set[int]:
        with self._lock:
            return set(self.since_mark)

    def keys_seen_since_mark(self) -> set[tuple[str, int]]:
        with self._lock:
            return set(self.keys_since_mark)

    def mark(self) -> None:
        with self._lock:
            self.since_mark.clear()
            self.keys_since_mark.clear()
        self.subscribed.clear()

    def ack(self, boot: str, seqs: set[int]) -> None:
        ack = StorageAck(device=self.device, boot=boot, ranges=seq_ranges(seqs))
        self.client.publish(topic(self.device, Kind.ACK), encode_ack(ack), qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def retained_status(url: str, device: str) -> tuple[Status, bool]:
    """What a newcomer finds on the device's status topic: the status and its retain flag."""
    received: list[mqtt.MQTTMessage] = []
    arrived = threading.Event()

    def on_message(client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        received.append(message)
        arrived.set()

    address = parse_mqtt_url(url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set(address.username, address.password)
    client.on_connect = lambda c, *_: c.subscribe(topic(device, Kind.STATUS), qos=1)
    client.on_message = on_message
    client.connect(address.host, address.port)
    client.loop_start()
    try:
        assert arrived.wait(10), "no retained status"
    finally:
        client.disconnect()
        client.loop_stop()
    return decode_status(received[0].payload), received[0].retain


@pytest.fixture
def broker(mosquitto_factory: ServerFactory) -> ServerHandle:
    """A private Mosquitto without persistence, stopped and started again on the same port by the test."""
    return mosquitto_factory(persistence=False)


def make_agent(broker: ServerHandle, tmp_path: Path, device: str, protocol: str, source: GatedSource) -> Agent:
    config = EdgeConfig(
        broker=parse_mqtt_url(broker.url),
        mqtt_protocol=protocol,
        devices=(device,),
        rate_hz=20.0,
        outbox_dir=tmp_path / "outbox",
        ack_timeout_s=0.5,
        status_interval_s=1.0,
    )
    return Agent(config, source, reconnect_min_s=1, reconnect_max_s=2)


def test_readings_are_acked_away_and_survive_a_broker_restart(broker: ServerHandle, tmp_path: Path) -> None:
    device = "edge-it-restart"
    source = GatedSource()
    watcher = Watcher(broker.url, device)
    agent = make_agent(broker, tmp_path, device, "5", source)
    try:
        assert watcher.subscribed.wait(10)
        agent.start()
        wait_until(lambda: agent.connected, "the agent to connect")

        # Readings go out live and decode with the contract.
        source.allow(10)
        wait_until(lambda: watcher.seen() >= set(range(10)), "readings 0..9")
        assert watcher.boots == {agent.boot}
        assert watcher.problems == []

        # A newcomer finds the device online, with the outbox counters.
        status, retained = retained_status(broker.url, device)
        assert retained
        assert (status.online, status.boot, status.dropped) == (True, agent.boot, 0)
        assert status.pending is not None

        # A storage ack removes exactly what it covers.
        watcher.ack(agent.boot, set(range(10)) - {5, 6})
        wait_until(lambda: agent.pending == 2, "the outbox to hold only the unacked readings 5 and 6")
        assert agent.stats().acked == 8

        # The broker goes away; the agent keeps sampling into its outbox.
        broker.stop()
        wait_until(lambda: not agent.connected, "the agent to notice the broker is gone")
        source.allow(5)
        wait_until(lambda: agent.stats().sampled == 15, "readings 10..14 to be sampled offline")
        assert agent.pending == 7

        # The broker comes back, empty; the agent reconnects and re-sends everything unacked.
        watcher.mark()
        broker.start()
        assert watcher.subscribed.wait(15)
        wait_until(lambda: agent.connected, "the agent to reconnect")
        wait_until(lambda: watcher.seen_since_mark() >= {5, 6, 10, 11, 12, 13, 14}, "the unacked readings again")
        assert watcher.seen() == set(range(15))
        assert watcher.problems == []

        watcher.ack(agent.boot, set(range(15)))
        wait_until(lambda: agent.pending == 0, "the outbox to empty")

        agent.stop(timeout=5)
        status, retained = retained_status(broker.url, device)
        assert retained
        assert (status.online, status.boot, status.pending) == (False, agent.boot, 0)
        assert status.ts_ms is not None  # a clean stop, not the last will
    finally:
        agent.stop(timeout=5)
        watcher.close()


def test_mqtt_3_1_1_agent_publishes_and_its_will_marks_it_offline(broker: ServerHandle, tmp_path: Path) -> None:
    device = "edge-it-v311"
    source = GatedSource()
    watcher = Watcher(broker.url, device)
    agent = make_agent(broker, tmp_path, device, "3.1.1", source)
    try:
        assert watcher.subscribed.wait(10)
        agent.start()
        source.allow(3)
        wait_until(lambda: watcher.seen() >= {0, 1, 2}, "readings 0..2 over MQTT 3.1.1")
        assert watcher.problems == []
        wait_until(lambda: agent.stats().published == 3, "three live publishes")

        # Cut the connection without a DISCONNECT: the broker publishes the last will.
        assert agent._client is not None
        sock = agent._client.socket()
        assert isinstance(sock, socket.socket)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        sock.shutdown(socket.SHUT_RDWR)
        wait_until(lambda: any(not s.online for s in watcher.statuses), "the will's offline status")
        will = next(s for s in watcher.statuses if not s.online)
        assert will == Status(device=device, online=False, boot=agent.boot)  # no time: the will is prepared early

        # ... and it comes back online by itself.
        wait_until(lambda: watcher.statuses[-1].online, "the agent to be back online")
    finally:
        agent.stop(timeout=5)
        watcher.close()


def test_a_restarted_agent_resends_the_previous_boots_readings_under_their_boot(
    broker: ServerHandle, tmp_path: Path
) -> None:
    device = "edge-it-reboot"
    watcher = Watcher(broker.url, device)
    first_source, second_source = GatedSource(), GatedSource()
    first = make_agent(broker, tmp_path, device, "5", first_source)
    second = make_agent(broker, tmp_path, device, "5", second_source)
    try:
        assert watcher.subscribed.wait(10)
        first.start()
        first_source.allow(3)
        wait_until(lambda: watcher.seen() >= {0, 1, 2}, "the first run's readings")
        first.stop(timeout=5)
        assert first.pending == 3  # never acknowledged

        watcher.mark()
        second.start()
        second_source.allow(2)
        assert second.boot != first.boot
        expected = {(first.boot, 0), (first.boot, 1), (first.boot, 2), (second.boot, 0), (second.boot, 1)}
        wait_until(lambda: watcher.keys_seen_since_mark() >= expected, "both boots' readings from the second run")
        assert second.pending == 5

        watcher.ack(first.boot, {0, 1, 2})
        watcher.ack(second.boot, {0, 1})
        wait_until(lambda: second.pending == 0, "the outbox to empty")
        assert watcher.problems == []
    finally:
        first.stop(timeout=5)
        second.stop(timeout=5)
        watcher.close()
