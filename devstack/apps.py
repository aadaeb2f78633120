"""sensebridge's own processes: the bridge (``python -m bridge``), the ASGI server, edge agents.

Each is configured only through environment variables (:func:`devstack.env.app_env`), the way
it is deployed. Imports the project's ``server.config`` (how each ASGI server is started), so
it is not re-exported from the package root, which stays dependency-free.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devstack.appdb import SECRET_KEY, AppDatabase
from devstack.env import app_env
from devstack.handle import ServerHandle
from devstack.net import LOOPBACK
from devstack.process import ManagedProcess, ProcessError, start_on_port
from devstack.wait import WaitTimeoutError, wait_until
from server.config import ASGI_APP, asgi_server_args

BRIDGE_CONNECTED = "bridge connected"  # the line the bridge logs once it is subscribed
DJANGO_SETTINGS = {
    "DJANGO_SETTINGS_MODULE": "server.settings",
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    # Required (docs/settings.md). An empty in-memory database signs nobody in: a server whose
    # clients read telemetry is started on a prepared one (start_asgi's ``database``).
    "DATABASE_URL": "sqlite:///:memory:",
}


def python_process(
    workdir: Path, name: str, module: str, args: Sequence[str] = (), *, env: Mapping[str, str] | None = None
) -> ManagedProcess:
    """``python -m <module> <args>`` with this interpreter, not started yet.

    Args:
        workdir: Existing folder of its log ``<name>.log``.
        name: Process name.
        module: Module to run.
        args: Its arguments.
        env: Its environment (default: :func:`~devstack.env.app_env` with no settings).
    """
    return ManagedProcess(name, [sys.executable, "-m", module, *args], workdir=workdir, env=env or app_env())


def start_bridge(
    workdir: Path,
    *,
    mqtt_url: str,
    store_url: str,
    client_id: str,
    name: str = "bridge",
    layer: str = "redis-pubsub",
    redis_url: str = "",
    tick_ms: int | None = None,
    share_group: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    module: str = "bridge",
    args: Sequence[str] = (),
    wait: bool = True,
    connect_timeout: float = 30.0,
) -> ManagedProcess:
    """Start ``python -m bridge`` (or a variant ``module``); with ``wait``, until it is connected and subscribed.

    Args:
        workdir: Existing folder of its log ``<name>.log``.
        mqtt_url: ``MQTT_URL``.
        store_url: ``STORE_URL`` (``sqlite:///...`` or ``mongodb://...``).
        client_id: ``BRIDGE_CLIENT_ID``; unique per test, so persistent sessions never mix.
        name: Process name.
        layer: ``CHANNEL_LAYER``.
        redis_url: ``REDIS_URL`` (for the Redis layers).
        tick_ms: ``BRIDGE_TICK_MS``, or the bridge's default.
        share_group: ``BRIDGE_SHARE_GROUP`` (several bridges splitting the load).
        extra_env: More settings.
        module: The module run, for benchmark variants of the bridge.
        args: Its arguments.
        wait: Wait until connected; without it call :func:`wait_bridge_connected` later (start the
            ASGI servers in between: they take as long to import).
        connect_timeout: Seconds to wait.

    Raises:
        ProcessError: it exited or did not connect in time (log tail included).
    """
    settings = {"MQTT_URL": mqtt_url, "STORE_URL": store_url, "CHANNEL_LAYER": layer, "BRIDGE_CLIENT_ID": client_id}
    if redis_url:
        settings["REDIS_URL"] = redis_url
    if tick_ms is not None:
        settings["BRIDGE_TICK_MS"] = str(tick_ms)
    if share_group:
        settings["BRIDGE_SHARE_GROUP"] = share_group
    process = python_process(workdir, name, module, args, env=app_env(**{**settings, **(extra_env or {})}))
    process.start()
    if wait:
        wait_bridge_connected(process, timeout=connect_timeout)
    return process


def wait_bridge_connected(bridge: ManagedProcess, *, timeout: float = 30.0) -> None:
    """Wait until ``bridge`` has logged that it is connected and subscribed.

    Raises:
        ProcessError: it exited first or did not connect in time (log tail included).
    """
    try:
        wait_until(
            lambda: BRIDGE_CONNECTED in bridge.log_text() or not bridge.running,
            timeout=timeout,
            what=f"{bridge.name} to connect",
        )
    except WaitTimeoutError:
        raise ProcessError(bridge.name, f"not connected after {timeout:g} s", log_tail=bridge.log_tail()) from None
    if not bridge.running:
        raise ProcessError(
            bridge.name, f"exited with code {bridge.returncode} before connecting", log_tail=bridge.log_tail()
        )


def start_asgi(
    workdir: Path,
    *,
    server: str,
    store_url: str,
    layer: str = "redis-pubsub",
    redis_url: str = "",
    name: str | None = None,
    port: int | None = None,
    app: str = ASGI_APP,
    extra_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
    database: AppDatabase | None = None,
    start_timeout: float = 30.0,
) -> ServerHandle:
    """Start an ASGI server (``uvicorn`` or ``daphne``, as ``server.config`` runs it) serving ``app``.

    Args:
        workdir: Existing folder of its log ``<name>.log``.
        server: ``uvicorn`` or ``daphne``.
        store_url: ``STORE_URL``.
        layer: ``CHANNEL_LAYER``.
        redis_url: ``REDIS_URL`` (for the Redis layers).
        name: Process name (default: the server's).
        port: HTTP port; a free one when None.
        app: The ASGI application.
        extra_args: Server flags, put before the application.
        extra_env: More settings (the Django ones default to :data:`DJANGO_SETTINGS`).
        database: The application database (users, tokens, tickets, sessions) from
            :func:`devstack.appdb.app_database`; without it, an empty in-memory one that signs
            nobody in (only ``/api/v1/health`` and the Host/Origin checks answer as usual).
        start_timeout: Seconds to wait for the listener (Django and Channels take a while to import).

    Returns:
        The running server; its URL is ``http://127.0.0.1:<port>``.

    Raises:
        ProcessError: it exited or did not listen in time (log tail included).
    """
    settings = {
        **DJANGO_SETTINGS,
        **(database.env() if database else {}),
        "STORE_URL": store_url,
        "CHANNEL_LAYER": layer,
    }
    if redis_url:
        settings["REDIS_URL"] = redis_url
    env = app_env(**{**settings, **(extra_env or {})})

    def build(chosen: int) -> ManagedProcess:
        args = asgi_server_args(server, host=LOOPBACK, port=chosen, app=app)
        return ManagedProcess(
            name or server,
            [sys.executable, "-m", *args[:-1], *extra_args, args[-1]],
            workdir=workdir,
            host=LOOPBACK,
            port=chosen,
            env=env,
            start_timeout=start_timeout,
        )

    process = start_on_port(build, port)
    return ServerHandle(process, f"http://{LOOPBACK}:{process.port}")


def start_edge(
    workdir: Path,
    *,
    mqtt_url: str,
    device: str,
    rate_hz: float = 1.0,
    name: str = "edge",
    source: str = "simulator",
    outbox_dir: Path | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> ManagedProcess:
    """Start an edge agent (``python -m edge``) publishing ``device``'s readings.

    Args:
        workdir: Existing folder of its log ``<name>.log`` (and of its outbox by default).
        mqtt_url: ``MQTT_URL``.
        device: ``EDGE_DEVICE_ID``.
        rate_hz: ``EDGE_RATE_HZ``.
        name: Process name.
        source: ``EDGE_SOURCE``.
        outbox_dir: ``EDGE_OUTBOX_DIR`` (default ``workdir/outbox``).
        extra_env: More settings (``EDGE_ACK_TIMEOUT_S``, ``EDGE_STATUS_INTERVAL_S``...).

    Returns:
        The started agent. It opens no port, so nothing is waited for: a failure shows in its
        exit code and its log.
    """
    settings = {
        "MQTT_URL": mqtt_url,
        "EDGE_DEVICE_ID": device,
        "EDGE_SOURCE": source,
        "EDGE_RATE_HZ": f"{rate_hz:g}",
        "EDGE_OUTBOX_DIR": str(outbox_dir or workdir / "outbox"),
    }
    return python_process(workdir, name, "edge", env=app_env(**{**settings, **(extra_env or {})})).start()
