"""The real-process fixtures: Mosquitto with the repo's config, Redis, PostgreSQL, the MongoDB stand-in,
unique ids, helpful failures."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from contract.broker import parse_mqtt_url
from contract.codec import decode_status, encode_status
from contract.models import MAX_BATCH_BYTES, Status
from contract.topics import Kind, topic, validate_device_id
from devstack import (
    RESERVED_PORTS,
    ManagedProcess,
    ProcessError,
    ServerFactory,
    ServerHandle,
    free_port,
    start_mosquitto,
)
from tests.support.mqtt import MqttTestClient

pytestmark = pytest.mark.integration


def _online(device: str) -> bytes:
    return encode_status(Status(device=device, online=True, boot="fixture-test", ts_ms=1_700_000_000_000))


def _publish_retained(broker: ServerHandle, client_id: str, status_topic: str, payload: bytes) -> None:
    with MqttTestClient(broker.url, client_id=client_id) as publisher:
        publisher.publish(status_topic, payload, qos=1, retain=True)


def _retained_status(broker: ServerHandle, device: str) -> list[bytes]:
    """The retained payloads a new subscriber to ``device``'s status topic gets.

    The broker sends retained messages right after the SUBACK, ahead of anything published
    later, so a marker published after subscribing ends the wait without a sleep.
    """
    status_topic, marker_topic = topic(device, Kind.STATUS), topic(f"{device}-marker", Kind.STATUS)
    with MqttTestClient(broker.url, client_id=f"{device}-sub") as subscriber:
        subscriber.subscribe(status_topic)
        subscriber.subscribe(marker_topic)
        subscriber.publish(marker_topic, b"end", qos=1)
        payloads = []
        while (message := subscriber.expect()).topic != marker_topic:
            assert message.retain
            payloads.append(message.payload)
    return payloads


@pytest.fixture
def status_topic(mosquitto: ServerHandle, unique_id: str) -> Iterator[str]:
    """This test's device status topic; its retained message is cleared afterwards, so wildcard
    subscribers in later tests do not see a device that never existed for them."""
    name = topic(unique_id, Kind.STATUS)
    yield name
    with MqttTestClient(mosquitto.url, client_id=f"{unique_id}-cleanup") as cleaner:
        cleaner.publish(name, b"", qos=1, retain=True)


def test_broker_listens_on_a_free_loopback_port_never_the_machines_own(mosquitto: ServerHandle) -> None:
    assert mosquitto.host == "127.0.0.1"
    assert mosquitto.port not in RESERVED_PORTS
    # The URL carries the test-only account: devstack brokers refuse anonymous clients.
    address = parse_mqtt_url(mosquitto.url)
    assert (address.host, address.port, address.username) == ("127.0.0.1", mosquitto.port, "devstack")
    assert mosquitto.process.running


def test_the_broker_log_is_written_as_it_happens(mosquitto: ServerHandle, unique_id: str) -> None:
    """Failure reports show the log tail, so it must not lag behind in a stdio buffer."""
    with MqttTestClient(mosquitto.url, client_id=f"{unique_id}-logged"):
        assert f"{unique_id}-logged" in mosquitto.log_tail(lines=200)


def test_a_new_subscriber_receives_the_retained_status(
    mosquitto: ServerHandle, unique_id: str, status_topic: str
) -> None:
    payload = _online(unique_id)

    _publish_retained(mosquitto, f"{unique_id}-pub", status_topic, payload)

    with MqttTestClient(mosquitto.url, client_id=f"{unique_id}-sub") as subscriber:
        subscriber.subscribe(status_topic)
        message = subscriber.expect()
    assert (message.topic, message.payload, message.retain) == (status_topic, payload, True)
    assert decode_status(message.payload).online


def test_retained_status_survives_a_broker_restart_on_the_same_port(
    mosquitto: ServerHandle, unique_id: str, status_topic: str
) -> None:
    payload = _online(unique_id)
    _publish_retained(mosquitto, f"{unique_id}-pub", status_topic, payload)
    port, pid = mosquitto.port, mosquitto.process.pid

    mosquitto.restart()

    assert (mosquitto.port, mosquitto.process.running) == (port, True)
    assert mosquitto.process.pid != pid
    assert _retained_status(mosquitto, unique_id) == [payload]


def test_a_puback_is_not_durable_a_killed_broker_forgets_what_it_had_not_snapshotted(
    mosquitto_factory: ServerFactory, unique_id: str
) -> None:
    """Why devices wait for the bridge's storage ack: the broker persists by periodic snapshot."""
    broker = mosquitto_factory()
    status_topic = topic(unique_id, Kind.STATUS)
    _publish_retained(broker, f"{unique_id}-pub", status_topic, _online(unique_id))

    broker.kill()
    broker.start()

    assert _retained_status(broker, unique_id) == []


