"""Start a client swarm (:mod:`bench.clients`) in a few processes and merge what they measured."""

from __future__ import annotations

import array
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.servers import Cluster, ManagedProcess, read_json
from bench.stats import Delivery, Latency, SeqTracker
from devstack import wait_until

PROCESSES = 2


@dataclass(frozen=True)
class SwarmResult:
    """What a swarm received.

    Attributes:
        connected: Clients that connected and subscribed.
        frames: WebSocket messages carrying readings.
        readings: Readings in them.
        latency: Publish-to-receipt latency of the samples inside the window.
        delivery: Expected vs received readings, over every client and device.
        errors: Error messages the server sent (first few).
    """

    connected: int
    frames: int
    readings: int
    latency: Latency | None
    delivery: Delivery
    errors: list[str]


class Swarm:
    """``clients`` subscribers split over :data:`PROCESSES` processes."""

    def __init__(
        self,
        cluster: Cluster,
        name: str,
        *,
        mode: str,
        port: int,
        clients: int,
        devices: list[str],
        per_client: int,
        until: float,
        per_reading: bool = False,
        deflate: bool = False,
        processes: int | None = None,
        mqtt_url: str | None = None,
    ) -> None:
        """Start the processes: they connect at once, and stop at :meth:`collect` (or by themselves at ``until``).

        ``mqtt_url`` (mode ``mqtt-ws``) gives the broker account the clients log in with.
        """
        self.name = name
        self._cluster = cluster
        self._until = until
        self._parts: list[tuple[ManagedProcess, Path, Path]] = []
        processes = processes or (PROCESSES if clients > 50 else 1)
        offset = 0
        for k in range(processes):
            count = clients // processes + (1 if k < clients % processes else 0)
            ready, out = cluster.path(f"{name}-{k}.ready"), cluster.path(f"{name}-{k}.json")
            ready.unlink(missing_ok=True)
            args = [
                "--mode",
                mode,
                "--port",
                str(port),
                "--clients",
                str(count),
                "--offset",
                str(offset),
                "--devices",
                ",".join(devices),
                "--per-client",
                str(per_client),
                "--until",
                repr(until),
                "--ready-file",
                str(ready),
                "--out",
                str(out),
            ]
            if mode != "mqtt-ws":  # the ASGI server's clients sign in: a ticket each, asked for with the token
                args += ["--token-file", str(cluster.token_file)]
            elif mqtt_url:  # the broker's clients log in with the account in its URL
                args += ["--mqtt-url", mqtt_url]
            if per_reading:
                args.append("--per-reading")
            if deflate:
                args.append("--deflate")
            self._parts.append((cluster.helper(f"{name}-{k}", "bench.clients", args), ready, out))
            offset += count

    @property
    def pids(self) -> list[int]:
        """PIDs of the client processes."""
        return [p.pid for p, _, _ in self._parts if p.pid is not None]

    def wait_ready(self, timeout: float = 60.0) -> int:
        """Wait until every process has connected its clients; returns how many connected."""
        connected = 0
        for process, ready, _ in self._parts:
            wait_until(
                lambda ready=ready, process=process: ready.exists() or not process.running,  # type: ignore[misc]
                timeout=timeout,
                what=f"{process.name} to connect",
                interval=0.05,
            )
            if not ready.exists():
                raise RuntimeError(f"{process.name} exited early; log:\n{process.log_tail()}")
            connected += read_json(ready)["connected"]
        return connected

    def collect(
        self,
        expected: Mapping[str, tuple[int, int]],
        *,
        window: tuple[float, float] = (0.0, float("inf")),
        drain: float = 1.0,
    ) -> SwarmResult:
        """Let in-flight messages arrive for ``drain`` seconds, stop the clients, merge their results.

        Args:
            expected: Device -> (first, last) sequence numbers every subscriber of it should get.
            window: Epoch seconds: latency samples of readings stamped inside it count.
            drain: Seconds to wait before stopping the clients.
        """
        time.sleep(drain)
        samples: list[float] = []
        sample_stamps: list[float] = []
        lo, hi = window[0] * 1000, window[1] * 1000
        frames = readings = connected = 0
        delivery = Delivery(0, 0, 0)
        errors: list[str] = []
        for process, _, out in self._parts:
            process.stop(grace=30.0)  # SIGTERM: the clients write their results and exit
            if not out.exists():
                raise RuntimeError(f"{process.name} wrote no results; log:\n{process.log_tail()}")
            part: dict[str, Any] = read_json(out)
            connected += part["connected"]
            frames += part["frames"]
            readings += part["readings"]
            errors += part["errors"] + part["failed"]
            stamps: array.array[float] = array.array("d", Path(part["stamps"]).read_bytes())
            latencies: array.array[float] = array.array("f", Path(part["latencies"]).read_bytes())
            for ts, lat in zip(stamps, latencies, strict=True):
                if lo <= ts < hi:
                    samples.append(lat)
                    sample_stamps.append(ts)
            seen = {(s["client"], s["device"]): s for s in part["streams"]}
            for client, plan in part["subscriptions"].items():
                for device in plan:
                    if device not in expected:
                        continue
                    first, last = expected[device]
                    stream = seen.get((int(client), device))
                    tracker = SeqTracker()
                    if stream is not None:
                        for a, b in stream["ranges"]:
                            tracker.add_range(a, b)
                    got = tracker.delivery(first, last)
                    dups = stream["duplicates"] if stream else 0
                    delivery = delivery + Delivery(got.expected, got.received, dups)
        return SwarmResult(
            connected=connected,
            frames=frames,
            readings=readings,
            latency=Latency.of(samples, stamps_ms=sample_stamps),
            delivery=delivery,
            errors=errors[:5],
        )
