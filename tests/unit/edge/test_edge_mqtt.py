"""The paho adapter's set-up, without touching the network."""

from __future__ import annotations

import random
import socket

import paho.mqtt.client as mqtt
import pytest

from contract.broker import BrokerAddress
from contract.codec import decode_status, encode_status
from contract.models import Status
from edge.mqtt import Backoff, build_client, client_id, set_nodelay


def test_backoff_waits_grow_exponentially_with_jitter_and_reset() -> None:
    backoff = Backoff(1, 30, random.Random(4))
    caps, waits = [], []
    for _ in range(8):
        caps.append(backoff.cap())
        waits.append(backoff.next_delay())

    assert caps == [1, 2, 4, 8, 16, 30, 30, 30]
    assert all(1 <= wait <= cap for wait, cap in zip(waits, caps, strict=True))
    assert len(set(waits[3:])) > 1  # jittered, not a fixed ladder
    backoff.reset()
    assert backoff.cap() == 1


def test_backoff_rejects_impossible_bounds() -> None:
    with pytest.raises(ValueError, match="minimum_s"):
        Backoff(0, 10)
    with pytest.raises(ValueError, match="minimum_s"):
        Backoff(5, 4)


def test_client_id_names_the_device() -> None:
    assert client_id("pi-kitchen") == "sensebridge-edge-pi-kitchen"


def test_nodelay_is_set_on_tcp_sockets() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0

        set_nodelay(build_client_for_test(), None, sock)

        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_nodelay_leaves_other_sockets_alone() -> None:
    left, right = socket.socketpair()
    with left, right:
        set_nodelay(build_client_for_test(), None, left)  # a Unix socket has no Nagle to disable


@pytest.mark.parametrize(("protocol", "version"), [("5", 5), ("3.1.1", 4)])
def test_the_client_speaks_the_configured_protocol_with_an_offline_will(protocol: str, version: int) -> None:
    will = encode_status(Status(device="pi-1", online=False, boot="b1"))

    client = build_client(
        device="pi-1",
        broker=BrokerAddress("127.0.0.1", 1883, "edge", "secret"),
        protocol=protocol,
        will_topic="sensebridge/v1/pi-1/status",
        will_payload=will,
    )

    assert client.protocol == version
    assert client.on_socket_open is set_nodelay
    assert client.username == "edge"
    assert client.will_topic == "sensebridge/v1/pi-1/status"
    assert client.will_payload is not None
    assert decode_status(client.will_payload) == Status(device="pi-1", online=False, boot="b1")
    # paho has no public accessors for these:
    assert client._client_id == b"sensebridge-edge-pi-1"
    assert (client._will_qos, client._will_retain) == (1, True)


def build_client_for_test() -> mqtt.Client:
    return build_client(
        device="pi-1",
        broker=BrokerAddress("127.0.0.1", 1883),
        protocol="5",
        will_topic="sensebridge/v1/pi-1/status",
        will_payload=b"{}",
    )