def test_the_broker_carries_a_batch_of_the_largest_size_the_contract_allows(
    mosquitto: ServerHandle, unique_id: str
) -> None:
    batch_topic = topic(unique_id, Kind.BATCH)
    payload = b"x" * MAX_BATCH_BYTES
    with MqttTestClient(mosquitto.url, client_id=f"{unique_id}-sub") as subscriber:
        subscriber.subscribe(batch_topic)
        with MqttTestClient(mosquitto.url, client_id=f"{unique_id}-pub") as publisher:
            publisher.publish(batch_topic, payload, qos=1)
        assert subscriber.expect().payload == payload


def test_a_broker_that_cannot_start_fails_with_its_own_error_message(tmp_path: Path) -> None:
    with pytest.raises(ProcessError, match="no_such_option") as raised:
        start_mosquitto(tmp_path, extra_config="no_such_option 1")
    assert raised.value.name == "mosquitto"


def test_a_process_that_exits_before_listening_is_reported_with_its_log_tail(tmp_path: Path) -> None:
    script = "import sys; print('boom: cannot bind', flush=True); sys.exit(3)"
    process = ManagedProcess(
        "fake", [sys.executable, "-c", script], workdir=tmp_path, host="127.0.0.1", port=free_port()
    )

    with pytest.raises(ProcessError, match=r"exited with code 3(.|\n)*boom: cannot bind"):
        process.start()
    assert not process.running


def test_redis_answers_ping_on_a_free_loopback_port(redis_server: ServerHandle) -> None:
    assert redis_server.port not in RESERVED_PORTS
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    with redis.Redis.from_url(redis_server.url, socket_timeout=5) as client:
        assert client.ping() is True


@pytest.mark.parametrize("run", ["first", "second"])
def test_redis_is_empty_at_the_start_of_every_test(redis_server: ServerHandle, run: str) -> None:
    """Whichever run comes second proves the fixture flushed what the first one wrote."""
    with redis.Redis.from_url(redis_server.url, socket_timeout=5) as client:
        assert client.dbsize() == 0
        client.set(f"fixture-canary:{run}", run)


def test_redis_restarts_on_the_same_port_empty(redis_server: ServerHandle) -> None:
    with redis.Redis.from_url(redis_server.url, socket_timeout=5) as client:
        client.set("lost-on-restart", "1")
    port = redis_server.port

    redis_server.restart()

    assert redis_server.port == port
    with redis.Redis.from_url(redis_server.url, socket_timeout=5) as client:
        assert client.dbsize() == 0


def _psql(server: ServerHandle, sql: str) -> str:
    """One query through Debian's psql client over TCP, as the superuser of the fixture's URL."""
    result = subprocess.run(
        ["psql", server.url, "--no-psqlrc", "--tuples-only", "--no-align", "--set", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgres_serves_its_database_on_a_free_loopback_port_without_a_password(postgres: ServerHandle) -> None:
    assert postgres.port not in RESERVED_PORTS
    assert postgres.url == f"postgresql://sensebridge@127.0.0.1:{postgres.port}/sensebridge"

    assert _psql(postgres, "SELECT current_user || ' ' || current_database()") == "sensebridge sensebridge"


def test_postgres_keeps_committed_rows_across_a_restart_and_a_kill(
    postgres_factory: ServerFactory, unique_id: str
) -> None:
    server = postgres_factory()
    table = unique_id.replace("-", "_")
    _psql(server, f"CREATE TABLE {table} (n int); INSERT INTO {table} VALUES (1), (2)")
    port = server.port

    server.restart()
    server.kill()
    server.start()

    assert server.port == port
    assert _psql(server, f"SELECT sum(n) FROM {table}") == "3"
    server.stop()
    assert not server.process.running


def test_a_postgres_whose_port_is_taken_fails_with_its_own_error_message(postgres_factory: ServerFactory) -> None:
    """The port accepts connections (someone else's): an open port is not taken for a ready server."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ProcessError, match=r"exited with code 1 before(.|\n)*Address already in use") as raised:
            postgres_factory(port=taken.getsockname()[1])
    assert raised.value.name == "postgres"


async def test_the_mongodb_stand_in_answers_pymongo_over_the_wire(mongo_wire: ServerHandle, unique_id: str) -> None:
    """SecantusDB, a stand-in for MongoDB (not MongoDB), through pymongo's real async client."""
    assert mongo_wire.port not in RESERVED_PORTS
    assert mongo_wire.url == f"mongodb://127.0.0.1:{mongo_wire.port}"
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_wire.url, serverSelectionTimeoutMS=5000)
    try:
        collection = client[unique_id]["things"]
        await collection.create_index("n", unique=True)
        await collection.insert_many([{"n": 1}, {"n": 2}])
        with pytest.raises(DuplicateKeyError):
            await collection.insert_one({"n": 1})
        assert [doc["n"] for doc in await collection.find({}, sort=[("n", 1)]).to_list()] == [1, 2]
    finally:
        await client.drop_database(unique_id)
        await client.close()


def test_unique_id_is_a_valid_device_id_naming_the_test(unique_id: str) -> None:
    assert validate_device_id(unique_id) == unique_id
    assert unique_id.startswith("unique-id-is-a-valid")
