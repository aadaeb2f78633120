"""Host and Origin, checked by the real ASGI servers (uvicorn and daphne) serving ``server.asgi``.

A request naming a host the server does not answer to (DNS rebinding) gets HTTP 400 and no data;
a WebSocket handshake for such a host, or from a foreign Origin, is refused with HTTP 403; the
page's own origin, a program without an Origin and the public URLs' origins get through (and
are then signed in: a viewer's API token, a ticket for the socket). A bad Host or a foreign
Origin is refused before any credentials are looked at.
docs/security.md ("Host and Origin") states the rules.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from contract.codec import encode_reading
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import ManagedProcess, ServerHandle, wait_until
from devstack.appdb import app_database
from devstack.apps import start_asgi
from server.host_guard import BAD_HOST_BODY
from tests.integration.stack import SERVERS_UNDER_TEST, Stack, receive_json
from tests.support.mqtt import MqttTestClient, acked
from tests.support.web import WebClient, get_with_host, websocket_with_host

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://pi.example.net"


def refused_handshake(port: int, *, host: str, origin: str | None) -> int:
    """The HTTP status of a refused handshake (fails if the handshake is accepted)."""
    with pytest.raises(InvalidStatus) as refused, websocket_with_host(port, host=host, origin=origin):
        pass
    return refused.value.response.status_code


@pytest.fixture(scope="module")
def stored_device(stack: Stack, mosquitto_session: ServerHandle) -> str:
    """A device with one stored reading, so a refused request has data it could have leaked."""
    device = f"rebind-{time.monotonic_ns()}"
    now = time.time_ns() // 1_000_000
    reading = Reading(device=device, boot="b1", seq=1, ts_ms=now, values={"temperature": 21.0})
    with MqttTestClient(mosquitto_session.url, client_id=f"dev-{device}") as mqtt:
        mqtt.subscribe(topic(device, Kind.ACK))
        mqtt.publish(topic(device, Kind.READING), encode_reading(reading))
        acked(mqtt, {1})
    return device


@dataclass(frozen=True)
class PublicServer:
    """An ASGI server behind a (pretend) TLS proxy, and the viewer's API token."""

    port: int
    process: ManagedProcess
    token: str

    def ticket(self) -> str:
        return WebClient(f"http://127.0.0.1:{self.port}", token=self.token).ticket()


@pytest.fixture(scope="module", params=SERVERS_UNDER_TEST)
def public_server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[PublicServer]:
    """An ASGI server told ``PUBLIC_URLS=https://pi.example.net`` (as behind a TLS proxy)."""
    workdir: Path = tmp_path_factory.mktemp("public-url")
    database = app_database(workdir)
    server = start_asgi(
        workdir,
        server=request.param,
        store_url=f"sqlite:///{workdir / 'store.sqlite3'}",
        layer="memory",
        extra_env={"PUBLIC_URLS": PUBLIC_URL},
        database=database,
    )
    try:
        yield PublicServer(server.port, server.process, database.tokens["vera"])
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/api/v1/devices", "/", "/api/v1/health"])
@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.2", "localhost.evil.example"])
def test_a_request_for_a_foreign_host_gets_400_and_no_data(
    stack: Stack, stored_device: str, path: str, host: str
) -> None:
    status, body = get_with_host(stack.http_port, path, host=host)

    assert (status, body) == (400, BAD_HOST_BODY)
    assert stored_device.encode() not in body


def test_the_same_request_for_the_servers_own_names_is_answered(stack: Stack, stored_device: str) -> None:
    for host in (f"127.0.0.1:{stack.http_port}", f"localhost:{stack.http_port}"):
        status, body = get_with_host(stack.http_port, "/api/v1/devices", host=host, token=stack.database.tokens["vera"])
        assert status == 200, host
        assert stored_device.encode() in body


def test_a_websocket_handshake_for_a_foreign_host_is_refused_with_403(stack: Stack) -> None:
    # DNS rebinding: the page's own origin, on a name that now points at this server.
    host = f"evil.example:{stack.http_port}"
    assert refused_handshake(stack.http_port, host=host, origin=f"http://{host}") == 403


@pytest.mark.parametrize(
    "origin",
    ["http://evil.example", "https://evil.example", "http://127.0.0.1:{other}", "http://localhost", "null"],
)
def test_a_websocket_handshake_from_a_foreign_origin_is_refused_with_403(stack: Stack, origin: str) -> None:
    origin = origin.format(other=stack.http_port + 1)
    assert refused_handshake(stack.http_port, host=f"127.0.0.1:{stack.http_port}", origin=origin) == 403


@pytest.mark.parametrize("origin", ["http://127.0.0.1:{port}", "http://localhost:{port}", None])
def test_the_pages_own_origin_and_a_program_without_one_get_the_live_stream(stack: Stack, origin: str | None) -> None:
    port = stack.http_port
    shown = origin.format(port=port) if origin else None
    with websocket_with_host(port, host=f"127.0.0.1:{port}", origin=shown, ticket=stack.client().ticket()) as ws:
        assert receive_json(ws)["type"] == "hello"


def test_a_public_urls_host_is_answered(public_server: PublicServer) -> None:
    token = public_server.token
    assert get_with_host(public_server.port, "/api/v1/devices", host="pi.example.net", token=token)[0] == 200
    assert get_with_host(public_server.port, "/api/v1/devices", host="evil.example", token=token)[0] == 400


@pytest.mark.parametrize("host", ["pi.example.net", "127.0.0.1:{port}"])  # a proxy that keeps or rewrites Host
def test_a_public_urls_origin_may_open_the_socket_through_a_proxy(public_server: PublicServer, host: str) -> None:
    port, ticket = public_server.port, public_server.ticket()
    with websocket_with_host(port, host=host.format(port=port), origin=PUBLIC_URL, ticket=ticket) as ws:
        assert receive_json(ws)["type"] == "hello"


@pytest.mark.parametrize("origin", ["http://pi.example.net", "https://pi.example.net:8443", "https://evil.example"])
def test_only_the_public_urls_exact_origin_passes(public_server: PublicServer, origin: str) -> None:
    assert refused_handshake(public_server.port, host="pi.example.net", origin=origin) == 403


def test_every_refusal_is_logged_with_its_reason(public_server: PublicServer) -> None:
    get_with_host(public_server.port, "/", host="rebound.example")
    refused_handshake(public_server.port, host="pi.example.net", origin="https://other.example")

    def logged() -> str | None:
        text = public_server.process.log_text()
        return text if "other.example" in text else None

    log = wait_until(logged, timeout=5, what="both refusals in the log")
    assert "Host 'rebound.example' refused: not an allowed host" in log
    assert "Origin 'https://other.example' refused: its host is not an allowed host" in log
