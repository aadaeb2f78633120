"""The embedded mode: broker, bridge, ASGI server, SQLite and simulated devices in one process.

Daphne owns the event loop (Twisted's asyncio reactor); everything else starts on that
same loop once the reactor runs, so the bridge and the consumers share the in-memory
channel layer. Shutdown (Ctrl+C) runs in reverse order: devices say goodbye, the
bridge stores what it holds, the store closes, the broker saves its state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bridge.worker import BridgeWorker
from contract.broker import BrokerAddress
from edge.config import EdgeConfig
from edge.errors import EdgeError
from server.config import ServerConfig
from server.embedded import parts
from server.embedded.broker import Broker, BrokerError
from server.embedded.network import lan_address
from storage import Store, StoreError, open_store
from storage.maintenance import run_maintenance

log = logging.getLogger("sensebridge.embedded")

BRIDGE_CONNECT_TIMEOUT_S = 15.0
LOCAL_BROKER_HOST = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class EmbeddedOptions:
    """What the user asked for on the command line, and the web tier's settings made from it."""

    host: str
    http_port: int
    mqtt_host: str
    mqtt_port: int
    devices: int
    rate_hz: float
    seed: int
    data_dir: Path
    tick_ms: int
    server: ServerConfig


def banner(options: EmbeddedOptions, broker: Broker, devices: list[str], login: Sequence[str] = ()) -> str:
    """What the user needs to know once everything runs (``login``: how to log in, from the accounts app)."""
    from server.embedded.access import add_device_command  # noqa: PLC0415 - needs Django set up first

    lan = lan_address()
    http_local = f"http://127.0.0.1:{options.http_port}/"
    lines = ["", "sensebridge embedded mode is running", f"  dashboard:   {http_local}"]
    wildcard = ("0.0.0.0", "")  # noqa: S104 - comparing, not binding
    if lan and options.host in wildcard:
        lines.append(f"               http://{lan}:{options.http_port}/  (from other machines on your LAN)")
    lines += login
    mqtt_host = lan if lan and options.mqtt_host in wildcard else options.mqtt_host
    if mqtt_host in wildcard:
        mqtt_host = "127.0.0.1"
    broker_url = f"mqtt://{mqtt_host}:{options.mqtt_port}"
    add_device = add_device_command(
        database_url=options.server.database_url, data_dir=options.data_dir, broker_url=broker_url
    )
    lines += [
        f"  MQTT broker: {broker_url}  ({broker.name}, MQTT {broker.protocol}; accounts only, no anonymous access)",
        "               add a real Pi (prints its user, password and settings once):",
        f"               {add_device}",
        f"  devices:     {', '.join(devices) if devices else '(none simulated)'}"
        + (f"  (simulated, {options.rate_hz:g} Hz)" if devices else ""),
        f"  data:        {options.data_dir}/",
        "Press Ctrl+C to stop.",
        "",
    ]
    return "\n".join(lines)


DeviceStarter = Callable[[EdgeConfig, Mapping[str, BrokerAddress]], Any]
"""Starts the simulated devices of a configuration, each logged in as itself; returns a handle with ``stop()``."""


@dataclass
class EmbeddedRunner:
    """Starts and stops the parts, in order, on the running event loop."""

    options: EmbeddedOptions
    broker: Broker
    start_devices: DeviceStarter
    device_ids: list[str]
    exit_code: int = 0
    _store: Store | None = None
    _bridge_task: asyncio.Task[None] | None = None
    _maintenance_task: asyncio.Task[None] | None = None
    _devices: Any = None
    _stopped: bool = False
    on_fatal: Callable[[], None] | None = None

    async def start(self) -> None:
        """Start broker, store, bridge and devices; print the banner. Fatal errors stop the process."""
        from channels.db import database_sync_to_async  # noqa: PLC0415 - needs Django set up first
        from channels.layers import get_channel_layer  # noqa: PLC0415 - needs Django set up first
        from django.db import DatabaseError  # noqa: PLC0415

        from server.accounts.bootstrap import embedded_admin_ensure  # noqa: PLC0415 - needs Django set up first
        from server.embedded.access import embedded_accounts_ensure  # noqa: PLC0415 - needs Django set up first
        from server.mqtt_accounts.errors import MqttAccountError  # noqa: PLC0415
        from server.telemetry.store_access import use_store  # noqa: PLC0415 - needs Django set up first

        opts = self.options
        try:
            # The first start creates an admin; its password goes into the banner this once.
            login = await database_sync_to_async(embedded_admin_ensure)(
                data_dir=opts.data_dir, database_url=opts.server.database_url
            )
            # Every start gives the bridge and the simulated devices new passwords, written for the broker.
            credentials = await database_sync_to_async(embedded_accounts_ensure)(
                data_dir=opts.data_dir, devices=self.device_ids
            )
            await self.broker.start()
            self._store = await open_store(opts.server.store_url, retention=opts.server.retention)
            use_store(self._store)
            protocol = self.broker.protocol
            broker = credentials.bridge_address(LOCAL_BROKER_HOST, opts.mqtt_port)
            bridge = parts.bridge_config(opts.server, broker=broker, protocol=protocol, tick_ms=opts.tick_ms)
            worker = BridgeWorker(bridge, store=self._store, layer=get_channel_layer())
            self._bridge_task = asyncio.create_task(worker.run(), name="embedded-bridge")
            self._maintenance_task = asyncio.create_task(run_maintenance(self._store), name="embedded-retention")
            async with asyncio.timeout(BRIDGE_CONNECT_TIMEOUT_S):
                await worker.connected.wait()
            if opts.devices:
                devices = parts.edge_config(
                    opts.data_dir,
                    broker=BrokerAddress(LOCAL_BROKER_HOST, opts.mqtt_port),
                    protocol=protocol,
                    count=opts.devices,
                    rate_hz=opts.rate_hz,
                    seed=opts.seed,
                )
                brokers = {d: credentials.device_address(d, LOCAL_BROKER_HOST, opts.mqtt_port) for d in devices.devices}
                self._devices = await asyncio.to_thread(self.start_devices, devices, brokers)
        except (BrokerError, StoreError, EdgeError, TimeoutError, OSError, DatabaseError, MqttAccountError) as exc:
            log.error("embedded mode failed to start: %s", exc)  # noqa: TRY400 - the message is the whole story
            self.exit_code = 1
            await self.stop()
            if self.on_fatal is not None:
                self.on_fatal()
            return
        print(banner(opts, self.broker, self.device_ids, login), file=sys.stderr, flush=True)

    async def stop(self) -> None:
        """Stop everything that started, newest first. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        if self._devices is not None:
            await asyncio.to_thread(self._devices.stop)
        if self._bridge_task is not None:
            self._bridge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._bridge_task
        if self._maintenance_task is not None:
            self._maintenance_task.cancel()
            await asyncio.gather(self._maintenance_task, return_exceptions=True)
        if self._store is not None:
            await self._store.close()
        await self.broker.stop()
        log.info("embedded mode stopped")
