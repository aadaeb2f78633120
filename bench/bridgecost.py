"""Bridge fast path, before/after: CPU per live reading, one change at a time.

The latency benchmark's load (10 devices x 100 readings/s, one reading per message, tick
0 so every reading becomes a frame) through the real bridge with the SQLite store, and
no ASGI server: only the bridge's own cost changes between rows. Each row adds one
change to the one above (:mod:`bench.bridge_variant` switches them).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bench.options import Options
from bench.procstat import CpuWindow
from bench.report import Section, Table, num, times
from bench.servers import Cluster, finish, read_json, start_together, sync_args
from bench.stats import ratio

_STOPPED = re.compile(r"bridge stopped: received=(\d+) stored=(\d+) duplicates=(\d+) acks=(\d+) frames=(\d+)")


@dataclass(frozen=True)
class Variant:
    """One row: bridge_variant options and settings."""

    label: str
    args: tuple[str, ...]
    linger_ms: int


VARIANTS = [
    Variant("before: one group_send per frame, no store linger", ("--sender", "layer"), 0),
    Variant("+ pipelined group sends (PubSubGroupSender)", (), 0),
    Variant("+ store linger 20 ms (production defaults)", (), 20),
]


@dataclass(frozen=True)
class Cost:
    """What one variant used."""

    variant: Variant
    us_per_reading: float
    readings: int
    acks: int
    frames: int
    acked: int
    sent: int
    others_cores: float


def _measure(opts: Options, variant: Variant) -> Cost:
    warmup, duration = opts.seconds(2.0, 0.3), opts.seconds(10.0, 1.0)
    devices = [f"cost-{i}" for i in range(opts.count(10, 2))]
    rate = opts.seconds(100.0, 20.0)
    with Cluster(opts.subdir("bridgecost")) as cluster:
        broker = cluster.broker()
        _, redis_url = cluster.redis()
        bridge = cluster.bridge(
            "bridge",
            broker=broker,
            redis_url=redis_url,
            store=cluster.path("store.sqlite3"),
            tick_ms=0,
            module="bench.bridge_variant",
            args=variant.args,
            extra_env={"BRIDGE_STORE_LINGER_MS": str(variant.linger_ms)},
        )
        out = cluster.path("publisher.json")
        sync, ready = sync_args(cluster, "publisher")
        args = ["--name", "cost", "--mqtt-url", broker.url, "--devices", ",".join(devices), "--rate", repr(rate)]
        args += ["--acks", "--duration", repr(warmup + duration), "--out", str(out), *sync]
        publisher = cluster.helper("publisher", "bench.publisher", args)
        start = start_together(cluster, [(publisher, ready)])
        window = CpuWindow(
            {"bridge": [bridge.pid or 0], "publisher": [publisher.pid or 0], "broker": [broker.process.pid or 0]}
        )
        time.sleep(max(0.0, start + warmup - time.time()))
        window.start()
        time.sleep(duration)
        usage = window.stop()
        finish(publisher, timeout=30)
        published = read_json(out)
        bridge.stop(grace=30)
        found = _STOPPED.findall(bridge.log_path.read_text(errors="replace"))
        received, _, _, acks, frames = (int(v) for v in found[-1]) if found else (0, 0, 0, 0, 0)
        readings = rate * len(devices) * usage.seconds
        return Cost(
            variant=variant,
            us_per_reading=usage.cpu["bridge"] / readings * 1e6,
            readings=received,
            acks=acks,
            frames=frames,
            acked=published["acked_readings"],
            sent=published["sent_readings"],
            others_cores=usage.others_cores,
        )


def run(opts: Options) -> Section:
    """Every variant, in order."""
    section = Section("bridge", "Bridge fast path, before/after: CPU per live reading")
    variants = VARIANTS if not opts.smoke else [VARIANTS[0], VARIANTS[-1]]
    costs = [_measure(opts, v) for v in variants]
    table = Table(
        "10 devices x 100 readings/s, one reading per message, tick 0, SQLite store; 10 s per row"
        if not opts.smoke
        else "smoke: tiny load",
        [
            "bridge",
            "CPU us / reading",
            "vs before",
            "store writes (acks sent)",
            "frames sent",
            "acked / sent",
            "others cores",
        ],
    )
    first = costs[0]
    for c in costs:
        table.add(
            c.variant.label,
            num(c.us_per_reading),
            times(ratio(c.us_per_reading, first.us_per_reading)),
            num(c.acks),
            num(c.frames),
            f"{num(c.acked)} / {num(c.sent)}",
            num(c.others_cores, 2),
        )
    section.tables.append(table)
    section.goal(
        "every reading acknowledged in every variant",
        all(c.acked == c.sent and c.sent > 0 for c in costs),
    )
    section.notes.append(
        "acks sent counts storage acknowledgements (one per device per store write), so it also counts writes."
    )
    return section
