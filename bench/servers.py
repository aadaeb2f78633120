"""The processes a benchmark runs: broker, Redis, bridges, ASGI servers and helper programs.

Everything listens on 127.0.0.1 on free ports and is stopped by PID when the benchmark's
``with`` block ends (and at interpreter exit if a run crashes). Mosquitto and Redis come
from the test fixtures' launcher (:mod:`tests.support.processes`), so the broker runs with
the repository's own ``mosquitto/conf.d``; the broker also gets an MQTT-over-WebSockets
listener for the direct-broker reference.

Exceptions:
    ProcessError: a server did not start (re-exported from the launcher, with its log tail).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.sync import release
from server.config import ASGI_APP, asgi_server_args
from tests.support.processes import ManagedProcess, ProcessError, free_port, start_mosquitto, start_redis

__all__ = [
    "Broker",
    "Cluster",
    "ManagedProcess",
    "ProcessError",
    "finish",
    "process_env",
    "read_json",
    "start_together",
    "sync_args",
    "wait_for",
]

REPO = Path(__file__).resolve().parent.parent
_OWN_PREFIXES = ("DJANGO_", "BRIDGE_", "EDGE_", "MQTT_", "STORE_", "REDIS_", "CHANNEL_", "ASGI_")


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.05) -> Any:
    """Poll ``check`` until it returns something truthy.

    Raises:
        TimeoutError: naming ``what``.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def process_env(**extra: str) -> dict[str, str]:
    """This interpreter's environment without sensebridge settings, the repo importable, ``extra`` on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_PREFIXES)}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


@dataclass(frozen=True)
class Broker:
    """A running Mosquitto: MQTT on ``port``, MQTT-over-WebSockets on ``ws_port``."""

    process: ManagedProcess
    port: int
    ws_port: int

    @property
    def url(self) -> str:
        """``mqtt://127.0.0.1:<port>``."""
        return f"mqtt://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    """The processes of one benchmark; :meth:`close` (or the ``with`` block) stops them all."""

    workdir: Path
    processes: list[ManagedProcess] = field(default_factory=list)
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

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
        process = start_mosquitto(
            self._dir(name), persistence=False, extra_config=f"listener {ws_port}\nprotocol websockets"
        )
        self._own(process)
        assert process.port is not None
        return Broker(process=process, port=process.port, ws_port=ws_port)

    def redis(self, name: str = "redis") -> tuple[ManagedProcess, str]:
        """Start Redis; returns the process and its URL."""
        process = self._own(start_redis(self._dir(name)))
        return process, f"redis://127.0.0.1:{process.port}/0"

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
        env = process_env(
            MQTT_URL=broker.url,
            STORE_URL=f"sqlite:///{store}",
            CHANNEL_LAYER=layer,
            REDIS_URL=redis_url,
            BRIDGE_TICK_MS=str(tick_ms),
            BRIDGE_CLIENT_ID=client_id or f"bench-{name}-{os.getpid()}",
            **({"BRIDGE_SHARE_GROUP": share_group} if share_group else {}),
            **(extra_env or {}),
        )
        process = ManagedProcess(name, [sys.executable, "-m", module, *args], workdir=self._dir(name), env=env)
        self._own(process).start()
        if wait:
            self.connected(process)
        return process

    @staticmethod
    def connected(bridge: ManagedProcess) -> None:
        """Wait until ``bridge`` has connected to the broker and subscribed.

        Raises:
            TimeoutError: not within 30 s (with its log).
        """
        wait_for(
            lambda: "bridge connected" in bridge.log_path.read_text(errors="replace") or not bridge.running,
            timeout=30,
            what=f"{bridge.name} to connect; log:\n{bridge.log_tail()}",
        )
        if not bridge.running:
            raise ProcessError(bridge.name, "exited before connecting", log_tail=bridge.log_tail())

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
        port = free_port()
        args = asgi_server_args(server, host="127.0.0.1", port=port, app=app)
        argv = [sys.executable, "-m", *args[:-1], *extra_args, args[-1]]
        env = process_env(
            DJANGO_SETTINGS_MODULE="server.settings",
            DJANGO_SECRET_KEY="benchmark-only",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            STORE_URL=f"sqlite:///{store}",
            CHANNEL_LAYER=layer,
            REDIS_URL=redis_url,
            **(extra_env or {}),
        )
        process = ManagedProcess(
            name, argv, workdir=self._dir(name), host="127.0.0.1", port=port, env=env, start_timeout=30.0
        )
        self._own(process).start()
        return process, port

    def helper(self, name: str, module: str, args: Sequence[str]) -> ManagedProcess:
        """Start ``python -m <module> <args>`` (a load or client program); it stops by itself."""
        process = ManagedProcess(
            name, [sys.executable, "-m", module, *args], workdir=self._dir(name), env=process_env()
        )
        return self._own(process).start()

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
        wait_for(lambda p=process, r=ready: r.exists() or not p.running, timeout=120, what=f"{process.name} ready")  # type: ignore[misc]
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
