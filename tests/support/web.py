"""A blocking HTTP client for the accounts tests: keeps cookies like a browser, never raises on a 4xx.

``login`` does what a browser does: ``GET /api/v1/auth/csrf`` (which sets the ``csrftoken``
cookie), then ``POST /api/v1/auth/login`` with the token in ``X-CSRFToken``.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import Message
from typing import Any

from websockets.sync.client import ClientConnection, connect

TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Answer:
    """One HTTP answer."""

    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)

    @property
    def error(self) -> dict[str, str]:
        """The contract's error detail of a refusal (``{"code", "field", "message"}``)."""
        detail = self.json()["error"]
        assert isinstance(detail, dict)
        return detail


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is an answer to look at, not to follow


class WebClient:
    """A client of one server with its own cookie jar."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, method: str, path: str, *, body: object = None, headers: dict[str, str] | None = None) -> Answer:
        """Send one request; ``body`` is JSON-encoded unless it is bytes."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers={**sent, **(headers or {})}
        )
        try:
            with self._opener.open(request, timeout=TIMEOUT_S) as response:
                return Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.headers, exc.read())

    def cookie(self, name: str) -> http.cookiejar.Cookie | None:
        """The cookie called ``name``, if the server set it."""
        return next((c for c in self.cookies if c.name == name), None)

    def csrf_token(self) -> str:
        """A CSRF token for the ``X-CSRFToken`` header (and the cookie that goes with it)."""
        answer = self.request("GET", "/api/v1/auth/csrf")
        assert answer.status == 200, answer.body
        token = answer.json()["csrf_token"]
        assert isinstance(token, str)
        return token

    def post(
        self, path: str, body: object = None, *, csrf: bool = True, headers: dict[str, str] | None = None
    ) -> Answer:
        """POST with the CSRF header a browser's page would add (unless ``csrf`` is false)."""
        extra = {"X-CSRFToken": self.csrf_token()} if csrf else {}
        return self.request("POST", path, body=body, headers={**extra, **(headers or {})})

    def delete(self, path: str, *, csrf: bool = True, headers: dict[str, str] | None = None) -> Answer:
        """DELETE with the CSRF header (unless ``csrf`` is false)."""
        extra = {"X-CSRFToken": self.csrf_token()} if csrf else {}
        return self.request("DELETE", path, headers={**extra, **(headers or {})})

    def login(self, username: str, password: str) -> Answer:
        """Log in as a browser does."""
        return self.post("/api/v1/auth/login", {"username": username, "password": password})

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> Answer:
        """GET."""
        return self.request("GET", path, headers=headers)


def bearer(token: str) -> dict[str, str]:
    """The header a script sends its API token in."""
    return {"Authorization": f"Bearer {token}"}


def get_with_host(port: int, path: str, *, host: str) -> tuple[int, bytes]:
    """GET ``path`` from 127.0.0.1:``port`` naming ``host`` in the Host header: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def websocket_with_host(port: int, *, host: str, origin: str | None) -> Iterator[ClientConnection]:
    """A WebSocket to 127.0.0.1:``port``/ws/live/ whose handshake names ``host`` and ``origin`` (none: no header)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    with connect(f"ws://{host}/ws/live/", sock=sock, origin=origin, open_timeout=5) as ws:  # type: ignore[arg-type]
        yield ws
