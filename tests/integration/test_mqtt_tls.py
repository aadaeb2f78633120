"""MQTT over TLS (``mqtts://``) and credentials from config, with real processes end to end.

One Mosquitto for the module, with the repository's config, its plain listener and two TLS
listeners (``devstack.tls``: a CA made for this run): one whose certificate names 127.0.0.1 and
localhost, one whose certificate names only ``broker.example`` (a host-name mismatch). The edge
agent (``python -m edge``) and the bridge (``python -m bridge``) run as processes configured
through their environment, as deployed; they log in with the test broker's ``devstack`` account.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contract.broker import parse_mqtt_url
from contract.models import Reading
from devstack import ManagedProcess, ServerHandle, free_port, start_mosquitto, wait_until
from devstack.apps import start_bridge, start_edge
from devstack.tls import Certificates, make_certificates, tls_listener_config
from storage.sqlite import SqliteStore

pytestmark = pytest.mark.integration

TIMEOUT_S = 30.0
EDGE_ENV = {"EDGE_ACK_TIMEOUT_S": "1", "EDGE_STATUS_INTERVAL_S": "5"}


@dataclass(frozen=True)
class TlsBroker:
    """The module's broker: plain and TLS ports, the account, and the CA that signed its certificates."""

    server: ServerHandle
    tls_port: int
    wrong_name_port: int
    certs: Certificates
    username: str
    password: str

    def url(self, *, scheme: str = "mqtts", port: int | None = None, password: bool = True) -> str:
        secret = f":{self.password}" if password else ""
        return f"{scheme}://{self.username}{secret}@127.0.0.1:{port or self.tls_port}"


@pytest.fixture(scope="module")
def tls_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    certs = make_certificates(tmp_path_factory.mktemp("tls-ca"))
    other_name = make_certificates(tmp_path_factory.mktemp("tls-other-name"), hosts=("broker.example",), ca=certs)
    tls_port, wrong_name_port = free_port(), free_port()
    server = start_mosquitto(
        tmp_path_factory.mktemp("mosquitto-tls"),
        persistence=False,
        extra_config=tls_listener_config(tls_port, certs) + "\n" + tls_listener_config(wrong_name_port, other_name),
    )
    account = parse_mqtt_url(server.url)
    assert account.username, "the test broker has accounts (anonymous is off)"
    assert account.password
    yield TlsBroker(server, tls_port, wrong_name_port, certs, account.username, account.password)
    server.stop()


@pytest.fixture
def other_ca(tmp_path: Path) -> Certificates:
    """A CA that signed nothing the broker serves."""
    folder = tmp_path / "other-ca"
    folder.mkdir()
    return make_certificates(folder, ca_name="some other CA")


def stored(store_path: Path, device: str) -> list[Reading]:
    async def read() -> list[Reading]:
        store = await SqliteStore.open(store_path)
        try:
            return (await store.readings(device, since_ms=0, until_ms=2**62, limit=100_000)).readings
        finally:
            await store.close()

    return asyncio.run(read())


def stop_stats(edge: ManagedProcess) -> dict[str, int]:
    """Stop the agent cleanly; its counters from the line it logs when it stops."""
    edge.stop()
    line = next(line for line in edge.log_text().splitlines() if ": stopped (boot " in line)
    return {name: int(value) for name, value in re.findall(r"(sampled|acked|pending|dropped)=(\d+)", line)}


def boot_of(edge: ManagedProcess) -> str:
    match = re.search(r"started with boot (\S+),", edge.log_text())
    assert match, edge.log_tail()
    return match.group(1)


def tls_bridge(tmp_path: Path, broker: TlsBroker, redis: ServerHandle, unique_id: str) -> tuple[ManagedProcess, Path]:
    store_path = tmp_path / "store.sqlite3"
    bridge = start_bridge(
        tmp_path,
        mqtt_url=broker.url(),
        store_url=f"sqlite:///{store_path}",
        client_id=f"bridge-{unique_id}",
        redis_url=redis.url,
        extra_env={"MQTT_CA_FILE": str(broker.certs.ca_file)},
    )
    return bridge, store_path


