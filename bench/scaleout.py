"""Benchmark 5: two bridges on a shared subscription, two ASGI processes on one Redis layer.

Devices publish a known set of readings; every one must be stored exactly once (the
bridges' own counts: stored, duplicates; the rows in the shared SQLite file) and reach
every WebSocket client exactly once, whichever ASGI process the client is on. Both
bridges must have taken part of the load.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass

from bench.options import Options
from bench.report import Section, Table, num
from bench.servers import Cluster, finish, read_json, start_together, sync_args
from bench.stats import Delivery
from bench.swarm import Swarm

_STOPPED = re.compile(r"bridge stopped: received=(\d+) stored=(\d+) duplicates=(\d+)")


@dataclass(frozen=True)
class BridgeCount:
    """One bridge's counters at shutdown."""

    name: str
    received: int
    stored: int
    duplicates: int


def run(opts: Options) -> Section:
    """Publish, then check storage and every client."""
    section = Section("scaleout", "5. Scale-out: 2 bridges (shared subscription) + 2 ASGI processes")
    devices = [f"scale-{i}" for i in range(opts.count(10, 2))]
    rate, seconds = opts.seconds(100.0, 20.0), opts.seconds(10.0, 1.5)
    clients_per_server = opts.count(10, 2)
    with Cluster(opts.subdir("scaleout")) as cluster:
        broker = cluster.broker()
        _, redis_url = cluster.redis()
        store = cluster.path("store.sqlite3")
        bridges = [
            cluster.bridge(
                f"bridge{k}",
                broker=broker,
                redis_url=redis_url,
                store=store,
                tick_ms=50,
                client_id=f"bench-scale-{k}",
                share_group="bench",
                wait=False,
            )
            for k in (1, 2)
        ]
        servers = [
            cluster.asgi(f"asgi{k}", server=opts.asgi_server, redis_url=redis_url, store=store)[1] for k in (1, 2)
        ]
        for bridge in bridges:
            cluster.connected(bridge)
        swarms = [
            Swarm(
                cluster,
                f"clients{k}",
                mode="channels",
                port=port,
                clients=clients_per_server,
                devices=devices,
                per_client=len(devices),
                until=time.time() + 300,
                processes=1,
            )
            for k, port in enumerate(servers, 1)
        ]
        out = cluster.path("publisher.json")
        sync, ready = sync_args(cluster, "publisher")
        args = ["--name", "scale", "--mqtt-url", broker.url, "--devices", ",".join(devices)]
        args += ["--rate", repr(rate), "--acks", "--duration", repr(seconds), "--linger", "5", "--out", str(out)]
        publisher = cluster.helper("publisher", "bench.publisher", [*args, *sync])
        for swarm in swarms:
            swarm.wait_ready()
        start_together(cluster, [(publisher, ready)])
        finish(publisher, timeout=seconds + 40)
        published = read_json(out)
        expected = {d: (v["first"], v["last"]) for d, v in published["devices"].items()}
        results = [swarm.collect(expected, drain=opts.seconds(1.0, 0.3)) for swarm in swarms]
        counts = []
        for bridge in bridges:
            bridge.stop(grace=30)
            found = _STOPPED.findall(bridge.log_path.read_text(errors="replace"))
            received, stored, dups = (int(v) for v in found[-1]) if found else (0, 0, 0)
            counts.append(BridgeCount(bridge.name, received, stored, dups))
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as conn:
            rows = conn.execute("SELECT count(*), count(DISTINCT device || '/' || boot || '/' || seq) FROM readings")
            total_rows, distinct_rows = rows.fetchone()
    sent = published["sent_readings"]
    table = Table(
        f"{len(devices)} devices x {rate:g} readings/s for {seconds:g} s; "
        f"{clients_per_server} clients per ASGI process, each watching every device",
        ["check", "expected", "got", "duplicates", "ok"],
    )
    stored = sum(c.stored for c in counts)
    dups = sum(c.duplicates for c in counts)
    ok_store = stored == sent and dups == 0 and total_rows == sent == distinct_rows
    table.add("readings stored (both bridges)", num(sent), num(stored), num(dups), "yes" if ok_store else "NO")
    table.add(
        "rows in the store",
        num(sent),
        num(total_rows),
        num(total_rows - distinct_rows),
        "yes" if total_rows == sent == distinct_rows else "NO",
    )
    table.add(
        "storage acks reaching the devices",
        num(sent),
        num(published["acked_readings"]),
        "-",
        "yes" if published["acked_readings"] == sent else "NO",
    )
    for c in counts:
        table.add(
            f"{c.name}: readings it stored", "> 0", num(c.stored), num(c.duplicates), "yes" if c.stored > 0 else "NO"
        )
    delivered = Delivery(0, 0, 0)
    for k, r in enumerate(results, 1):
        delivered = delivered + r.delivery
        table.add(
            f"readings at the clients of ASGI process {k}",
            num(r.delivery.expected),
            num(r.delivery.received),
            num(r.delivery.duplicates),
            "yes" if r.delivery.lost == 0 and r.delivery.duplicates == 0 else "NO",
        )
    section.tables.append(table)
    both = all(c.stored > 0 for c in counts)
    section.goal(
        "every reading stored exactly once and delivered exactly once to every client, both bridges sharing the load",
        ok_store and both and delivered.lost == 0 and delivered.duplicates == 0 and delivered.expected > 0,
    )
    section.notes.append(
        "Both bridges also receive every device status (presence is not on the shared subscription), so "
        "status messages reach the dashboards once per bridge; readings and frames are not affected."
    )
    return section
