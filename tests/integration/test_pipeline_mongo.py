"""The ingest path with the Mongo store over the wire: device messages -> Mosquitto -> bridge process
-> the Mongo store through pymongo's real ``AsyncMongoClient`` -> storage acks back to the device.

The server is SecantusDB (the ``mongo_wire`` fixture), a STAND-IN for MongoDB, not MongoDB: no MongoDB
server can run on these machines. It is single node; replica sets and failover, time-series
bucketing, TTL timing and performance are unverified here (docs/storage.md), and nothing is ever
benchmarked on it. What this proves is the store's own logic over a real wire protocol: the
unique (device, boot, seq) index turns re-deliveries and re-sends into duplicates, not rows, and
an ack follows each stored reading.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from contract.codec import encode_batch, encode_reading
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import ManagedProcess, ServerHandle, wait_until
from devstack.apps import start_bridge
from tests.support.mqtt import MqttTestClient, acked

pytestmark = pytest.mark.integration


@pytest.fixture
def mongo_database(mongo_wire: ServerHandle, unique_id: str) -> Iterator[str]:
    """The name of an empty database of this test on the stand-in, dropped afterwards."""
    yield unique_id
    with MongoClient(mongo_wire.url, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(unique_id)


@pytest.fixture
def bridge(
    mosquitto: ServerHandle,
    redis_server: ServerHandle,
    mongo_wire: ServerHandle,
    mongo_database: str,
    tmp_path: Path,
    unique_id: str,
) -> Iterator[ManagedProcess]:
    process = start_bridge(
        tmp_path,
        mqtt_url=mosquitto.url,
        store_url=f"{mongo_wire.url}/{mongo_database}",
        redis_url=redis_server.url,
        client_id=f"bridge-{unique_id}",
        tick_ms=20,
    )
    yield process
    process.stop()


def reading(device: str, seq: int, *, boot: str = "boot1") -> Reading:
    now = time.time_ns() // 1_000_000
    return Reading(device=device, boot=boot, seq=seq, ts_ms=now - 1000 + seq, values={"temperature": 20.0 + seq})


def stored_keys(url: str, database: str, device: str) -> list[tuple[str, int]]:
    """(boot, seq) of every reading document of ``device``, read straight from the server."""
    with MongoClient(url, serverSelectionTimeoutMS=5000) as client:
        docs: list[dict[str, Any]] = list(client[database]["readings"].find({"device": device}, {"boot": 1, "seq": 1}))
    return sorted((doc["boot"], doc["seq"]) for doc in docs)


def test_readings_sent_redelivered_and_resent_are_stored_once_in_mongo_and_acknowledged(
    bridge: ManagedProcess, mosquitto: ServerHandle, mongo_wire: ServerHandle, mongo_database: str, unique_id: str
) -> None:
    """On the SecantusDB stand-in (not MongoDB): each reading stored exactly once, every one acknowledged."""
    device = unique_id
    with MqttTestClient(mosquitto.url, client_id=f"dev-{device}") as mqtt:
        mqtt.subscribe(topic(device, Kind.ACK))
        for _ in range(2):  # a QoS 1 re-delivery looks exactly like this
            for seq in range(3):
                mqtt.publish(topic(device, Kind.READING), encode_reading(reading(device, seq)))
        # The outbox re-sends after an ack timeout as a batch that overlaps what was stored.
        mqtt.publish(topic(device, Kind.BATCH), encode_batch([reading(device, seq) for seq in range(6)]))
        # Another boot restarts the sequence: same seq numbers, different readings.
        mqtt.publish(topic(device, Kind.BATCH), encode_batch([reading(device, seq, boot="boot2") for seq in range(2)]))

        assert acked(mqtt, set(range(6)), timeout=15.0) >= set(range(6))

    want = sorted([("boot1", seq) for seq in range(6)] + [("boot2", seq) for seq in range(2)])
    wait_until(
        lambda: len(stored_keys(mongo_wire.url, mongo_database, device)) >= len(want),
        timeout=10,
        what="8 readings in the stand-in",
    )
    assert stored_keys(mongo_wire.url, mongo_database, device) == want
    assert bridge.running, bridge.log_tail()
