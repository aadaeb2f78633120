"""Scale-out: two bridge workers on one shared subscription, two ASGI processes on one Redis layer.

Every reading must be stored exactly once (the bridges' own counts and the store) and
reach every WebSocket client exactly once, whichever ASGI process it is connected to;
both workers must take part. Everything real, on free ports; each client signs in with a
ticket from the ASGI process it connects to (both share one application database).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from contract.codec import encode_reading
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import ManagedProcess, ServerHandle
from devstack.appdb import app_database, live_url, ticket_for
from devstack.apps import start_asgi, start_bridge, wait_bridge_connected
from tests.integration.stack import CONFIGURED_ASGI_SERVER, receive_json, receive_until
from tests.support.mqtt import MqttTestClient

pytestmark = pytest.mark.integration

READINGS_PER_DEVICE = 30
_STOPPED = re.compile(r"bridge stopped: received=(\d+) stored=(\d+) duplicates=(\d+)")


@pytest.fixture
def bridges_and_servers(
    mosquitto: ServerHandle, redis_server: ServerHandle, tmp_path: Path
) -> Iterator[tuple[list[ManagedProcess], list[int], Path, str]]:
    store = tmp_path / "store.sqlite3"
    common = {"store_url": f"sqlite:///{store}", "layer": "redis-pubsub", "redis_url": redis_server.url}
    database = app_database(tmp_path)  # one application database behind both ASGI processes
    with ExitStack() as stack:
        bridges = []
        for name in ("bridge1", "bridge2"):
            client_id = f"{name}-{time.monotonic_ns()}"
            bridge = start_bridge(
                tmp_path,
                name=name,
                mqtt_url=mosquitto.url,
                client_id=client_id,
                share_group="scaleout",
                wait=False,
                **common,
            )
            stack.callback(bridge.stop)
            bridges.append(bridge)
        ports = []
        for name in ("asgi1", "asgi2"):
            server = start_asgi(tmp_path, name=name, server=CONFIGURED_ASGI_SERVER, database=database, **common)
            stack.callback(server.stop)
            ports.append(server.port)
        for bridge in bridges:
            wait_bridge_connected(bridge, timeout=20)
        yield bridges, ports, store, database.tokens["vera"]


def subscribed_socket(sockets: ExitStack, port: int, devices: list[str], token: str) -> ClientConnection:
    """A live socket on ``port`` subscribed to ``devices``, closed with ``sockets``."""
    base_url = f"http://127.0.0.1:{port}"
    ticket = ticket_for(base_url, token)
    ws = sockets.enter_context(connect(live_url(base_url, ticket), origin=base_url, open_timeout=5))  # type: ignore[arg-type]
    assert receive_json(ws)["type"] == "hello"
    ws.send(f'{{"type": "subscribe", "devices": {devices!r}}}'.replace("'", '"'))
    receive_until(ws, lambda m: m["type"] == "subscribed")
    return ws


def test_every_reading_is_stored_once_and_reaches_every_client_once(
    bridges_and_servers: tuple[list[ManagedProcess], list[int], Path, str], mosquitto: ServerHandle, unique_id: str
) -> None:
    bridges, ports, _, token = bridges_and_servers
    devices = [f"{unique_id}-a", f"{unique_id}-b"]
    with ExitStack() as opened:
        sockets = [subscribed_socket(opened, port, devices, token) for port in ports for _ in range(2)]
        now = time.time_ns() // 1_000_000
        with MqttTestClient(mosquitto.url, client_id=f"dev-{unique_id}") as device:
            for seq in range(READINGS_PER_DEVICE):
                for d in devices:
                    reading = Reading(device=d, boot="b1", seq=seq, ts_ms=now - 1000 + seq, values={"humidity": 40.0})
                    device.publish(topic(d, Kind.READING), encode_reading(reading))

        expected = Counter({(d, seq): 1 for d in devices for seq in range(READINGS_PER_DEVICE)})
        for ws in sockets:
            got: Counter[tuple[str, int]] = Counter()
            while sum(got.values()) < len(expected):
                frame = receive_until(ws, lambda m: m["type"] == "frame")
                got.update((frame["device"], row["seq"]) for row in frame["readings"])
            assert got == expected  # every reading once: no gap, no duplicate, on both ASGI processes

    counts = []
    for bridge in bridges:
        bridge.stop()
        found = _STOPPED.findall(bridge.log_path.read_text(errors="replace"))
        assert found, f"{bridge.name} did not report its counts:\n{bridge.log_tail()}"
        counts.append(tuple(int(v) for v in found[-1]))
    # "received" also counts the retained statuses every worker gets; stored counts readings only.
    stored, duplicates = sum(c[1] for c in counts), sum(c[2] for c in counts)
    assert (stored, duplicates) == (len(expected), 0)
    assert all(c[1] > 0 for c in counts), f"one worker took all the load: {counts}"
