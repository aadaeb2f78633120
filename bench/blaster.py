"""``python -m bench.blaster``: the ingest load -- simulated devices publishing as fast as allowed.

A load generator must cost far less than what it loads: this one speaks MQTT 3.1.1 over
a plain socket (:mod:`bench.wire`), builds many QoS 1 PUBLISH packets per ``send`` and
parses PUBACKs in bulk, instead of paho's per-message threads and queues (paho caps one
process at a few thousand QoS 1 messages/s here).

Modes:

* ``window`` -- at most ``--window`` readings of this process may await their storage
  ack (what a device's outbox allows), so the acknowledged rate is what the bridge
  sustains end to end;
* ``flood`` -- limited only by the broker's PUBACKs: the reference load.

In both, at most :data:`IN_FLIGHT` messages await the broker's PUBACK. ``--batch N`` > 1
publishes ``batch`` messages of N readings, 1 publishes ``reading`` messages. Stops by
itself after ``--duration`` s; writes a JSON summary with a timeline every 100 ms of
(seconds since start, readings sent, readings done: acked or PUBACKed).
"""

from __future__ import annotations

import argparse
import json
import selectors
import socket
import time
from pathlib import Path

import orjson

from bench.stats import SeqTracker
from bench.sync import ready_and_wait
from bench.wire import (
    MQTT_CONNACK,
    MQTT_PUBACK,
    MQTT_PUBLISH,
    MQTT_SUBACK,
    MqttReader,
    add_broker_arguments,
    broker_of,
    mqtt_connect,
    mqtt_packet_id,
    mqtt_puback,
    mqtt_publish,
    mqtt_publish_id,
    mqtt_publish_parts,
    mqtt_subscribe,
)
from contract.codec import decode_ack, format_ts
from contract.topics import Kind, topic
from edge.sources.simulator import SimulatedDevice

IN_FLIGHT = 100
BURST = 32
STEP_S = 0.1


