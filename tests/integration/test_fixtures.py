"""The real-process fixtures: Mosquitto with the repo's config, Redis, unique ids, helpful failures."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from contract.codec import decode_status, encode_status
from contract.models import MAX_BATCH_BYTES, Status
from contract.topics import Kind, topic, validate_device_id
from tests.support.mqtt import MqttTestClient
from tests.support.processes import RESERVED_PORTS, ManagedProcess, ProcessError, free_port, start_mosquitto
from tests.support.servers import ServerFactory, ServerHandle

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
    assert mosquitto.url == f"mqtt://127.0.0.1:{mosquitto.port}"
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


def test_unique_id_is_a_valid_device_id_naming_the_test(unique_id: str) -> None:
    assert validate_device_id(unique_id) == unique_id
    assert unique_id.startswith("unique-id-is-a-valid")
