"""Benchmark 1: readings/s from MQTT through the bridge into the store, storage acks sent.

Publishers (:mod:`bench.blaster`, several devices per process over one connection, QoS
1) keep at most a window of readings awaiting their storage ack, as a device's outbox
does, so the acknowledged rate is what one bridge process sustains end to end: receive,
validate, store (SQLite, one transaction per batch, ``synchronous=FULL``), then ack.

Reference, in the same run: the same publishers at full speed (limited only by the
broker's PUBACKs) into the same broker with ``mosquitto_sub`` (C, QoS 1) as the only
subscriber. Both shapes are measured: one reading per message (live) and batches
(backfill form).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from bench.options import Options, Profile
from bench.procstat import CpuWindow, Usage
from bench.report import Section, Table, num, times
from bench.servers import Cluster, ManagedProcess, finish, read_json, start_together, sync_args
from bench.stats import ratio

GOAL_READINGS = 50_000
_STOPPED = re.compile(r"bridge stopped: received=(\d+) stored=(\d+) duplicates=(\d+) acks=(\d+)")


@dataclass(frozen=True)
class Shape:
    """How devices publish."""

    label: str
    batch: int


@dataclass(frozen=True)
class Phase:
    """One measured phase."""

    rate: float
    slowest_second: float
    usage: Usage
    stored: int | None = None
    duplicates: int | None = None
    acked: int | None = None
    sent: int | None = None
    profile: tuple[str, ...] = ()


def _window_rate(timelines: list[list[list[float]]], t0: float, t1: float) -> tuple[float, float]:
    """(rate over [t0, t1], slowest 1-second rate inside it) from summed (t, sent, done) timelines."""

    def done_at(t: float) -> float:
        total = 0.0
        for timeline in timelines:
            before = [row for row in timeline if row[0] <= t]
            total += before[-1][2] if before else 0.0
        return total

    rate = (done_at(t1) - done_at(t0)) / (t1 - t0)
    seconds = [done_at(t + 1) - done_at(t) for t in range(int(t0), int(t1) - 1)]
    return rate, min(seconds) if seconds else rate


def _publishers(
    cluster: Cluster, opts: Options, *, mqtt_url: str, mode: str, shape: Shape, seconds: float
) -> tuple[list[tuple[ManagedProcess, str]], float]:
    """Start the load programs, release them together; returns them with their outputs, and the start."""
    processes = opts.count(2, 1)
    per_process = opts.count(5, 2)
    started, waiting = [], []
    for k in range(processes):
        devices = ",".join(f"ing{k}-{i}" for i in range(per_process))
        out = str(cluster.path(f"pub{k}.json"))
        sync, ready = sync_args(cluster, f"pub{k}")
        args = ["--mode", mode, "--name", f"ing{k}", "--mqtt-url", mqtt_url, "--devices", devices]
        args += ["--batch", str(shape.batch), "--window", "20000", "--duration", repr(seconds), "--out", out, *sync]
        process = cluster.helper(f"pub{k}", "bench.blaster", args)
        started.append((process, out))
        waiting.append((process, ready))
    return started, start_together(cluster, waiting)


def _reference(opts: Options, shape: Shape) -> Phase:
    warmup, duration = opts.seconds(3.0, 0.3), opts.seconds(20.0, 1.0)
    with Cluster(opts.subdir(f"ingest-ref-{shape.batch}")) as cluster:
        broker = cluster.broker()
        sub = cluster.helper(
            "mosquitto_sub",
            "bench.subcount",
            ["--mqtt-url", broker.url, "--out", str(cluster.path("sub.json"))],
        )
        time.sleep(0.5)  # mosquitto_sub (C) subscribes within milliseconds; the load programs take longer
        pubs, start = _publishers(
            cluster, opts, mqtt_url=broker.url, mode="flood", shape=shape, seconds=warmup + duration + 0.5
        )
        window = CpuWindow(
            {
                "broker": [broker.process.pid or 0],
                "publishers": [p.pid or 0 for p, _ in pubs],
            }
        )
        time.sleep(max(0.0, start + warmup - time.time()))
        window.start()
        time.sleep(duration)
        usage = window.stop()
        for process, _ in pubs:
            finish(process, timeout=30)
        sub.stop()
        counts = read_json(cluster.path("sub.json"))["timeline"]
        rate, slowest = _window_rate([[[t - start, 0, n * shape.batch] for t, n in counts]], warmup, warmup + duration)
        return Phase(rate=rate, slowest_second=slowest, usage=usage)


@dataclass(frozen=True)
class Route:
    """Which store the bridge writes to."""

    label: str
    store: str  # bench.bridge_variant --store; "real" is the production bridge


PATHS = (
    Route("bridge -> SQLite -> ack", "real"),
    Route("bridge -> SQLite, writer thread (before) -> ack", "sqlite-thread"),
    Route("bridge, no-op store (bridge alone)", "null"),
)


def _bridge(opts: Options, shape: Shape, path: Route) -> Phase:
    warmup, duration = opts.seconds(3.0, 0.3), opts.seconds(20.0, 1.0)
    with Cluster(opts.subdir(f"ingest-bridge-{shape.batch}-{path.store}")) as cluster:
        broker = cluster.broker()
        redis, redis_url = cluster.redis()
        bridge = cluster.bridge(
            "bridge",
            broker=broker,
            redis_url=redis_url,
            store=cluster.path("store.sqlite3"),
            module="bridge" if path.store == "real" else "bench.bridge_variant",
            args=[] if path.store == "real" else ["--store", path.store],
        )
        pubs, start = _publishers(
            cluster, opts, mqtt_url=broker.url, mode="window", shape=shape, seconds=warmup + duration + 0.5
        )
        time.sleep(max(0.0, start + warmup - time.time()))
        window = CpuWindow(  # made after the warm-up: it counts the store's writer process too
            {
                "bridge": [bridge.pid or 0],
                "broker": [broker.process.pid or 0],
                "publishers": [p.pid or 0 for p, _ in pubs],
                "redis": [redis.pid or 0],
            }
        )
        window.start()
        prof = Profile(bridge.pid or 0, duration - 2, cluster.path("bridge-profile.txt")) if opts.profile else None
        time.sleep(duration)
        usage = window.stop()
        results = []
        for process, out in pubs:
            finish(process, timeout=60)
            results.append(read_json(Path(out)))
        top = tuple(prof.top()) if prof else ()
        bridge.stop(grace=30)
        found = _STOPPED.findall(bridge.log_path.read_text(errors="replace"))
        stored = duplicates = None
        if found:
            _, stored_s, dup_s, _ = found[-1]
            stored, duplicates = int(stored_s), int(dup_s)
        rate, slowest = _window_rate([r["timeline"] for r in results], warmup, warmup + duration)
        return Phase(
            rate=rate,
            slowest_second=slowest,
            usage=usage,
            stored=stored,
            duplicates=duplicates,
            acked=sum(r["acked_readings"] for r in results),
            sent=sum(r["sent_readings"] for r in results),
            profile=top,
        )


def run(opts: Options) -> Section:
    """Both shapes: reference first, then the bridge, each sustained for the window."""
    section = Section("ingest", "1. Ingest: MQTT -> bridge -> store, storage acks sent (QoS 1)")
    shapes = [Shape("1 reading per message", 1), Shape("batches of 100 readings", 100)]
    if opts.smoke:
        shapes = shapes[1:]
    table = Table(
        "Readings/s sustained over 20 s (after 3 s warm-up), one bridge process"
        if not opts.smoke
        else "smoke: 1.5 s windows",
        [
            "shape",
            "path",
            "readings/s",
            "slowest second",
            "vs mosquitto_sub",
            "stored / acked / sent",
            "dup",
            "bridge cores",
            "broker cores",
            "publisher cores",
            "bridge CPU us / reading",
            "others cores",
        ],
    )
    batched_bridge: Phase | None = None
    batched_ratio: float | None = None
    for shape in shapes:
        ref = _reference(opts, shape)
        table.add(
            shape.label,
            "mosquitto_sub (C), reference",
            num(ref.rate),
            num(ref.slowest_second),
            "1.00x",
            "-",
            "-",
            "-",
            num(ref.usage.cores("broker"), 2),
            num(ref.usage.cores("publishers"), 2),
            "-",
            num(ref.usage.others_cores, 2),
        )
        for path in PATHS if not opts.smoke else PATHS[:1]:
            bridge = _bridge(opts, shape, path)
            share = ratio(bridge.rate, ref.rate)
            table.add(
                shape.label,
                path.label,
                num(bridge.rate),
                num(bridge.slowest_second),
                times(share),
                f"{num(bridge.stored)} / {num(bridge.acked)} / {num(bridge.sent)}",
                num(bridge.duplicates),
                num(bridge.usage.cores("bridge"), 2),
                num(bridge.usage.cores("broker"), 2),
                num(bridge.usage.cores("publishers"), 2),
                num(bridge.usage.cpu["bridge"] / (bridge.rate * bridge.usage.seconds) * 1e6, 1) if bridge.rate else "-",
                num(bridge.usage.others_cores, 2),
            )
            if bridge.profile:
                section.notes.append(f"py-spy, {path.label}, {shape.label}, own time: " + "; ".join(bridge.profile))
            if shape.batch > 1 and path is PATHS[0]:
                batched_bridge, batched_ratio = bridge, share
    section.tables.append(table)
    if batched_bridge is not None:
        judged = None if opts.smoke else batched_bridge.rate >= GOAL_READINGS
        section.goal(
            f">= {GOAL_READINGS:,} readings/s per bridge process with batching: {batched_bridge.rate:,.0f}", judged
        )
        section.goal(
            f"at least half of what the broker alone delivers to a C subscriber (same load): {times(batched_ratio)}",
            None if opts.smoke or batched_ratio is None else batched_ratio >= 0.5,
        )
    section.notes += [
        "readings/s counts readings whose storage ack reached the publisher (stored durably, then acked); "
        "for the reference, readings mosquitto_sub received.",
        "stored / acked / sent: the bridge's own count at shutdown, the acks the devices received, and "
        "what they published (readings still in flight at the end are acknowledged after the window).",
    ]
    return section
