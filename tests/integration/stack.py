"""The production-shaped stack as real processes: ``python -m bridge`` and an ASGI server serving
``server.asgi``, wired to the fixtures' Mosquitto and Redis, sharing one SQLite store.

The ASGI server is the one the ``ASGI_SERVER`` setting names (as in production), unless a
test asks for a given one: :data:`SERVERS_UNDER_TEST` is that one plus daphne, the design's
server, which stays tested whatever the default is."""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from websockets.sync.client import ClientConnection, connect

from server.config import DEFAULT_ASGI_SERVER, asgi_server_args
from tests.support.processes import ManagedProcess, free_port

REPO = Path(__file__).resolve().parents[2]
CONFIGURED_ASGI_SERVER = os.environ.get("ASGI_SERVER", "").strip() or DEFAULT_ASGI_SERVER
SERVERS_UNDER_TEST = sorted({CONFIGURED_ASGI_SERVER, "daphne"})
T = TypeVar("T")


def wait_until(check: Callable[[], T | None], *, timeout: float = 10.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class Stack:
    """A running bridge and ASGI server."""

    bridge: ManagedProcess
    server: ManagedProcess
    http_port: int
    store_path: Path

    @property
    def base_url(self) -> str:
        """HTTP root of the ASGI server."""
        return f"http://127.0.0.1:{self.http_port}"

    def get_json(self, path: str) -> tuple[int, Any]:
        """GET a JSON endpoint; returns (status, body) also for 4xx answers."""
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    @contextmanager
    def websocket(self, *, origin: str | None = None) -> Iterator[ClientConnection]:
        """A WebSocket to ``/ws/live/`` sending the page's own origin unless told otherwise."""
        with connect(
            f"ws://127.0.0.1:{self.http_port}/ws/live/",
            origin=origin or self.base_url,  # type: ignore[arg-type]
            open_timeout=5,
        ) as ws:
            yield ws


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


def process_env(**extra: str) -> dict[str, str]:
    """This interpreter's environment with the repo importable and ``extra`` on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "BRIDGE_", "EDGE_"))}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


@contextmanager
def running_stack(
    workdir: Path, *, mqtt_url: str, redis_url: str, client_id: str, tick_ms: int = 20, asgi_server: str | None = None
) -> Iterator[Stack]:
    """Start the bridge and the ASGI server (``ASGI_SERVER``'s unless given); stop both (by PID) afterwards."""
    store_path = workdir / "store.sqlite3"
    common = {"STORE_URL": f"sqlite:///{store_path}", "CHANNEL_LAYER": "redis-pubsub", "REDIS_URL": redis_url}
    bridge = ManagedProcess(
        "bridge",
        [sys.executable, "-m", "bridge"],
        workdir=workdir,
        env=process_env(MQTT_URL=mqtt_url, BRIDGE_CLIENT_ID=client_id, BRIDGE_TICK_MS=str(tick_ms), **common),
    )
    http_port = free_port()
    server_name = asgi_server or CONFIGURED_ASGI_SERVER
    server = ManagedProcess(
        server_name,
        [sys.executable, "-m", *asgi_server_args(server_name, host="127.0.0.1", port=http_port)],
        workdir=workdir,
        host="127.0.0.1",
        port=http_port,
        env=process_env(
            DJANGO_SETTINGS_MODULE="server.settings",
            DJANGO_SECRET_KEY="integration-tests",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            **common,
        ),
        start_timeout=20.0,
    )
    try:
        bridge.start()
        wait_until(
            lambda: "bridge connected" in bridge.log_path.read_text(errors="replace"),
            timeout=15,
            what=f"the bridge to connect; log:\n{bridge.log_tail()}",
        )
        server.start()
        yield Stack(bridge=bridge, server=server, http_port=http_port, store_path=store_path)
    finally:
        server.stop()
        bridge.stop()
