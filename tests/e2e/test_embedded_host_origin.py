"""The README's run command answers only the names it is reached by: Host and Origin in the embedded mode.

Two real embedded processes: the shared one (bound to 127.0.0.1) and one bound to every interface,
as ``./scripts/run`` is by default, with a public URL. Every request goes to 127.0.0.1; the Host
and Origin headers are what a browser would send for each URL. Every request carries the admin's
API token and every handshake a fresh ticket, so a refusal is the Host or Origin check's alone
(the process with an https public URL sets secure cookies, which plain http never sends back).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import InvalidStatus

from devstack import wait_until
from devstack.embedded import Embedded, banner_urls, embedded_mode
from server.embedded.network import machine_names
from server.host_guard import BAD_HOST_BODY
from server.hosts import LOOPBACK_HOSTS, host_entry
from tests.integration.stack import receive_json
from tests.support.web import WebClient, get_with_host, websocket_with_host

pytestmark = pytest.mark.e2e

PUBLIC_URL = "https://pi.example.net"


_admins: dict[int, WebClient] = {}  # by HTTP port: one token per process (each command is a Django start-up)


def admin(embedded: Embedded) -> WebClient:
    """A client of the process with an API token of its first admin (made with the documented command)."""
    if embedded.http_port not in _admins:
        username, _ = embedded.admin_login()
        token = embedded.api_token(username, "host-origin e2e")
        _admins[embedded.http_port] = WebClient(embedded.base_url, token=token)
    return _admins[embedded.http_port]


def handshake_status(client: WebClient, port: int, *, host: str, origin: str | None) -> int:
    """101 if the handshake (with a fresh ticket of ``client``) is accepted and the server says hello.

    Else the refusal's HTTP status.
    """
    try:
        with websocket_with_host(port, host=host, origin=origin, ticket=client.ticket()) as ws:
            assert receive_json(ws)["type"] == "hello"
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


@pytest.fixture(scope="module")
def on_every_interface(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    """``./scripts/run --host 0.0.0.0 --public-url https://pi.example.net`` (no simulated devices)."""
    extra = ("--host", "0.0.0.0", "--public-url", PUBLIC_URL, "--devices", "0")  # the default bind
    with embedded_mode(tmp_path_factory.mktemp("every-interface"), *extra) as running:
        yield running


def dashboard_hosts(embedded: Embedded) -> list[str]:
    """The ``host:port`` of every dashboard URL the banner prints."""
    urls = [url for url in banner_urls(embedded.log()) if url.startswith("http://")]
    assert urls, "the banner prints the dashboard URL"
    return [urlsplit(url).netloc for url in urls]


def test_a_request_for_a_foreign_host_gets_400_and_no_data(embedded: Embedded) -> None:
    own = urlsplit(embedded.base_url).netloc
    token = admin(embedded).token
    wait_until(
        lambda: b"sim-1" in get_with_host(embedded.http_port, "/api/v1/devices", host=own, token=token)[1],
        what="sim-1 listed",
    )

    for path in ("/", "/api/v1/devices", "/api/v1/devices/sim-1/readings?since=0"):
        status, body = get_with_host(embedded.http_port, path, host="evil.example", token=token)
        assert (status, body) == (400, BAD_HOST_BODY), path


def test_a_websocket_from_a_foreign_page_or_for_a_foreign_host_is_refused_with_403(embedded: Embedded) -> None:
    own = urlsplit(embedded.base_url).netloc
    port = embedded.http_port
    client = admin(embedded)

    assert handshake_status(client, port, host=own, origin="http://evil.example") == 403
    assert handshake_status(client, port, host=own, origin=f"http://127.0.0.1:{port + 1}") == 403
    assert handshake_status(client, port, host=f"evil.example:{port}", origin=f"http://evil.example:{port}") == 403


def test_a_loopback_bind_answers_only_the_loopback_names(embedded: Embedded) -> None:
    port = embedded.http_port
    client = admin(embedded)
    for name in ("127.0.0.1", "localhost", "[::1]"):
        assert get_with_host(port, "/api/v1/health", host=f"{name}:{port}")[0] == 200, name
        assert handshake_status(client, port, host=f"{name}:{port}", origin=f"http://{name}:{port}") == 101, name
    for name in set(map(host_entry, machine_names())) - set(LOOPBACK_HOSTS):
        assert get_with_host(port, "/api/v1/health", host=f"{name}:{port}")[0] == 400, name


def test_every_url_the_banner_prints_is_answered_and_may_open_the_live_socket(on_every_interface: Embedded) -> None:
    port = on_every_interface.http_port
    client = admin(on_every_interface)
    for host in dashboard_hosts(on_every_interface):
        assert get_with_host(port, "/", host=host)[0] == 200, host
        assert handshake_status(client, port, host=host, origin=f"http://{host}") == 101, host


def test_every_interface_answers_the_machines_names_and_addresses(on_every_interface: Embedded) -> None:
    port = on_every_interface.http_port
    client = admin(on_every_interface)
    for name in machine_names():
        host = f"{host_entry(name)}:{port}"
        assert get_with_host(port, "/api/v1/health", host=host)[0] == 200, host
        assert handshake_status(client, port, host=host, origin=f"http://{host}") == 101, host


def test_the_public_url_is_answered_and_its_origin_may_open_the_live_socket(on_every_interface: Embedded) -> None:
    port = on_every_interface.http_port
    client = admin(on_every_interface)

    assert get_with_host(port, "/", host="pi.example.net")[0] == 200
    assert handshake_status(client, port, host="pi.example.net", origin=PUBLIC_URL) == 101
    # A proxy that rewrites Host:
    assert handshake_status(client, port, host=f"127.0.0.1:{port}", origin=PUBLIC_URL) == 101
    assert handshake_status(client, port, host="pi.example.net", origin="http://pi.example.net") == 403


def test_every_interface_still_refuses_a_foreign_host_and_origin(on_every_interface: Embedded) -> None:
    port = on_every_interface.http_port
    client = admin(on_every_interface)

    assert get_with_host(port, "/", host="evil.example") == (400, BAD_HOST_BODY)
    assert get_with_host(port, "/", host=f"evil.example:{port}") == (400, BAD_HOST_BODY)
    assert handshake_status(client, port, host=f"evil.example:{port}", origin=f"http://evil.example:{port}") == 403
    assert handshake_status(client, port, host=f"127.0.0.1:{port}", origin="https://evil.example") == 403
