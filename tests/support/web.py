"""A blocking HTTP client for the integration tests: keeps cookies like a browser, never raises on a 4xx.

Two ways to be signed in, as in production: ``login`` does what a browser does
(``GET /api/v1/auth/csrf``, which sets the ``csrftoken`` cookie, then
``POST /api/v1/auth/login`` with the token in ``X-CSRFToken``); a client made with an API
``token`` sends ``Authorization: Bearer <token>`` as a script does. ``live`` opens
``/ws/live/`` with a fresh single-use ticket (or, ``via="session"``, with the session cookie
as a browser's page does).
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
from typing import Any, Literal

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
    """A client of one server with its own cookie jar, and an API token if given one."""

    def __init__(self, base_url: str, *, token: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.cookies = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, method: str, path: str, *, body: object = None, headers: dict[str, str] | None = None) -> Answer:
        """Send one request; ``body`` is JSON-encoded unless it is bytes; the token unless ``headers`` has one."""
        data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        if self.token is not None:
            sent.update(bearer(self.token))
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

    def get_json(self, path: str) -> tuple[int, Any]:
        """GET a JSON endpoint: (status, body), also for refusals."""
        answer = self.get(path)
        return answer.status, answer.json()

    def ticket(self) -> str:
        """A fresh single-use ``/ws/live/`` ticket (``POST /api/v1/auth/ticket``, with the token or the session)."""
        answer = self.post("/api/v1/auth/ticket", csrf=self.token is None)
        assert answer.status == 201, answer.body
        ticket = answer.json()["ticket"]
        assert isinstance(ticket, str)
        return ticket

    def session_cookie(self) -> str:
        """The ``Cookie`` header a browser's page sends with a same-origin WebSocket after logging in."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)

    @contextmanager
    def live(
        self, *, via: Literal["ticket", "session"] = "ticket", origin: str | None = None, max_size: int | None = 2**20
    ) -> Iterator[ClientConnection]:
        """``/ws/live/`` signed in with a fresh ticket, or with the session cookie; the page's own origin by default."""
        url = "ws" + self.base_url.removeprefix("http") + "/ws/live/"
        headers = {}
        if via == "ticket":
            url += f"?ticket={self.ticket()}"
        else:
            headers["Cookie"] = self.session_cookie()
        with connect(
            url,
            origin=origin or self.base_url,  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=5,
            max_size=max_size,
        ) as ws:
            yield ws


def bearer(token: str) -> dict[str, str]:
    """The header a script sends its API token in."""
    return {"Authorization": f"Bearer {token}"}


def get_with_host(port: int, path: str, *, host: str, token: str | None = None) -> tuple[int, bytes]:
    """GET ``path`` from 127.0.0.1:``port`` naming ``host`` in the Host header, with API ``token``: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path, headers={"Host": host, **(bearer(token) if token else {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextmanager
def websocket_with_host(
    port: int, *, host: str, origin: str | None, ticket: str | None = None
) -> Iterator[ClientConnection]:
    """A WebSocket to 127.0.0.1:``port``/ws/live/ whose handshake names ``host`` and ``origin`` (none: no header).

    ``ticket`` signs it in (without one the server closes it with 4401 once the handshake passed).
    """
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    url = f"ws://{host}/ws/live/" + (f"?ticket={ticket}" if ticket else "")
    with connect(url, sock=sock, origin=origin, open_timeout=5) as ws:  # type: ignore[arg-type]
        yield ws
