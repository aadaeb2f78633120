"""A browser that stops reading costs the server bounded memory, and the other browsers lose nothing.

Everything real, once per server in ``SERVERS_UNDER_TEST`` (uvicorn and daphne): a paced
publisher sends full Sense HAT readings through Mosquitto and the bridge; the ASGI server
streams them to one client that reads everything and to a few clients that completed the
WebSocket handshake, subscribed, and then never read again (raw sockets with a small
receive buffer, so the kernel's buffers fill within the first frames and every later byte
would have to wait in the server's memory).

While many megabytes of frames are offered to the stuck clients, the server's RSS stays
within :data:`RSS_GROWTH_BOUND` of what it was after the warm-up, and the reading client
gets every reading, in order, without gaps, and without falling behind the bridge.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import socket
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as paho
import pytest
from paho.mqtt.client import MQTTv5
from paho.mqtt.enums import CallbackAPIVersion
from websockets.sync.client import ClientConnection

from contract import CHANNELS
from contract.broker import parse_mqtt_url
from contract.codec import encode_reading
from contract.models import Reading
from contract.topics import Kind, topic
from devstack import ServerHandle
from tests.integration.stack import Stack

pytestmark = pytest.mark.integration

READINGS_PER_S = 3_000  # ~1.3 MB/s of frames per client: every reading carries all 16 channels
CHUNK_READINGS = 30  # published together every 10 ms
FLOOD_S = 6.0
WARMUP_READINGS = READINGS_PER_S  # one second: allocations that stay, kernel buffers filling
STUCK_CLIENTS = 10
STUCK_RECEIVE_BUFFER = 4096  # bytes; the kernel doubles it and stops autotuning it
RSS_GROWTH_BOUND = 16 * 2**20  # measured: 1-2 MiB bounded; unbounded grows by what is offered
MIN_OFFERED = 3 * RSS_GROWTH_BOUND  # less would prove nothing: the load itself is checked
MAX_READER_LAG_S = 2.0  # bridge received -> frame at the reading client, worst frame
DEADLINE_S = 40.0


def rss_bytes(pid: int) -> int:
    """Resident set size of process ``pid``."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def subscribe_text(device: str) -> str:
    return json.dumps({"type": "subscribe", "devices": [device]})


def masked_text_frame(text: str) -> bytes:
    """A client-to-server WebSocket text frame (clients must mask, RFC 6455 section 5.3)."""
    payload = text.encode()
    header = bytes([0x81])
    if len(payload) < 126:
        header += bytes([0x80 | len(payload)])
    else:
        header += bytes([0x80 | 126]) + len(payload).to_bytes(2, "big")
    mask = os.urandom(4)
    return header + mask + bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))


class StuckClient:
    """Completes the handshake, subscribes to ``device``, waits for the answer, never reads again."""

    def __init__(self, port: int, device: str, ticket: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STUCK_RECEIVE_BUFFER)
        self.sock.settimeout(5.0)
        self.sock.connect(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET /ws/live/?ticket={ticket} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: http://127.0.0.1:{port}\r\n\r\n"
            ).encode()
        )
        answer = self._read_until(b"\r\n\r\n", b"")
        assert answer.startswith(b"HTTP/1.1 101"), answer[:200]
        self.sock.sendall(masked_text_frame(subscribe_text(device)))
        self._read_until(b'"subscribed"', answer.partition(b"\r\n\r\n")[2])

    def _read_until(self, marker: bytes, received: bytes) -> bytes:
        while marker not in received:
            chunk = self.sock.recv(4096)
            assert chunk, f"connection closed before {marker!r}"
            received += chunk
        return received

    def close(self) -> None:
        self.sock.close()


def full_reading(device: str, seq: int, now_ms: int) -> Reading:
    """A reading with every channel, each value a long float (the largest honest frame row)."""
    values = {c.name: c.minimum + (c.maximum - c.minimum) * (0.3 + (seq % 997) / 2500.123) for c in CHANNELS}
    return Reading(device=device, boot="boot1", seq=seq, ts_ms=now_ms - 2000, values=values)


