"""Host and Origin checked at the ASGI edge, before Django, WhiteNoise or a consumer sees a request.

:class:`HostPolicy` is the pure check; :class:`HostGuard` is the ASGI application that wraps
the whole server with it (``server/asgi.py``), in production and in the embedded mode alike.

* **Host** (every HTTP request and WebSocket handshake): it must match the allowed hosts
  (:mod:`server.hosts`) by Django's own rule (``django.http.request.validate_host``: exact,
  ``.example.net`` for a domain and its subdomains, ``*`` for anything), the port aside. A
  missing, repeated or malformed Host is refused too. This is what stops DNS rebinding.
* **Origin** (WebSocket handshakes only): accepted when it is one of the public origins
  exactly, or an ``http``/``https`` origin whose host is allowed and whose port (written, or
  the scheme's default) is the port the connection reached (the ASGI scope's ``server``).
  ``null``, other schemes, other ports and repeated Origins are refused. A handshake
  **without** an Origin is accepted: browsers always send one, so it comes from a program,
  which could send any Origin it liked (such clients will need a ticket, docs/security.md).

Refusals: an HTTP request gets ``400 Bad Request`` with a fixed plain-text body (never data,
never the refused value); a WebSocket handshake is closed before it is accepted, which both
uvicorn and daphne answer with ``HTTP 403`` (the client sees a failed handshake, not a close
code). Each refusal is logged once as a warning on ``sensebridge.access`` with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.http.request import split_domain_port, validate_host

from server.hosts import DEFAULT_PORTS, host_entry, public_origins, url_origin

log = logging.getLogger("sensebridge.access")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BAD_HOST_BODY = b"Bad Request (400): this server does not answer to that Host name.\n"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request is refused.

    Attributes:
        header: ``Host`` or ``Origin``.
        value: The header's value as received (``None``: absent).
        reason: Why it is not accepted.
    """

    header: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        """``Host 'evil.example' refused: not an allowed host``."""
        shown = "(none)" if self.value is None else repr(self.value)
        return f"{self.header} {shown} refused: {self.reason}"


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """The allowed hosts and public origins, and the checks of one request against them.

    Attributes:
        allowed_hosts: Django's ``ALLOWED_HOSTS`` (:func:`server.hosts.allowed_hosts`).
        public_origins: Origins accepted whatever the port reached
            (:func:`server.hosts.public_origins`).
    """

    allowed_hosts: tuple[str, ...]
    public_origins: tuple[str, ...] = ()

    @classmethod
    def of(cls, *, allowed_hosts: tuple[str, ...], public_urls: tuple[str, ...]) -> HostPolicy:
        """The policy of a :class:`~server.config.ServerConfig`'s ``allowed_hosts`` and ``public_urls``."""
        return cls(allowed_hosts=allowed_hosts, public_origins=public_origins(public_urls))

    def check_host(self, hosts: list[str]) -> Refusal | None:
        """``None`` if the ``Host`` header (all its values, as received) is allowed, else why not."""
        if len(hosts) != 1:
            return Refusal("Host", ", ".join(hosts) or None, "exactly one Host header is required")
        domain, _ = split_domain_port(hosts[0])
        if not domain:
            return Refusal("Host", hosts[0], "not a host name")
        if not validate_host(domain, self.allowed_hosts):
            return Refusal("Host", hosts[0], "not an allowed host")
        return None

    def check_origin(self, origins: list[str], *, served_port: int | None) -> Refusal | None:
        """``None`` if a WebSocket handshake's ``Origin`` header (all its values) is accepted, else why not.

        Args:
            origins: The header's values as received; none: accepted (a program, not a page).
            served_port: The port the connection reached; ``None`` (a Unix socket): only the
                public origins are accepted.
        """
        if not origins:
            return None
        reason = self._origin_problem(origins, served_port)
        return None if reason is None else Refusal("Origin", ", ".join(origins), reason)

    def _origin_problem(self, origins: list[str], served_port: int | None) -> str | None:
        if len(origins) > 1:
            return "more than one Origin header"
        web = _web_origin(origins[0])
        if web is None:
            return "not an http(s) origin"
        if url_origin(origins[0]) in self.public_origins:
            return None
        host, port = web
        if not validate_host(host, self.allowed_hosts):
            return "its host is not an allowed host"
        if port != served_port:
            return f"not the port this server was reached on ({served_port})"
        return None


def _web_origin(origin: str) -> tuple[str, int] | None:
    """The host (an allowed-hosts entry) and port of an ``http(s)://host[:port]`` origin, else ``None``."""
    try:
        parts = urlsplit(origin)
        scheme, hostname, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:  # a port that is no number, a broken IPv6 literal
        return None
    if scheme not in DEFAULT_PORTS or not hostname or parts.path or parts.query or parts.fragment or parts.username:
        return None
    return host_entry(hostname), port or DEFAULT_PORTS[scheme]


class HostGuard:
    """ASGI application: passes on what :class:`HostPolicy` accepts, refuses the rest (module docstring)."""

    def __init__(self, app: ASGIApp, policy: HostPolicy) -> None:
        """Guard ``app`` with ``policy``."""
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check an ``http`` or ``websocket`` connection; pass anything else (``lifespan``) on."""
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refusal = self.policy.check_host(_header(scope, b"host"))
        if refusal is None and kind == "websocket":
            server = scope.get("server")
            served_port = server[1] if server else None
            refusal = self.policy.check_origin(_header(scope, b"origin"), served_port=served_port)
        if refusal is None:
            await self.app(scope, receive, send)
            return
        log.warning("%s %s: %s", kind, scope.get("path", ""), refusal)
        if kind == "http":
            await _bad_request(send)
        else:
            await _deny_handshake(receive, send)


def _header(scope: Scope, name: bytes) -> list[str]:
    return [value.decode("latin-1") for key, value in scope.get("headers", ()) if key.lower() == name]


async def _bad_request(send: Send) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(BAD_HOST_BODY)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": BAD_HOST_BODY})


async def _deny_handshake(receive: Receive, send: Send) -> None:
    # A close before the accept is how ASGI refuses a handshake: the server answers HTTP 403.
    if (await receive())["type"] == "websocket.connect":
        await send({"type": "websocket.close"})