def test_readings_flow_over_tls_to_the_store_and_acks_come_back(
    tls_broker: TlsBroker, redis_session: ServerHandle, tmp_path: Path, unique_id: str
) -> None:
    password_file = tmp_path / "mqtt-password"
    password_file.write_text(tls_broker.password + "\n")
    password_file.chmod(0o600)
    bridge, store_path = tls_bridge(tmp_path, tls_broker, redis_session, unique_id)
    edge = start_edge(
        tmp_path,
        # The password comes from the file: the URL names only the user.
        mqtt_url=tls_broker.url(password=False),
        device=unique_id,
        rate_hz=20.0,
        extra_env={**EDGE_ENV, "MQTT_CA_FILE": str(tls_broker.certs.ca_file), "MQTT_PASSWORD_FILE": str(password_file)},
    )
    try:
        wait_until(lambda: len(stored(store_path, unique_id)) >= 30, timeout=TIMEOUT_S, what="30 stored readings")
        stats = stop_stats(edge)
    finally:
        edge.stop()
        bridge.stop()

    assert f"connected to mqtts://127.0.0.1:{tls_broker.tls_port}" in edge.log_text()
    assert f"bridge connected to mqtts://127.0.0.1:{tls_broker.tls_port}" in bridge.log_text()
    seqs = [r.seq for r in stored(store_path, unique_id)]
    assert seqs == list(range(len(seqs))), "each reading stored once, no gaps"
    assert stats["acked"] >= 30, "storage acks came back over TLS"
    # No loss: each reading is stored or still in the outbox (stored, but its ack not yet back).
    assert len(seqs) <= stats["sampled"] <= len(seqs) + stats["pending"]


def test_an_agent_with_the_wrong_ca_keeps_its_readings_until_it_is_given_the_right_one(
    tls_broker: TlsBroker, other_ca: Certificates, redis_session: ServerHandle, tmp_path: Path, unique_id: str
) -> None:
    bridge, store_path = tls_bridge(tmp_path, tls_broker, redis_session, unique_id)
    outbox = tmp_path / "outbox"
    wrong = start_edge(
        tmp_path,
        mqtt_url=tls_broker.url(),
        device=unique_id,
        rate_hz=20.0,
        name="edge-wrong-ca",
        outbox_dir=outbox,
        extra_env={**EDGE_ENV, "MQTT_CA_FILE": str(other_ca.ca_file)},
    )
    try:
        error = (
            f"ERROR edge.agent: {unique_id}: TLS handshake with mqtts://127.0.0.1:{tls_broker.tls_port} failed: "
            f"its certificate was refused (self-signed certificate in certificate chain); "
            f"verified with CA file {other_ca.ca_file}"
        )
        # Two attempts: the first logs the error, the retry (same cause) is quieter.
        wait_until(lambda: wrong.log_text().count("TLS handshake with") >= 2, timeout=TIMEOUT_S, what="two attempts")
        first_boot = boot_of(wrong)
        refused = stop_stats(wrong)
        assert wrong.log_text().count(error) == 1, wrong.log_tail()
        assert "connected to" not in wrong.log_text()
        assert refused["acked"] == 0
        assert refused["pending"] == refused["sampled"] > 0, "every reading kept in the outbox"
        assert stored(store_path, unique_id) == []

        right = start_edge(
            tmp_path,
            mqtt_url=tls_broker.url(),
            device=unique_id,
            name="edge-right-ca",
            outbox_dir=outbox,
            extra_env={**EDGE_ENV, "MQTT_CA_FILE": str(tls_broker.certs.ca_file)},
        )
        try:
            wait_until(
                lambda: sum(r.boot == first_boot for r in stored(store_path, unique_id)) == refused["sampled"],
                timeout=TIMEOUT_S,
                what="every reading of the refused run stored",
            )
        finally:
            right.stop()
    finally:
        wrong.stop()
        bridge.stop()
    seqs = sorted(r.seq for r in stored(store_path, unique_id) if r.boot == first_boot)
    assert seqs == list(range(refused["sampled"])), "stored once each"