class Blaster:
    """One MQTT connection for several devices, with both flow-control windows."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        now = time.time()
        self.boot = f"blast{int(now * 1000) % 10**10}"
        self.devices = args.devices.split(",")
        self.values = [SimulatedDevice(seed=5, index=i).at(now) for i in range(len(self.devices))]
        self.next_seq = [1] * len(self.devices)
        self.topics = [topic(d, Kind.BATCH if args.batch > 1 else Kind.READING) for d in self.devices]
        self.acked = {d: SeqTracker() for d in self.devices}
        self.sent_messages = self.sent_readings = self.pubacks = self.acked_readings = 0
        self.in_flight: set[int] = set()
        self._next_id = 0
        self._reader = MqttReader()
        self._ts = (-1, "")
        broker = broker_of(args)
        self.sock = socket.create_connection((broker.host, broker.port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(
            mqtt_connect(f"bench-blast-{args.name}", keepalive_s=0, username=broker.username, password=broker.password)
        )
        self._expect(MQTT_CONNACK)
        if args.mode == "window":
            self.sock.sendall(mqtt_subscribe(1, [topic(d, Kind.ACK) for d in self.devices], qos=1))
            self._expect(MQTT_SUBACK)
        self.sock.setblocking(False)

    def _expect(self, kind: int) -> None:
        self.sock.settimeout(10)
        while True:
            for got, _, _ in self._reader.feed(self.sock.recv(65536)):
                if got == kind:
                    return

    def _packet_id(self) -> int:
        self._next_id = self._next_id % 65535 + 1
        return self._next_id

    def _ts_text(self, ms: int) -> str:
        if self._ts[0] != ms:
            self._ts = (ms, format_ts(ms))
        return self._ts[1]

    def message(self, i: int, now_ms: int) -> bytes:
        """The next message of device ``i``."""
        batch, seq, boot = self.args.batch, self.next_seq[i], self.boot
        ts = self._ts_text(now_ms)
        self.next_seq[i] += batch
        if batch == 1:
            body = {"v": 1, "device": self.devices[i], "boot": boot, "seq": seq, "ts": ts, **self.values[i]}
        else:
            items = [{"boot": boot, "seq": s, "ts": ts, **self.values[i]} for s in range(seq, seq + batch)]
            body = {"v": 1, "device": self.devices[i], "readings": items}
        packet_id = self._packet_id()
        self.in_flight.add(packet_id)
        self.sent_messages += 1
        self.sent_readings += batch
        return mqtt_publish(self.topics[i], orjson.dumps(body), packet_id=packet_id)

    def receive(self) -> None:
        """Take whatever arrived: PUBACKs, and storage acks (answered with a PUBACK)."""
        replies = []
        while True:
            try:
                data = self.sock.recv(1 << 20)
            except BlockingIOError:
                break
            if not data:
                raise ConnectionError("broker closed the connection")
            for kind, flags, body in self._reader.feed(data):
                if kind == MQTT_PUBACK:
                    self.in_flight.discard(mqtt_packet_id(body))
                    self.pubacks += 1
                elif kind == MQTT_PUBLISH:
                    packet_id = mqtt_publish_id(flags, body)
                    if packet_id:
                        replies.append(mqtt_puback(packet_id))
                    _, payload = mqtt_publish_parts(flags, body)
                    ack = decode_ack(payload)
                    tracker = self.acked.get(ack.device)
                    if tracker is not None:
                        before = tracker.distinct
                        for first, last in ack.ranges:
                            tracker.add_range(first, last)
                        self.acked_readings += tracker.distinct - before
        if replies:
            self.sock.sendall(b"".join(replies))

    def done(self) -> int:
        """Readings finished: storage-acked (window) or PUBACKed (flood)."""
        return self.acked_readings if self.args.mode == "window" else self.pubacks * self.args.batch


def run(blaster: Blaster, args: argparse.Namespace, start: float) -> list[tuple[float, int, int]]:
    """Publish from ``start`` until the end of the run; returns the timeline."""
    sel = selectors.DefaultSelector()
    sel.register(blaster.sock, selectors.EVENT_READ)
    time.sleep(max(0.0, start - time.time()))
    end = start + args.duration
    timeline: list[tuple[float, int, int]] = []
    next_sample = start
    i = 0
    n = len(blaster.devices)
    window = args.window if args.mode == "window" else 1 << 62
    while True:
        now = time.time()
        if now >= next_sample:
            timeline.append((now - start, blaster.sent_readings, blaster.done()))
            next_sample += STEP_S
        if now >= end:
            break
        room = IN_FLIGHT - len(blaster.in_flight)
        unacked = blaster.sent_readings - blaster.acked_readings
        count = min(BURST, room, max(0, (window - unacked) // args.batch))
        if count > 0:
            now_ms = int(now * 1000)
            packets = []
            for _ in range(count):
                packets.append(blaster.message(i % n, now_ms))
                i += 1
            blaster.sock.setblocking(True)
            blaster.sock.sendall(b"".join(packets))
            blaster.sock.setblocking(False)
            blaster.receive()
        else:
            if sel.select(timeout=0.01):
                blaster.receive()
    return timeline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mode", choices=("window", "flood"), required=True)
    parser.add_argument("--name", required=True, help="client id suffix")
    add_broker_arguments(parser)
    parser.add_argument("--devices", required=True, help="comma-separated device ids")
    parser.add_argument("--batch", type=int, default=1, help="readings per message")
    parser.add_argument("--window", type=int, default=20000, help="window: readings awaiting their storage ack")
    parser.add_argument("--ready-file", required=True, help="written once connected")
    parser.add_argument("--go-file", required=True, help="holds the start time (bench.sync)")
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--linger", type=float, default=3.0, help="window: seconds to wait for the last acks")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    blaster = Blaster(args)
    start = ready_and_wait(args.ready_file, args.go_file)
    timeline = run(blaster, args, start)
    deadline = time.time() + (args.linger if args.mode == "window" else 1.0)
    while time.time() < deadline and (blaster.in_flight or blaster.acked_readings < blaster.sent_readings):
        if args.mode == "flood" and not blaster.in_flight:
            break
        time.sleep(0.01)
        blaster.receive()
    blaster.sock.close()
    result = {
        "mode": args.mode,
        "start": start,
        "timeline": timeline,
        "sent_messages": blaster.sent_messages,
        "sent_readings": blaster.sent_readings,
        "pubacks": blaster.pubacks,
        "acked_readings": blaster.acked_readings,
        "devices": {
            d: {"boot": blaster.boot, "first": 1, "last": blaster.next_seq[k] - 1}
            for k, d in enumerate(blaster.devices)
        },
    }
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
