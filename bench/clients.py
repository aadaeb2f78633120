"""``python -m bench.clients``: a swarm of lean WebSocket subscribers that time what they receive.

Modes:

* ``channels`` -- browser-like clients of the ASGI server's ``/ws/live/``: subscribe to
  devices, receive frames;
* ``mqtt-ws`` -- the same subscribers reading Mosquitto directly over MQTT-over-WebSockets
  (MQTT 3.1.1, QoS 0): the floor any design can reach;
* ``idle`` -- connect and subscribe, then only answer pings (memory per connection).

Clients of the ASGI server sign in as a program does: each asks ``POST /api/v1/auth/ticket``
with the API token of ``--token-file`` for a single-use ticket just before it connects with
``/ws/live/?ticket=...`` (all before the ready file, so outside the measured part).

Every receipt is timed when its bytes reach the process (one clock read per socket read)
and compared with the reading's device timestamp; the publishers schedule each reading on
a whole millisecond, so that timestamp is the publish time. Sequence numbers are tracked
per client and device to count what was lost or duplicated. The program stops by itself
at ``--until`` (or on SIGTERM) and writes a JSON summary plus the latencies (float32 ms).
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import orjson

from bench.stats import SeqTracker
from bench.wire import (
    MQTT_PUBLISH,
    OP_BINARY,
    OP_CLOSE,
    OP_PING,
    OP_PONG,
    OP_TEXT,
    MqttReader,
    WsReader,
    mqtt_connect,
    mqtt_publish_parts,
    mqtt_subscribe,
    ws_frame,
    ws_handshake,
    ws_handshake_reply,
    ws_key,
)
from contract.broker import parse_mqtt_url
from contract.codec import parse_ts
from contract.topics import Kind, topic
from devstack.appdb import TICKET_PATH

CONNECT_CONCURRENCY = 50


@dataclass(slots=True)
class Recorder:
    """What every client of this process received."""

    per_reading: bool
    stamps: array.array[float] = field(default_factory=lambda: array.array("d"))
    latencies: array.array[float] = field(default_factory=lambda: array.array("f"))
    streams: dict[tuple[int, str], SeqTracker] = field(default_factory=dict)
    frames: int = 0
    readings: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)

    def tracker(self, client: int, device: str) -> SeqTracker:
        key = (client, device)
        tracker = self.streams.get(key)
        if tracker is None:
            tracker = self.streams[key] = SeqTracker()
        return tracker

    def sample(self, now_ms: float, ts_ms: float) -> None:
        self.stamps.append(ts_ms)
        self.latencies.append(now_ms - ts_ms)


class _Client(asyncio.Protocol):
    """One WebSocket connection; subclasses turn messages into receipts."""

    def __init__(self, index: int, recorder: Recorder, handshake: bytes, key: str) -> None:
        self.index = index
        self.recorder = recorder
        self.ready = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self._handshake = handshake
        self._key = key
        self._buffer = b""
        self._reader: WsReader | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.transport.write(self._handshake)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"client {self.index}: closed before ready ({exc})"))
        if not self.closed.done():
            self.closed.set_result(None)

    def send(self, payload: bytes, opcode: int) -> None:
        assert self.transport is not None
        self.transport.write(ws_frame(payload, opcode))

    def data_received(self, data: bytes) -> None:
        now_ms = time.time_ns() / 1e6
        self.recorder.bytes += len(data)
        if self._reader is None:
            self._buffer += data
            reply = ws_handshake_reply(self._buffer, self._key)
            if reply is None:
                return
            if not reply.accepted:
                self.ready.set_exception(ConnectionError(f"client {self.index}: handshake refused: {reply.status}"))
                assert self.transport is not None
                self.transport.close()
                return
            self._reader = WsReader(deflate=reply.deflate)
            self.opened()
            data, self._buffer = reply.rest, b""
            if not data:
                return
        for opcode, payload in self._reader.feed(data):
            if opcode == OP_PING:
                self.send(payload, OP_PONG)
            elif opcode == OP_CLOSE:
                assert self.transport is not None
                self.transport.close()
            elif opcode in (OP_TEXT, OP_BINARY):
                self.message(payload, now_ms)

    def opened(self) -> None:
        """The handshake succeeded."""

    def message(self, payload: bytes, now_ms: float) -> None:
        """A complete data message."""


class ChannelsClient(_Client):
    """A dashboard: subscribes to ``devices`` on ``/ws/live/`` and times each frame."""

    def __init__(self, *args: Any, devices: list[str], idle: bool, login: tuple[str | None, str | None]) -> None:
        super().__init__(*args)
        self._subscribe = orjson.dumps({"type": "subscribe", "devices": devices})
        self._idle = idle

    def message(self, payload: bytes, now_ms: float) -> None:
        msg = orjson.loads(payload)
        kind = msg.get("type")
        if kind == "frame":
            rec = self.recorder
            readings = msg["readings"]
            rec.frames += 1
            rec.readings += len(readings)
            tracker = rec.tracker(self.index, msg["device"])
            first, last = msg["seq"]
            tracker.add_range(first, last)
            if rec.per_reading:
                for reading in readings:
                    rec.sample(now_ms, reading["device_ts"])
            else:
                rec.sample(now_ms, readings[-1]["device_ts"])
        elif kind == "hello":
            self.send(self._subscribe, OP_TEXT)
        elif kind == "subscribed" and not self.ready.done():
            self.ready.set_result(None)
        elif kind == "error":
            self.recorder.errors.append(str(msg))


class MqttWsClient(_Client):
    """A subscriber reading the broker directly over MQTT-over-WebSockets (QoS 0)."""

    def __init__(self, *args: Any, devices: list[str], idle: bool, login: tuple[str | None, str | None]) -> None:
        super().__init__(*args)
        self._username, self._password = login
        self._filters = [topic(d, Kind.READING) for d in devices]
        self._mqtt = MqttReader()
        self._ts_cache: dict[str, int] = {}

    def opened(self) -> None:
        # keepalive 0: the benchmark is shorter than any keepalive and must not ping.
        client_id = f"bench-ws-{os.getpid()}-{self.index}"
        self.send(mqtt_connect(client_id, keepalive_s=0, username=self._username, password=self._password), OP_BINARY)
        self.send(mqtt_subscribe(1, self._filters), OP_BINARY)

    def message(self, payload: bytes, now_ms: float) -> None:
        for kind, flags, body in self._mqtt.feed(payload):
            if kind == MQTT_PUBLISH:
                _, data = mqtt_publish_parts(flags, body)
                reading = orjson.loads(data)
                rec = self.recorder
                rec.frames += 1
                rec.readings += 1
                rec.tracker(self.index, reading["device"]).add(reading["seq"])
                ts = reading["ts"]
                ts_ms = self._ts_cache.get(ts)
                if ts_ms is None:
                    ts_ms = self._ts_cache[ts] = parse_ts(ts)
                    if len(self._ts_cache) > 4096:
                        self._ts_cache.clear()
                rec.sample(now_ms, ts_ms)
            elif kind == 9 and not self.ready.done():  # SUBACK
                self.ready.set_result(None)


async def fetch_ticket(host: str, port: int, token: str) -> str:
    """A fresh ``/ws/live/`` ticket from the ASGI server, asked for with the API ``token``.

    HTTP/1.0, so the answer is never chunked and ends when the server closes.

    Raises:
        ConnectionError: the server refused (its status line in the message).
    """
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"POST {TICKET_PATH} HTTP/1.0\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        )
        answer = await reader.read()
    finally:
        writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    status = head.split(b"\r\n", 1)[0]
    if b" 201 " not in status + b" ":
        raise ConnectionError(f"no ticket: {status.decode(errors='replace')} {body[:200]!r}")
    return str(orjson.loads(body)["ticket"])


async def _open(
    args: argparse.Namespace, index: int, devices: list[str], recorder: Recorder, gate: asyncio.Semaphore
) -> _Client:
    loop = asyncio.get_running_loop()
    key = ws_key()
    mqtt = args.mode == "mqtt-ws"
    cls = MqttWsClient if mqtt else ChannelsClient
    async with gate:
        path = "/" if mqtt else "/ws/live/"
        if not mqtt and args.token:
            path += f"?ticket={await fetch_ticket(args.host, args.port, args.token)}"
        handshake = ws_handshake(
            host=args.host,
            port=args.port,
            path=path,
            key=key,
            origin=None if mqtt else f"http://{args.host}:{args.port}",
            protocol="mqtt" if mqtt else None,
            deflate=args.deflate,
        )
        _, client = await loop.create_connection(
            lambda: cls(index, recorder, handshake, key, devices=devices, idle=args.mode == "idle", login=args.login),
            args.host,
            args.port,
        )
        await asyncio.wait_for(client.ready, timeout=args.connect_timeout)
    return client


def assign(devices: list[str], clients: int, per_client: int, offset: int) -> list[list[str]]:
    """Round-robin subscriptions: client ``i`` takes ``per_client`` devices starting at ``i``."""
    n = len(devices)
    return [[devices[(offset + i + k) % n] for k in range(min(per_client, n))] for i in range(clients)]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Connect every client, wait until ``--until``, return the summary."""
    recorder = Recorder(per_reading=args.per_reading)
    devices = args.devices.split(",")
    plans = assign(devices, args.clients, args.per_client, args.offset)
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    started = time.monotonic()
    results = await asyncio.gather(
        *(_open(args, args.offset + i, plan, recorder, gate) for i, plan in enumerate(plans)), return_exceptions=True
    )
    clients = [c for c in results if isinstance(c, _Client)]
    failures = [repr(r) for r in results if not isinstance(r, _Client)]
    connect_s = time.monotonic() - started
    _write(args.ready_file, {"connected": len(clients), "failed": len(failures)})
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=max(0.0, args.until - time.time()))
    for client in clients:
        if client.transport is not None:
            client.transport.abort()
    return {
        "mode": args.mode,
        "clients": args.clients,
        "connected": len(clients),
        "failed": failures[:5],
        "failed_count": len(failures),
        "connect_s": connect_s,
        "frames": recorder.frames,
        "readings": recorder.readings,
        "bytes": recorder.bytes,
        "errors": recorder.errors[:5],
        "streams": [
            {"client": c, "device": d, "ranges": t.ranges, "duplicates": t.duplicates}
            for (c, d), t in recorder.streams.items()
        ],
        "subscriptions": {str(args.offset + i): plan for i, plan in enumerate(plans)},
        "stamps": _dump(recorder.stamps, args.out, ".ts.f64"),
        "latencies": _dump(recorder.latencies, args.out, ".lat.f32"),
    }


