"""Benchmark 4: server RSS per idle WebSocket connection; edge agent RSS and CPU per reading.

Server: a few warm-up connections first (Django and Channels load lazily), then 1,000
idle dashboard connections (connected, greeted, subscribed to one device, nothing
flowing); the RSS growth divided by the connections is the cost of one, on both ASGI
servers with the Redis pub/sub layer.

Edge: the real agent (``python -m edge``, simulator source, SQLite outbox) publishing to
a broker with a bridge acknowledging, at 10 and 50 readings/s (the agent's maximum);
RSS at the end, CPU per reading over the steady part.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bench.options import Options
from bench.procstat import CpuWindow, rss_bytes
from bench.report import Section, Table, num
from bench.servers import Cluster
from bench.swarm import Swarm
from devstack.apps import start_edge

GOAL_KB_PER_CONNECTION = 50.0
_SAMPLED = re.compile(r"sampled=(\d+).*?acked=(\d+)")


@dataclass(frozen=True)
class ServerMemory:
    """RSS of one ASGI server before and after the idle connections."""

    server: str
    connections: int
    baseline: int
    loaded: int

    @property
    def per_connection_kb(self) -> float:
        """RSS growth per connection, KiB."""
        return (self.loaded - self.baseline) / max(1, self.connections) / 1024


def _server(opts: Options, server: str) -> ServerMemory:
    count = opts.count(1000, 20)
    with Cluster(opts.subdir(f"memory-{server}")) as cluster:
        _, redis_url = cluster.redis()
        asgi, port = cluster.asgi("asgi", server=server, redis_url=redis_url, store=cluster.path("store.sqlite3"))
        until = time.time() + opts.seconds(120.0, 30.0)
        devices = [f"mem-{i}" for i in range(10)]
        warm = Swarm(
            cluster, "warm", mode="idle", port=port, clients=10, devices=devices, per_client=1, until=until, processes=1
        )
        warm.wait_ready()
        time.sleep(opts.seconds(1.0, 0.2))
        baseline = rss_bytes(asgi.pid or 0)
        idle = Swarm(cluster, "idle", mode="idle", port=port, clients=count, devices=devices, per_client=1, until=until)
        connected = idle.wait_ready(timeout=120)
        time.sleep(opts.seconds(3.0, 0.5))
        loaded = rss_bytes(asgi.pid or 0)
        return ServerMemory(server=server, connections=connected, baseline=baseline, loaded=loaded)


@dataclass(frozen=True)
class EdgeUsage:
    """What the edge agent used at one rate."""

    rate_hz: float
    rss: int
    cpu_us_per_reading: float
    sampled: int
    acked: int


def _edge(opts: Options, rate_hz: float) -> EdgeUsage:
    warmup, duration = opts.seconds(3.0, 0.3), opts.seconds(15.0, 1.0)
    with Cluster(opts.subdir(f"memory-edge-{rate_hz:g}")) as cluster:
        broker = cluster.broker()
        _, redis_url = cluster.redis()
        cluster.bridge("bridge", broker=broker, redis_url=redis_url, store=cluster.path("store.sqlite3"))
        workdir = cluster.path("edge")
        workdir.mkdir()
        agent = cluster.adopt(
            start_edge(
                workdir,
                mqtt_url=broker.url,
                device="bench-edge",
                rate_hz=rate_hz,
                extra_env={"EDGE_STATUS_INTERVAL_S": "30"},
            )
        )
        time.sleep(warmup)
        window = CpuWindow({"edge": [agent.pid or 0]})
        window.start()
        time.sleep(duration)
        usage = window.stop()
        rss = rss_bytes(agent.pid or 0)
        agent.stop()
        found = _SAMPLED.findall(agent.log_path.read_text(errors="replace"))
        sampled, acked = (int(found[-1][0]), int(found[-1][1])) if found else (0, 0)
        readings = rate_hz * usage.seconds
        return EdgeUsage(rate_hz, rss, usage.cpu["edge"] / readings * 1e6 if readings else 0.0, sampled, acked)


def run(opts: Options) -> Section:
    """Both ASGI servers, then the edge agent at two rates."""
    section = Section("memory", "4. Memory: per idle WebSocket connection, and the edge agent")
    servers = [opts.asgi_server] + ([] if opts.smoke else ["daphne" if opts.asgi_server == "uvicorn" else "uvicorn"])
    table = Table(
        "ASGI server RSS per idle WebSocket connection (Redis pub/sub layer)",
        ["server", "connections", "RSS before MiB", "RSS after MiB", "KiB per connection"],
    )
    results = [_server(opts, s) for s in servers]
    for r in results:
        table.add(
            r.server,
            num(r.connections),
            num(r.baseline / 2**20, 1),
            num(r.loaded / 2**20, 1),
            num(r.per_connection_kb, 1),
        )
    section.tables.append(table)
    main = results[0]
    section.goal(
        f"server RSS per idle connection <= {GOAL_KB_PER_CONNECTION:g} KB ({main.server}): "
        f"{main.per_connection_kb:.1f} KiB",
        None if opts.smoke else main.per_connection_kb <= GOAL_KB_PER_CONNECTION,
    )
    edge = Table(
        "Edge agent (python -m edge, simulator source, SQLite outbox, acks from a bridge), on this machine",
        ["readings/s", "RSS MiB", "CPU us per reading", "sampled", "acknowledged"],
    )
    for rate in (10.0, 50.0) if not opts.smoke else (10.0,):
        u = _edge(opts, rate)
        edge.add(num(u.rate_hz), num(u.rss / 2**20, 1), num(u.cpu_us_per_reading), num(u.sampled), num(u.acked))
    section.tables.append(edge)
    section.notes += [
        "A Raspberry Pi's core is several times slower than this machine's: scale the edge CPU accordingly.",
        "The edge agent's CPU per reading includes its durable outbox (an SQLite write per reading, "
        "a delete per storage ack) and its MQTT client thread.",
    ]
    return section
