"""The paho adapter's set-up, without touching the network."""

from __future__ import annotations

import random
import socket
import ssl
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from contract.broker import BrokerAddress
from contract.codec import decode_status, encode_status
from contract.models import Status
from devstack.tls import make_certificates
from edge.mqtt import Backoff, build_client, client_id, describe_tls_failure, report_tls_failures, set_nodelay


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


# --- TLS ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certificates(tmp_path_factory.mktemp("ca")).ca_file


def test_an_mqtts_broker_gets_a_verifying_tls_context(ca_file: Path) -> None:
    client = build_client(
        device="pi-1",
        broker=BrokerAddress("broker.lan", 8883, "pi-1", "pw", tls=True, ca_file=ca_file),
        protocol="5",
        will_topic="sensebridge/v1/pi-1/status",
        will_payload=b"{}",
        on_tls_failure=lambda error: None,
    )

    # paho has no public accessor for its TLS context:
    context = client._ssl_context
    assert context is not None
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert not client._tls_insecure


def test_a_plain_broker_gets_no_tls() -> None:
    assert build_client_for_test()._ssl_context is None


def test_a_failed_handshake_is_reported_and_raised_on(ca_file: Path) -> None:
    reported: list[OSError] = []
    context = report_tls_failures(ssl.create_default_context(cafile=str(ca_file)), reported.append)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(b"\x20\x02\x00\x00")  # an MQTT CONNACK where a TLS ServerHello belongs
        theirs.shutdown(socket.SHUT_WR)
        tls = context.wrap_socket(ours, server_hostname="broker.lan", do_handshake_on_connect=False)
        with pytest.raises(ssl.SSLError) as caught:
            tls.do_handshake()

    assert reported == [caught.value]


def test_a_tls_failure_is_described_with_its_cause_and_what_verified_the_broker(ca_file: Path) -> None:
    broker = BrokerAddress("127.0.0.1", 8883, tls=True, ca_file=ca_file)
    refused = ssl.SSLCertVerificationError(1, "certificate verify failed")
    refused.verify_message = "self-signed certificate in certificate chain"

    assert describe_tls_failure(refused, broker) == (
        "TLS handshake with mqtts://127.0.0.1:8883 failed: its certificate was refused "
        f"(self-signed certificate in certificate chain); verified with CA file {ca_file}"
    )
    assert describe_tls_failure(
        ConnectionResetError(104, "Connection reset by peer"), BrokerAddress("h", 1, tls=True)
    ) == (
        "TLS handshake with mqtts://h:1 failed: Connection reset by peer during the handshake (is it a TLS port?); "
        "verified with the system's trust store"
    )