def _write(path: str, data: object) -> None:
    Path(path).write_text(json.dumps(data))


def _dump(values: array.array[float], out: str, suffix: str) -> str:
    path = Path(out).with_suffix(suffix)
    with path.open("wb") as f:
        values.tofile(f)
    return str(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mode", choices=("channels", "mqtt-ws", "idle"), required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--offset", type=int, default=0, help="index of this process's first client")
    parser.add_argument("--devices", required=True, help="comma-separated device ids")
    parser.add_argument("--per-client", type=int, default=1, help="devices each client subscribes to")
    parser.add_argument("--per-reading", action="store_true", help="time every reading, not only the newest")
    parser.add_argument("--deflate", action="store_true", help="offer permessage-deflate as browsers do")
    parser.add_argument("--until", type=float, required=True, help="epoch seconds to stop at")
    parser.add_argument("--connect-timeout", type=float, default=30.0)
    parser.add_argument("--token-file", help="file with the API token to ask for /ws/live/ tickets with")
    parser.add_argument("--mqtt-url", help="mode mqtt-ws: the broker's URL with the account to log in with")
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--out", required=True, help="summary JSON path")
    args = parser.parse_args()
    args.token = Path(args.token_file).read_text().strip() if args.token_file else None
    broker = parse_mqtt_url(args.mqtt_url) if args.mqtt_url else None
    args.login = (broker.username, broker.password) if broker else (None, None)
    try:
        import uvloop  # noqa: PLC0415 - optional speed-up

        uvloop.install()
    except ImportError:
        pass
    summary = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
