"""The processes a benchmark runs: broker, Redis, bridges, ASGI servers and helper programs.

Everything is started by :mod:`devstack` (the launcher the tests use too), listens on
127.0.0.1 on free ports and is stopped by PID when the benchmark's ``with`` block ends (and
at interpreter exit if a run crashes). The broker runs with the repository's own
``mosquitto/conf.d`` plus an MQTT-over-WebSockets listener for the direct-broker reference.
Benchmarks never run on the MongoDB stand-in (SecantusDB): its figures would say nothing
about MongoDB.

Exceptions:
    ProcessError: a server did not start (devstack's, with its log tail).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.sync import release
from devstack import ManagedProcess, ProcessError, free_port, start_mosquitto, start_redis, wait_until
from devstack.appdb import AppDatabase, app_database
from devstack.apps import python_process, start_asgi, start_bridge, wait_bridge_connected
from server.config import ASGI_APP

__all__ = [
    "Broker",
    "Cluster",
    "ManagedProcess",
    "ProcessError",
    "finish",
    "read_json",
    "start_together",
    "sync_args",
]


@dataclass(frozen=True)
class Broker:
    """A running Mosquitto: MQTT on ``port``, MQTT-over-WebSockets on ``ws_port``.

    Attributes:
        url: ``mqtt://[user:password@]127.0.0.1:<port>``, as devstack's handle gives it (with the
            test broker's own account when anonymous clients are refused).
    """

    process: ManagedProcess
    port: int
    ws_port: int
    url: str


READER = "vera"  # the viewer: the benchmark's WebSocket clients only read


@dataclass
class Cluster:
    """The processes of one benchmark; :meth:`close` (or the ``with`` block) stops them all.

    Its ASGI servers share one application database (:func:`devstack.appdb.app_database`), so a
    ticket from any of them opens a socket on any of them; the viewer's API token is in
    :attr:`token_file` for the client programs, which get a ticket per connection with it
    before the measured part.
    """

    workdir: Path
    processes: list[ManagedProcess] = field(default_factory=list)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _database: AppDatabase | None = None

    @property
    def database(self) -> AppDatabase:
        """The application database of the cluster's ASGI servers (prepared on first use)."""
        if self._database is None:
            self._database = app_database(self.workdir)
            self.token_file.write_text(self._database.tokens[READER])
            self.token_file.chmod(0o600)
        return self._database

    @property
    def token_file(self) -> Path:
        """The file holding the API token the client programs ask for tickets with (not their command line)."""
        return self.workdir / "api-token"

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every process, newest first."""
        for process in reversed(self.processes):
            process.stop(grace=10.0)
        self.processes.clear()

    def _own(self, process: ManagedProcess) -> ManagedProcess:
        self.processes.append(process)
        return process

    def _dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def broker(self, name: str = "mosquitto") -> Broker:
        """Start Mosquitto with an extra MQTT-over-WebSockets listener.

        Debian's Mosquitto 2.0.11 has libwebsockets built in, but its websockets listener
        ignores the bind address: that port listens on every interface while the benchmark
        runs (only the benchmark's own clients connect to it, on 127.0.0.1).
        """
        ws_port = free_port()
        server = start_mosquitto(
            self._dir(name), persistence=False, extra_config=f"listener {ws_port}\nprotocol websockets"
        )
        self._own(server.process)
        return Broker(process=server.process, port=server.port, ws_port=ws_port, url=server.url)

    def redis(self, name: str = "redis") -> tuple[ManagedProcess, str]:
        """Start Redis; returns the process and its URL."""
        server = start_redis(self._dir(name))
        return self._own(server.process), server.url

    def bridge(
        self,
        name: str,
        *,
        broker: Broker,
        redis_url: str,
        store: Path,
        layer: str = "redis-pubsub",
        tick_ms: int = 50,
        client_id: str | None = None,
        share_group: str | None = None,
        extra_env: dict[str, str] | None = None,
        module: str = "bridge",
        args: Sequence[str] = (),
        wait: bool = True,
    ) -> ManagedProcess:
        """Start ``python -m bridge`` (or ``module``); with ``wait``, until it is connected and subscribed.

        Without ``wait`` call :meth:`connected` later (start the ASGI servers in between: they
        take as long to import).
        """
        process = start_bridge(
            self._dir(name),
            name=name,
            mqtt_url=broker.url,
            store_url=f"sqlite:///{store}",
            layer=layer,
            redis_url=redis_url,
            tick_ms=tick_ms,
            client_id=client_id or f"bench-{name}-{os.getpid()}",
            share_group=share_group,
            extra_env=extra_env,
            module=module,
            args=args,
            wait=False,
        )
        self._own(process)
        if wait:
            self.connected(process)
        return process

    @staticmethod
    def connected(bridge: ManagedProcess) -> None:
        """Wait until ``bridge`` has connected to the broker and subscribed.

        Raises:
            ProcessError: it exited, or did not connect within 30 s (with its log).
        """
        wait_bridge_connected(bridge, timeout=30)

    def asgi(
        self,
        name: str,
        *,
        server: str,
        redis_url: str,
        store: Path,
        layer: str = "redis-pubsub",
        app: str = ASGI_APP,
        extra_args: Sequence[str] = (),
        extra_env: dict[str, str] | None = None,
    ) -> tuple[ManagedProcess, int]:
        """Start an ASGI server (``daphne`` or ``uvicorn``) serving ``app``; returns it and its port."""
        handle = start_asgi(
            self._dir(name),
            name=name,
            server=server,
            store_url=f"sqlite:///{store}",
            layer=layer,
            redis_url=redis_url,
            app=app,
            extra_args=extra_args,
            extra_env=extra_env,
            database=self.database,
        )
        return self._own(handle.process), handle.port

    def helper(self, name: str, module: str, args: Sequence[str]) -> ManagedProcess:
        """Start ``python -m <module> <args>`` (a load or client program); it stops by itself."""
        return self._own(python_process(self._dir(name), name, module, args)).start()

    def adopt(self, process: ManagedProcess) -> ManagedProcess:
        """Stop ``process`` (started elsewhere, e.g. by :func:`devstack.apps.start_edge`) with the others."""
        return self._own(process)

    def path(self, name: str) -> Path:
        """A file path in the benchmark's working directory."""
        return self.workdir / name


def start_together(
    cluster: Cluster, programs: list[tuple[ManagedProcess, Path]], *, lead: float = 0.5, go: str = "go"
) -> float:
    """Wait until every load program wrote its ready file, then release them all.

    Returns:
        The common start time (epoch seconds), ``lead`` seconds from now.

    Raises:
        ProcessError: a program exited before it was ready.
    """
    for process, ready in programs:
        wait_until(
            lambda p=process, r=ready: r.exists() or not p.running,  # type: ignore[misc]
            timeout=120,
            what=f"{process.name} ready",
            interval=0.05,
        )
        if not ready.exists():
            raise ProcessError(process.name, "exited before it was ready", log_tail=process.log_tail())
    start = time.time() + lead
    release(cluster.path(f"{go}.json"), start)
    return start


def sync_args(cluster: Cluster, name: str, *, go: str = "go") -> tuple[list[str], Path]:
    """``--ready-file``/``--go-file`` arguments for a load program, and its ready file."""
    ready = cluster.path(f"{name}.ready")
    return ["--ready-file", str(ready), "--go-file", str(cluster.path(f"{go}.json"))], ready


def finish(process: ManagedProcess, *, timeout: float) -> None:
    """Wait for a helper to exit by itself; stop it if it overruns.

    Raises:
        ProcessError: it failed or had to be stopped (with its log tail).
    """
    code = process.wait_exit(timeout)
    if code is None:
        process.stop()
        raise ProcessError(process.name, f"still running after {timeout:g} s", log_tail=process.log_tail())
    process.stop()
    if code != 0:
        raise ProcessError(process.name, f"exited with code {code}", log_tail=process.log_tail())


def read_json(path: Path) -> Any:
    """A helper's JSON output."""
    return json.loads(path.read_text())
