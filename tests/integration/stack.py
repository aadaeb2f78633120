"""The production-shaped stack as real processes, for tests: ``python -m bridge`` and an ASGI server
serving ``server.asgi``, wired to the fixtures' Mosquitto and Redis and sharing one store (an
SQLite file of the test's own, or the ``STORE_URL`` the test gives), started by :mod:`devstack.apps`.

The ASGI server is the one the ``ASGI_SERVER`` setting names (as in production), unless a
test asks for a given one: :data:`SERVERS_UNDER_TEST` is that one plus daphne, the design's
server, which stays tested whatever the default is. Also the WebSocket helpers the tests share.

The ASGI server runs on an application database of the stack's own, prepared by
:func:`devstack.appdb.app_database` (users vera / otto / ada, an API token each): the
stack's ``get_json`` reads as vera with her token, its ``websocket`` signs in with a fresh
ticket, and ``client(name)`` is a :class:`~tests.support.web.WebClient` of any of them."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

from devstack import ManagedProcess
from devstack.appdb import AppDatabase, app_database
from devstack.apps import start_asgi, start_bridge
from server.config import DEFAULT_ASGI_SERVER
from tests.support.web import WebClient

READER = "vera"  # the viewer: reading is all the stack's own helpers do

CONFIGURED_ASGI_SERVER = os.environ.get("ASGI_SERVER", "").strip() or DEFAULT_ASGI_SERVER
SERVERS_UNDER_TEST = sorted({CONFIGURED_ASGI_SERVER, "daphne"})


@dataclass
class Stack:
    """A running bridge and ASGI server.

    Attributes:
        bridge: The bridge process.
        server: The ASGI server process.
        http_port: The ASGI server's port.
        store_url: The store both use.
        store_path: The SQLite file, when the store is the stack's own SQLite file.
        database: The ASGI server's application database (users, their API tokens).
    """

    bridge: ManagedProcess
    server: ManagedProcess
    http_port: int
    store_url: str
    store_path: Path | None
    database: AppDatabase

    @property
    def base_url(self) -> str:
        """HTTP root of the ASGI server."""
        return f"http://127.0.0.1:{self.http_port}"

    def client(self, username: str = READER, *, token: bool = True) -> WebClient:
        """A client of the server signed in as ``username`` with its API token (``token``), or a stranger's.

        Without ``token``, call ``login(name, stack.database.password(name))`` to sign in as a browser.
        """
        return WebClient(self.base_url, token=self.database.tokens[username] if token else None)

    def get_json(self, path: str) -> tuple[int, Any]:
        """GET a JSON endpoint as the viewer; returns (status, body) also for 4xx answers."""
        return self.client().get_json(path)

    @contextmanager
    def websocket(self, *, origin: str | None = None) -> Iterator[ClientConnection]:
        """``/ws/live/`` signed in as the viewer with a fresh ticket, from the page's origin unless told otherwise."""
        with self.client().live(origin=origin) as ws:
            yield ws

    def unsigned_websocket(self, *, query: str = "", cookie: str | None = None) -> ClientConnection:
        """``/ws/live/`` opened with only ``query`` and ``cookie`` as credentials (the caller closes it)."""
        return connect(
            f"ws://127.0.0.1:{self.http_port}/ws/live/" + (f"?{query}" if query else ""),
            origin=self.base_url,  # type: ignore[arg-type]
            additional_headers={"Cookie": cookie} if cookie is not None else {},
            open_timeout=5,
        )


def receive_json(ws: ClientConnection, *, timeout: float = 5.0) -> dict[str, Any]:
    """The next WebSocket message, parsed."""
    message = json.loads(ws.recv(timeout=timeout))
    assert isinstance(message, dict)
    return message


def receive_until(
    ws: ClientConnection, match: Callable[[dict[str, Any]], bool], *, timeout: float = 10.0
) -> dict[str, Any]:
    """Skip messages until one matches; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("no matching WebSocket message in time")
        try:
            message = receive_json(ws, timeout=left)
        except TimeoutError:
            raise AssertionError("no matching WebSocket message in time") from None
        if match(message):
            return message


@contextmanager
def running_stack(
    workdir: Path,
    *,
    mqtt_url: str,
    redis_url: str,
    client_id: str,
    tick_ms: int = 20,
    asgi_server: str | None = None,
    store_url: str | None = None,
) -> Iterator[Stack]:
    """Start the bridge and the ASGI server (``ASGI_SERVER``'s unless given); stop both (by PID) afterwards.

    The application database is ``workdir/app.sqlite3`` (:func:`devstack.appdb.app_database`).
    The store is ``workdir/store.sqlite3`` unless ``store_url`` names another.
    """
    store_path = None if store_url else workdir / "store.sqlite3"
    url = store_url or f"sqlite:///{store_path}"
    database = app_database(workdir)
    bridge = start_bridge(
        workdir, mqtt_url=mqtt_url, store_url=url, redis_url=redis_url, client_id=client_id, tick_ms=tick_ms
    )
    try:
        server = start_asgi(
            workdir, server=asgi_server or CONFIGURED_ASGI_SERVER, store_url=url, redis_url=redis_url, database=database
        ).process
        try:
            assert server.port is not None
            yield Stack(
                bridge=bridge,
                server=server,
                http_port=server.port,
                store_url=url,
                store_path=store_path,
                database=database,
            )
        finally:
            server.stop()
    finally:
        bridge.stop()
