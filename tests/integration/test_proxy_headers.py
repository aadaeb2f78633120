"""X-Forwarded-For and X-Forwarded-Proto, believed from TRUSTED_PROXIES only, by the real ASGI servers.

Each ASGI server under test (uvicorn and daphne, as ``server.config`` runs them) serves
``server.asgi`` twice on one prepared application database, both with
``PUBLIC_URLS=https://pi.example.net`` (a deployment behind a TLS proxy):

* ``direct``: ``TRUSTED_PROXIES`` names a proxy elsewhere (192.0.2.10), and this test, on
  127.0.0.1, reaches the server around it: a client that writes forged headers. uvicorn
  believes them from 127.0.0.1 by default, so this also proves its own handling is off.
* ``proxied``: ``TRUSTED_PROXIES=127.0.0.1``. This test plays the reverse proxy, which appends
  the client's address to X-Forwarded-For and says X-Forwarded-Proto.

Then the reverse-proxy configurations of docs/deploy.md (Caddy and nginx, taken from that file,
with a test certificate and free ports) run in front of the server: the client, on 127.0.0.2,
reaches it over https and wss, is redirected from http, and is counted by its own address.

Attacks: brute force with a new forged X-Forwarded-For chain per attempt is throttled by the
real peer; a client behind the proxy cannot borrow another client's address by writing it on
the left; X-Forwarded-Proto from an untrusted peer makes neither HSTS nor Django's
https-only CSRF rules apply; X-Forwarded-Host is never believed. The cookies are Secure
(so this test sends them by hand: a cookie jar keeps Secure cookies off plain http).
docs/deploy.md states the rules.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import sqlite3
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect
from websockets.typing import Origin

from devstack import LOOPBACK, REPO_ROOT, ManagedProcess, ServerHandle, find_binary, free_port
from devstack.apps import start_asgi
from devstack.tls import Certificates, make_certificates
from tests.integration.accounts_stack import SECRET_KEY, USERS, prepare
from tests.integration.stack import CONFIGURED_ASGI_SERVER, SERVERS_UNDER_TEST

pytestmark = pytest.mark.integration

PUBLIC_URL = "https://pi.example.net"
PUBLIC_HOST = "pi.example.net"
ADDRESS_FREE_FAILURES = 20  # server.accounts.limiter.ADDRESS_POLICY: failures before an address waits
HSTS = "max-age=31536000"  # HSTS_SECONDS' default


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def cookies(self) -> SimpleCookie:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return jar


@dataclass(frozen=True)
class Servers:
    direct: ServerHandle
    proxied: ServerHandle
    database: Path


def send(server: ServerHandle, method: str, path: str, *, headers: dict[str, str], body: object = None) -> Answer:
    """One request from 127.0.0.1 with exactly ``headers`` (Host defaults to the public URL's)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    data = None if body is None else json.dumps(body).encode()
    sent = {"Host": PUBLIC_HOST, **({"Content-Type": "application/json"} if data is not None else {}), **headers}
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        conn.close()


def login(
    server: ServerHandle,
    username: str,
    password: str,
    *,
    headers: dict[str, str] | None = None,
    origin: str | None = PUBLIC_URL,
) -> Answer:
    """A login as the dashboard's page does it: a CSRF token first, then the POST, both with ``headers``.

    Args:
        server: Where to.
        username: As typed.
        password: As typed.
        headers: Sent with both requests (a proxy's, or forged ones).
        origin: The POST's ``Origin`` (a browser sends the page's); ``None``: none, as a program.
    """
    headers = headers or {}
    got = send(server, "GET", "/api/v1/auth/csrf", headers=headers)
    assert got.status == 200, got.body
    extra = {"X-CSRFToken": got.json()["csrf_token"], "Cookie": f"csrftoken={got.cookies()['csrftoken'].value}"}
    if origin is not None:
        extra["Origin"] = origin
    body = {"username": username, "password": password}
    return send(server, "POST", "/api/v1/auth/login", headers={**headers, **extra}, body=body)


def via_proxy(client: str, *, written_by_client: str = "", proto: str = "https") -> dict[str, str]:
    """The headers a reverse proxy sends for ``client`` (after whatever the client wrote itself)."""
    chain = f"{written_by_client}, {client}" if written_by_client else client
    return {"X-Forwarded-For": chain, "X-Forwarded-Proto": proto}


def address_failures(database: Path) -> dict[str, int]:
    """The failed-login tally of each address key (``addr:...``)."""
    with sqlite3.connect(database) as conn:
        rows = conn.execute("SELECT key, failures FROM accounts_loginthrottle WHERE key LIKE 'addr:%'").fetchall()
    return {key: failures for key, failures in rows if failures}


def guesses(count: int) -> list[str]:
    """User names that do not exist: each account is tried once, so only the address limit can bite."""
    return [f"guess-{uuid.uuid4().hex[:8]}" for _ in range(count)]


@pytest.fixture(scope="module")
def prepared_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    database = tmp_path_factory.mktemp("proxy-db") / "app.sqlite3"
    prepare(f"sqlite:///{database}")
    return database


@pytest.fixture(scope="module", params=SERVERS_UNDER_TEST)
def servers(
    prepared_database: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Servers]:
    workdir = tmp_path_factory.mktemp(f"proxy-{request.param}")
    env = {"DATABASE_URL": f"sqlite:///{prepared_database}", "DJANGO_SECRET_KEY": SECRET_KEY, "PUBLIC_URLS": PUBLIC_URL}
    started: list[ServerHandle] = []
    try:
        for name, trusted in (("direct", "192.0.2.10"), ("proxied", "127.0.0.1")):
            started.append(
                start_asgi(
                    workdir,
                    server=request.param,
                    name=f"{request.param}-{name}",
                    store_url=f"sqlite:///{workdir / 'store.sqlite3'}",
                    layer="memory",
                    extra_env={**env, "TRUSTED_PROXIES": trusted},
                )
            )
        yield Servers(direct=started[0], proxied=started[1], database=prepared_database)
    finally:
        for handle in started:
            handle.stop()


@pytest.fixture(autouse=True)
def no_failed_logins(prepared_database: Path) -> None:
    with sqlite3.connect(prepared_database) as conn:
        conn.execute("DELETE FROM accounts_loginthrottle")


def test_brute_force_with_forged_x_forwarded_for_is_throttled_by_the_real_peer(servers: Servers) -> None:
    statuses = [
        login(
            servers.direct,
            name,
            "x-password-guess",
            headers=via_proxy(f"203.0.113.{n}", written_by_client=f"198.51.100.{n}"),
        ).status
        for n, name in enumerate(guesses(ADDRESS_FREE_FAILURES))
    ]
    assert statuses == [401] * ADDRESS_FREE_FAILURES
    assert address_failures(servers.database) == {"addr:127.0.0.1": ADDRESS_FREE_FAILURES}

    fresh_forgery = via_proxy("203.0.113.250", written_by_client="198.51.100.250")
    throttled = login(servers.direct, "ada", USERS["ada"][1], headers=fresh_forgery)
    assert throttled.status == 429
    assert throttled.json()["error"]["field"] == "address"


def test_through_a_trusted_proxy_each_client_address_is_throttled_on_its_own(servers: Servers) -> None:
    attacker, bystander = "203.0.113.10", "203.0.113.20"
    statuses = [
        login(servers.proxied, name, "x-password-guess", headers=via_proxy(attacker)).status
        for name in guesses(ADDRESS_FREE_FAILURES)
    ]
    assert statuses == [401] * ADDRESS_FREE_FAILURES
    assert address_failures(servers.database) == {f"addr:{attacker}": ADDRESS_FREE_FAILURES}

    assert login(servers.proxied, "ada", USERS["ada"][1], headers=via_proxy(attacker)).status == 429
    # Writing the bystander's address on the left does not make the attacker the bystander.
    borrowed = via_proxy(attacker, written_by_client=bystander)
    assert login(servers.proxied, "ada", USERS["ada"][1], headers=borrowed).status == 429
    # The bystander behind the same proxy still signs in.
    assert login(servers.proxied, "ada", USERS["ada"][1], headers=via_proxy(bystander)).status == 200


def test_x_forwarded_proto_from_a_trusted_proxy_makes_the_request_https(servers: Servers) -> None:
    secure = send(servers.proxied, "GET", "/api/v1/health", headers=via_proxy("203.0.113.9"))
    plain = send(servers.proxied, "GET", "/api/v1/health", headers=via_proxy("203.0.113.9", proto="http"))

    assert secure.headers["Strict-Transport-Security"] == HSTS
    assert plain.headers["Strict-Transport-Security"] is None
    # An https request without Origin must name a same-origin Referer (Django's CSRF rule for https).
    refused = login(servers.proxied, "ada", USERS["ada"][1], headers=via_proxy("203.0.113.9"), origin=None)
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert "Referer" in refused.json()["error"]["message"]


def test_x_forwarded_proto_from_an_untrusted_peer_is_not_https(servers: Servers) -> None:
    forged = via_proxy("203.0.113.9")

    answer = send(servers.direct, "GET", "/api/v1/health", headers=forged)
    assert answer.status == 200
    assert answer.headers["Strict-Transport-Security"] is None
    # Plain http: Django's https-only Referer rule does not apply, the password is checked.
    assert login(servers.direct, "ada", USERS["ada"][1], headers=forged, origin=None).status == 200


def test_the_cookies_of_an_https_deployment_are_secure_http_only_and_same_site_lax(servers: Servers) -> None:
    answer = login(servers.proxied, "ada", USERS["ada"][1], headers=via_proxy("203.0.113.9"))
    assert answer.status == 200, answer.body

    session = answer.cookies()["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    csrf = answer.cookies()["csrftoken"]  # rotated by the login
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


@pytest.mark.parametrize("server", ["direct", "proxied"])
def test_x_forwarded_host_is_never_believed(servers: Servers, server: str) -> None:
    handle = getattr(servers, server)
    rebinding = send(handle, "GET", "/api/v1/health", headers={"Host": "evil.example", "X-Forwarded-Host": PUBLIC_HOST})
    assert rebinding.status == 400

    # Were X-Forwarded-Host believed, the foreign origin would pass Django's same-origin check.
    forged = {"X-Forwarded-Host": "evil.example", **via_proxy("203.0.113.9", proto="http")}
    answer = login(handle, "ada", USERS["ada"][1], headers=forged, origin="http://evil.example")
    assert answer.status == 403
    assert answer.json()["error"]["code"] == "csrf_failed"


# --- the documented reverse proxies, for real ---------------------------------------------------

DEPLOY_DOC = REPO_ROOT / "docs" / "deploy.md"
CLIENT_ADDRESS = "127.0.0.2"  # a loopback address that is not the trusted proxy's 127.0.0.1


@dataclass(frozen=True)
class ProxiedStack:
    """A documented reverse proxy on 127.0.0.1 in front of a server that trusts 127.0.0.1."""

    https_port: int
    http_port: int
    certificates: Certificates
    database: Path


def doc_block(language: str) -> str:
    """The one ```` ```language ```` block of docs/deploy.md."""
    blocks = re.findall(rf"^```{language}\n(.*?)^```$", DEPLOY_DOC.read_text(), flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1, f"docs/deploy.md should have one {language} block"
    return str(blocks[0])


def substituted(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"docs/deploy.md's example no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def nginx_process(
    workdir: Path, *, http_port: int, https_port: int, upstream: int, cert: Certificates
) -> ManagedProcess:
    site = substituted(
        doc_block("nginx"),
        {
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl;": f"listen 127.0.0.1:{https_port} ssl;",
            "/etc/letsencrypt/live/pi.example.net/fullchain.pem": str(cert.cert_file),
            "/etc/letsencrypt/live/pi.example.net/privkey.pem": str(cert.key_file),
            "127.0.0.1:8000": f"127.0.0.1:{upstream}",
        },
    )
    temp = "".join(
        f"{kind}_temp_path {workdir / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    config = workdir / "nginx.conf"
    config.write_text(
        f"daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\nerror_log stderr;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp}{site}\n}}\n"
    )
    nginx = find_binary("nginx", package="nginx", fallbacks=("/usr/sbin/nginx",))
    argv = [nginx, "-e", "stderr", "-p", str(workdir), "-c", str(config)]
    return ManagedProcess("nginx", argv, workdir=workdir, host=LOOPBACK, port=https_port)


def caddy_process(
    workdir: Path, *, http_port: int, https_port: int, upstream: int, cert: Certificates
) -> ManagedProcess:
    site = substituted(
        doc_block("caddyfile"),
        {
            "pi.example.net {": f"pi.example.net {{\n\ttls {cert.cert_file} {cert.key_file}",
            "127.0.0.1:8000": f"127.0.0.1:{upstream}",
        },
    )
    options = (
        f"{{\n\tadmin off\n\thttp_port {http_port}\n\thttps_port {https_port}\n\tdefault_bind 127.0.0.1\n"
        f"\tskip_install_trust\n\tstorage file_system {workdir / 'caddy-data'}\n}}\n\n"
    )
    config = workdir / "Caddyfile"
    config.write_text(options + site)
    caddy = find_binary("caddy", package="caddy")
    env = {**os.environ, "HOME": str(workdir), "XDG_DATA_HOME": str(workdir), "XDG_CONFIG_HOME": str(workdir)}
    argv = [caddy, "run", "--config", str(config), "--adapter", "caddyfile"]
    return ManagedProcess("caddy", argv, workdir=workdir, host=LOOPBACK, port=https_port, env=env)


PROXIES = {"caddy": caddy_process, "nginx": nginx_process}


@pytest.fixture(scope="module", params=sorted(PROXIES))
def proxied_stack(
    prepared_database: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[ProxiedStack]:
    workdir = tmp_path_factory.mktemp(f"behind-{request.param}")
    certificates = make_certificates(workdir, hosts=(PUBLIC_HOST,))
    server = start_asgi(
        workdir,
        server=CONFIGURED_ASGI_SERVER,
        store_url=f"sqlite:///{workdir / 'store.sqlite3'}",
        layer="memory",
        extra_env={
            "DATABASE_URL": f"sqlite:///{prepared_database}",
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "PUBLIC_URLS": PUBLIC_URL,
            "TRUSTED_PROXIES": "127.0.0.1",
        },
    )
    try:
        http_port, https_port = free_port(), free_port()
        proxy = PROXIES[request.param](
            workdir, http_port=http_port, https_port=https_port, upstream=server.port, cert=certificates
        ).start()
        try:
            yield ProxiedStack(https_port, http_port, certificates, prepared_database)
        finally:
            proxy.stop()
    finally:
        server.stop()


def client_socket(port: int) -> socket.socket:
    """A TCP connection to the proxy from :data:`CLIENT_ADDRESS`."""
    return socket.create_connection((LOOPBACK, port), timeout=15, source_address=(CLIENT_ADDRESS, 0))


def over_https(stack: ProxiedStack, method: str, path: str, *, headers: dict[str, str], body: object = None) -> Answer:
    """One request to ``https://pi.example.net`` (the proxy), from :data:`CLIENT_ADDRESS`."""
    context = ssl.create_default_context(cafile=str(stack.certificates.ca_file))
    conn = http.client.HTTPSConnection(PUBLIC_HOST, stack.https_port, context=context, timeout=15)
    conn.sock = context.wrap_socket(client_socket(stack.https_port), server_hostname=PUBLIC_HOST)
    data = None if body is None else json.dumps(body).encode()
    sent = {"Host": PUBLIC_HOST, **({"Content-Type": "application/json"} if data is not None else {}), **headers}
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        conn.close()


def login_over_https(stack: ProxiedStack, username: str, password: str, *, headers: dict[str, str]) -> Answer:
    got = over_https(stack, "GET", "/api/v1/auth/csrf", headers=headers)
    assert got.status == 200, got.body
    csrf = {
        "X-CSRFToken": got.json()["csrf_token"],
        "Cookie": f"csrftoken={got.cookies()['csrftoken'].value}",
        "Origin": PUBLIC_URL,
    }
    body = {"username": username, "password": password}
    return over_https(stack, "POST", "/api/v1/auth/login", headers={**headers, **csrf}, body=body)


def test_behind_the_documented_proxy_the_server_sees_https_and_the_clients_own_address(
    proxied_stack: ProxiedStack,
) -> None:
    forged = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "http"}

    health = over_https(proxied_stack, "GET", "/api/v1/health", headers=forged)
    assert health.status == 200
    assert health.headers["Strict-Transport-Security"] == HSTS
    assert health.headers["X-Content-Type-Options"] == "nosniff"
    assert health.headers["X-Frame-Options"] == "DENY"
    assert health.headers["Referrer-Policy"] == "same-origin"

    assert login_over_https(proxied_stack, "ada", "x-password-guess", headers=forged).status == 401
    assert address_failures(proxied_stack.database) == {f"addr:{CLIENT_ADDRESS}": 1}

    signed_in = login_over_https(proxied_stack, "ada", USERS["ada"][1], headers=forged)
    assert signed_in.status == 200, signed_in.body
    assert signed_in.cookies()["sessionid"]["secure"] is True


def test_the_live_websocket_passes_through_the_documented_proxy(proxied_stack: ProxiedStack) -> None:
    signed_in = login_over_https(proxied_stack, "vera", USERS["vera"][1], headers={})
    assert signed_in.status == 200, signed_in.body
    session = signed_in.cookies()["sessionid"].value
    context = ssl.create_default_context(cafile=str(proxied_stack.certificates.ca_file))

    with connect(
        f"wss://{PUBLIC_HOST}/ws/live/",
        sock=client_socket(proxied_stack.https_port),
        ssl=context,
        origin=Origin(PUBLIC_URL),
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=10,
    ) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "hello"


def test_plain_http_to_the_documented_proxy_is_redirected_to_https(proxied_stack: ProxiedStack) -> None:
    conn = http.client.HTTPConnection(LOOPBACK, proxied_stack.http_port, timeout=15)
    try:
        conn.request("GET", "/api/v1/health", headers={"Host": PUBLIC_HOST})
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()

    assert response.status in (301, 308)
    assert response.headers["Location"].startswith(f"https://{PUBLIC_HOST}")
    assert response.headers["Location"].endswith("/api/v1/health")