def test_a_certificate_for_another_host_name_is_refused(tls_broker: TlsBroker, tmp_path: Path, unique_id: str) -> None:
    edge = start_edge(
        tmp_path,
        mqtt_url=tls_broker.url(port=tls_broker.wrong_name_port),
        device=unique_id,
        extra_env={**EDGE_ENV, "MQTT_CA_FILE": str(tls_broker.certs.ca_file)},
    )
    try:
        wait_until(lambda: "TLS handshake with" in edge.log_text(), timeout=TIMEOUT_S, what="the TLS error")
    finally:
        edge.stop()
    assert (
        "its certificate was refused (IP address mismatch, certificate is not valid for '127.0.0.1'" in edge.log_text()
    )
    assert "connected to" not in edge.log_text()


def test_a_plain_mqtt_client_on_the_tls_port_fails_with_a_hint(
    tls_broker: TlsBroker, tmp_path: Path, unique_id: str
) -> None:
    edge = start_edge(tmp_path, mqtt_url=tls_broker.url(scheme="mqtt"), device=unique_id, extra_env=EDGE_ENV)
    try:
        hint = (
            f"ERROR edge.agent: {unique_id}: mqtt://127.0.0.1:{tls_broker.tls_port} closed the connection without "
            "answering (a TLS port needs an mqtts:// MQTT_URL)"
        )
        wait_until(lambda: hint in edge.log_text(), timeout=TIMEOUT_S, what="the hint")
    finally:
        edge.stop()
    assert "connected to" not in edge.log_text()


def test_a_tls_client_on_the_plain_port_fails_clearly(tls_broker: TlsBroker, tmp_path: Path, unique_id: str) -> None:
    edge = start_edge(
        tmp_path,
        mqtt_url=tls_broker.url(port=tls_broker.server.port),
        device=unique_id,
        extra_env={**EDGE_ENV, "MQTT_CA_FILE": str(tls_broker.certs.ca_file)},
    )
    try:
        failed = f"TLS handshake with mqtts://127.0.0.1:{tls_broker.server.port} failed"
        wait_until(lambda: failed in edge.log_text(), timeout=TIMEOUT_S, what="the TLS error")
    finally:
        edge.stop()
    assert "connected to" not in edge.log_text()


def test_a_wrong_password_in_the_file_is_refused_by_the_broker(
    tls_broker: TlsBroker, tmp_path: Path, unique_id: str
) -> None:
    password_file = tmp_path / "mqtt-password"
    password_file.write_text("not-the-password\n")
    edge = start_edge(
        tmp_path,
        mqtt_url=tls_broker.url(password=False),
        device=unique_id,
        extra_env={**EDGE_ENV, "MQTT_CA_FILE": str(tls_broker.certs.ca_file), "MQTT_PASSWORD_FILE": str(password_file)},
    )
    try:
        wait_until(lambda: "broker refused the connection" in edge.log_text(), timeout=TIMEOUT_S, what="refusal")
    finally:
        edge.stop()
    assert "connected to" not in edge.log_text()


def test_the_bridge_with_the_wrong_ca_says_what_verified_the_broker(
    tls_broker: TlsBroker, other_ca: Certificates, redis_session: ServerHandle, tmp_path: Path, unique_id: str
) -> None:
    bridge = start_bridge(
        tmp_path,
        mqtt_url=tls_broker.url(),
        store_url=f"sqlite:///{tmp_path / 'store.sqlite3'}",
        client_id=f"bridge-{unique_id}",
        redis_url=redis_session.url,
        extra_env={"MQTT_CA_FILE": str(other_ca.ca_file)},
        wait=False,
    )
    try:
        wanted = f"(TLS verified with CA file {other_ca.ca_file})"
        wait_until(lambda: wanted in bridge.log_text(), timeout=TIMEOUT_S, what="the TLS error")
    finally:
        bridge.stop()
    log = bridge.log_text()
    assert f"MQTT connection to mqtts://127.0.0.1:{tls_broker.tls_port} failed or lost" in log
    assert "CERTIFICATE_VERIFY_FAILED" in log
    assert "bridge connected" not in log


def test_a_password_in_the_mqtt_url_flag_is_refused_without_showing_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "edge", "--device-id", "pi-1", "--mqtt-url", "mqtt://kitchen:hunter2@127.0.0.1:1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "MQTT_URL (--mqtt-url) has a password" in result.stderr
    assert "MQTT_PASSWORD_FILE" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
