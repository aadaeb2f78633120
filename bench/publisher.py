"""``python -m bench.publisher``: simulated devices publishing paced readings, as the edge agent does.

Each device publishes ``--rate`` readings per second over one paho connection (QoS 1,
TCP_NODELAY set with the edge agent's own socket callback; ``--nagle`` leaves Nagle's
algorithm on to measure what it costs). Every reading is scheduled on a whole
millisecond and stamped with that millisecond, so a receiver's clock minus the reading's
``ts`` is the publish-to-receipt latency; devices are staggered inside the period.
With ``--acks`` the storage acks are counted. Stops by itself after ``--duration`` s and
writes a JSON summary (per-device sequence ranges, acks, publish lateness).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.stats import SeqTracker
from bench.sync import ready_and_wait
from bench.wire import add_broker_arguments, broker_of
from contract.codec import decode_ack, format_ts
from contract.topics import Kind, topic
from edge.mqtt import set_nodelay
from edge.sources.simulator import SimulatedDevice


@dataclass(slots=True)
class Device:
    """One simulated device."""

    name: str
    boot: str
    values: dict[str, float]
    topic: str
    next_seq: int = 1
    acked: SeqTracker = field(default_factory=SeqTracker)


class Publisher:
    """The paho connection shared by this process's devices."""

    def __init__(self, args: argparse.Namespace) -> None:
        now = time.time()
        boot = f"bench{int(now * 1000) % 10**10}"
        self.devices = [
            Device(name, boot, SimulatedDevice(seed=7, index=i).at(now), topic(name, Kind.READING))
            for i, name in enumerate(args.devices.split(","))
        ]
        self._by_name = {d.name: d for d in self.devices}
        self.cond = threading.Condition()
        self.acked_readings = 0
        self.sent_readings = 0
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{args.name}", protocol=mqtt.MQTTv5)
        if not args.nagle:
            client.on_socket_open = set_nodelay
        client.on_message = self._on_ack
        self.client = client
        self.args = args

    def connect(self) -> None:
        """Connect, and subscribe to the devices' acks if asked."""
        connected, subscribed = threading.Event(), threading.Event()
        self.client.on_connect = lambda *_: connected.set()
        self.client.on_subscribe = lambda *_: subscribed.set()
        broker = broker_of(self.args)
        if broker.username is not None:
            self.client.username_pw_set(broker.username, broker.password)
        self.client.connect(broker.host, broker.port, keepalive=60)
        self.client.loop_start()
        if not connected.wait(10):
            raise ConnectionError("publisher could not connect to the broker")
        if self.args.acks:
            self.client.subscribe([(topic(d.name, Kind.ACK), 1) for d in self.devices])
            if not subscribed.wait(10):
                raise ConnectionError("publisher could not subscribe to its acks")

    def _on_ack(self, client: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
        ack = decode_ack(bytes(message.payload))
        device = self._by_name.get(ack.device)
        if device is None:
            return
        before = device.acked.distinct
        for first, last in ack.ranges:
            device.acked.add_range(first, last)
        with self.cond:
            self.acked_readings += device.acked.distinct - before
            self.cond.notify_all()

    def publish(self, device: Device, ts_ms: int) -> None:
        """Publish the device's next reading, stamped ``ts_ms``."""
        body = {"v": 1, "device": device.name, "boot": device.boot, "seq": device.next_seq, "ts": format_ts(ts_ms)}
        device.next_seq += 1
        self.client.publish(device.topic, orjson.dumps(body | device.values), qos=1)
        self.sent_readings += 1


def run_paced(pub: Publisher, args: argparse.Namespace, start: float) -> list[float]:
    """Publish on schedule from ``start`` until the end; returns each publish's lateness in ms."""
    period_ms = 1000.0 / args.rate
    n = len(pub.devices)
    start_ms = int(start * 1000)
    end_ms = start_ms + int(args.duration * 1000)
    lateness: list[float] = []
    k = 0
    while True:
        for i, device in enumerate(pub.devices):
            due_ms = start_ms + round(k * period_ms + i * period_ms / n)
            if due_ms >= end_ms:
                return lateness
            delay = due_ms / 1000 - time.time()
            if delay > 0:
                time.sleep(delay)
            lateness.append(time.time() * 1000 - due_ms)
            pub.publish(device, due_ms)
        k += 1


def _spread(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    return {"p50": ordered[len(ordered) // 2], "p99": ordered[int(len(ordered) * 0.99)], "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--name", required=True, help="client id suffix")
    add_broker_arguments(parser)
    parser.add_argument("--devices", required=True, help="comma-separated device ids")
    parser.add_argument("--rate", type=float, default=100.0, help="readings/s per device")
    parser.add_argument("--acks", action="store_true", help="subscribe to storage acks and count them")
    parser.add_argument("--nagle", action="store_true", help="leave Nagle's algorithm on")
    parser.add_argument("--ready-file", required=True, help="written once connected")
    parser.add_argument("--go-file", required=True, help="holds the start time (bench.sync)")
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--linger", type=float, default=2.0, help="seconds to keep counting acks after the end")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    pub = Publisher(args)
    pub.connect()
    lateness = run_paced(pub, args, ready_and_wait(args.ready_file, args.go_file))
    deadline = time.time() + args.linger
    with pub.cond:
        while args.acks and pub.acked_readings < pub.sent_readings and time.time() < deadline:
            pub.cond.wait(timeout=0.05)
    pub.client.disconnect()
    pub.client.loop_stop()
    result = {
        "sent_readings": pub.sent_readings,
        "acked_readings": pub.acked_readings,
        "lateness_ms": _spread(lateness),
        "devices": {d.name: {"boot": d.boot, "first": 1, "last": d.next_seq - 1} for d in pub.devices},
    }
    Path(args.out).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