@dataclass
class Flood:
    """Paced single readings (only those stream live), encoded before the clock starts."""

    device: str
    payloads: list[bytes] = field(default_factory=list)

    @property
    def readings(self) -> int:
        return len(self.payloads)

    def prepare(self) -> None:
        now_ms = time.time_ns() // 1_000_000
        total = int(READINGS_PER_S * FLOOD_S) // CHUNK_READINGS * CHUNK_READINGS
        self.payloads = [encode_reading(full_reading(self.device, seq, now_ms)) for seq in range(total)]

    def publish(self, mqtt_url: str) -> None:
        """Publish every reading at QoS 1, CHUNK_READINGS at a time, without waiting for each PUBACK."""
        address = parse_mqtt_url(mqtt_url)
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"flood-{self.device}", protocol=MQTTv5)
        if address.username is not None:
            client.username_pw_set(address.username, address.password)
        client.connect(address.host, address.port)
        client.loop_start()
        try:
            where = topic(self.device, Kind.READING)
            interval = CHUNK_READINGS / READINGS_PER_S
            start = time.monotonic()
            last = None
            for n in range(0, len(self.payloads), CHUNK_READINGS):
                pause = start + n / CHUNK_READINGS * interval - time.monotonic()
                if pause > 0:
                    time.sleep(pause)  # pacing the publisher, not waiting for a condition
                for payload in self.payloads[n : n + CHUNK_READINGS]:
                    last = client.publish(where, payload, qos=1)
            assert last is not None
            last.wait_for_publish(timeout=DEADLINE_S)
        finally:
            client.disconnect()
            client.loop_stop()


@dataclass
class Watch:
    """What the reading client saw and what the server's memory did meanwhile."""

    seqs: list[tuple[int, int]] = field(default_factory=list)
    lag_s: float = 0.0
    baseline_rss: int = 0
    peak_rss: int = 0
    offered_bytes: int = 0  # frame bytes each stuck client was offered after the warm-up


def subscribed(ws: ClientConnection, device: str) -> ClientConnection:
    """``ws`` once the server confirmed its subscription to ``device``."""
    ws.send(subscribe_text(device))
    while b'"subscribed"' not in (ws.recv(timeout=5.0, decode=False)):
        pass
    return ws


def watch(ws: ClientConnection, flood: Flood, publishing: Future[None], pid: int) -> Watch:
    """Read every frame of the flood on ``ws``, measuring the reader's lag and the server's RSS after the warm-up."""
    seen = Watch()
    received = 0
    deadline = time.monotonic() + DEADLINE_S
    while received < flood.readings:
        try:
            text = ws.recv(timeout=max(deadline - time.monotonic(), 0.0), decode=False)
        except TimeoutError:
            if publishing.done():
                publishing.result()  # the publisher's own failure, if that is why
            raise AssertionError(f"the reading client got only {received} of {flood.readings} readings") from None
        arrived_ms = time.time() * 1000
        message = json.loads(text)
        if message["type"] != "frame":
            continue
        first, last = message["seq"]
        seen.seqs.append((first, last))
        received += last - first + 1
        # From the bridge on: a starved bridge (a busy machine) delays the frame before this clock starts.
        seen.lag_s = max(seen.lag_s, (arrived_ms - message["readings"][-1]["received_ts"]) / 1000)
        if seen.baseline_rss:
            seen.offered_bytes += len(text)
            seen.peak_rss = max(seen.peak_rss, rss_bytes(pid))
        elif received >= WARMUP_READINGS:
            seen.baseline_rss = seen.peak_rss = rss_bytes(pid)
    publishing.result(timeout=DEADLINE_S)
    seen.peak_rss = max(seen.peak_rss, rss_bytes(pid))
    return seen


def test_a_client_that_stops_reading_costs_bounded_memory_and_the_others_get_every_frame(
    stack: Stack, mosquitto_session: ServerHandle, unique_id: str
) -> None:
    flood = Flood(unique_id)
    flood.prepare()
    pid = stack.server.pid
    assert pid is not None
    # Every client signs in and subscribes before the first reading is published.
    with ExitStack() as stuck, ThreadPoolExecutor(1) as pool, stack.client().live(max_size=None) as reader:
        subscribed(reader, flood.device)
        for _ in range(STUCK_CLIENTS):
            stuck.enter_context(closing(StuckClient(stack.http_port, flood.device, stack.client().ticket())))
        publishing = pool.submit(flood.publish, mosquitto_session.url)
        seen = watch(reader, flood, publishing, pid)

    assert seen.seqs[0][0] == 0
    gaps = [(before, after) for (_, before), (after, _) in itertools.pairwise(seen.seqs) if after != before + 1]
    assert not gaps, f"the reading client missed readings between these seqs: {gaps[:5]}"
    assert seen.seqs[-1][1] == flood.readings - 1
    assert seen.lag_s < MAX_READER_LAG_S, f"the reading client fell {seen.lag_s:.1f} s behind the bridge"
    offered = seen.offered_bytes * STUCK_CLIENTS
    assert offered >= MIN_OFFERED, f"only {offered / 2**20:.0f} MiB offered to the stuck clients: too little load"
    growth = seen.peak_rss - seen.baseline_rss
    assert growth < RSS_GROWTH_BOUND, (
        f"server RSS grew {growth / 2**20:.1f} MiB while {offered / 2**20:.0f} MiB were offered to stuck clients"
    )
    slow = stack.server.log_path.read_text(errors="replace").count("slow live client")
    assert slow >= STUCK_CLIENTS, f"{slow} slow clients logged: the stuck ones were not kept to the newest frame"
