"""The settings objects of the embedded mode's parts, built directly (no environment in between).

The embedded mode reads only its own rows of the settings table from the environment
(``embedded`` in ``docs/settings.md``: the secret key, debug, allowed hosts, public URLs, the
dashboard folder, retention); everything else follows from its command line and its data folder.
The Host allow-list is derived, never ``*``: the names the bind address is reached by, the
public URLs' hosts (``--public-url`` wins over ``PUBLIC_URLS``) and ``DJANGO_ALLOWED_HOSTS``
(:mod:`server.hosts`, docs/security.md). Files:

    <data dir>/sensebridge.sqlite3   the reading store
    <data dir>/app.sqlite3           the application database (migrated at start)
    <data dir>/edge/                 the simulated devices' outboxes
    <data dir>/mosquitto/            the broker's state
    <data dir>/mqtt-access/          the broker's passwords and acl files (server.embedded.access)
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path

import config
from bridge.config import BridgeConfig
from config import Process
from config import table as t
from contract.broker import BrokerAddress
from edge.config import DEFAULT_SIMULATION_PREFIX, EdgeConfig, simulated_ids
from server.config import DEFAULT_DASHBOARD_DIR, ServerConfig
from server.hosts import allowed_hosts, bind_hosts
from storage.retention import retention_policy

STORE_FILE = "sensebridge.sqlite3"
DATABASE_FILE = "app.sqlite3"
OUTBOX_DIR = "edge"
BRIDGE_CLIENT_ID = "sensebridge-embedded-bridge"


def sqlite_url(path: Path) -> str:
    """The ``sqlite:////absolute/path`` URL of ``path``."""
    return f"sqlite:///{path.resolve()}"


def server_config(
    data_dir: Path,
    environ: Mapping[str, str] | None = None,
    *,
    bind: str,
    public_urls: tuple[str, ...] = (),
    machine_names: Iterable[str] = (),
) -> ServerConfig:
    """The web tier's settings: in-memory channel layer, both SQLite files in ``data_dir``.

    Without ``DJANGO_SECRET_KEY`` a random key is made (sessions end with the process).

    Args:
        data_dir: The data folder.
        environ: The environment (default ``os.environ``); only its embedded rows are read.
        bind: The HTTP bind address (``--host``).
        public_urls: ``--public-url`` values, already checked; they win over ``PUBLIC_URLS``.
        machine_names: This machine's host name and LAN addresses, allowed with a wildcard
            bind (:func:`server.embedded.network.machine_names`).

    Raises:
        config.ConfigError: the embedded rows of ``environ`` are invalid.
    """
    values = config.read(Process.EMBEDDED, environ)
    retention = retention_policy(values)
    values.check()
    public: tuple[str, ...] = public_urls or values.get(t.PUBLIC_URLS) or ()
    configured: tuple[str, ...] = values[t.DJANGO_ALLOWED_HOSTS]
    hosts = allowed_hosts(configured=configured, public_urls=public, bind_names=bind_hosts(bind, machine_names))
    return ServerConfig(
        secret_key=values.get(t.DJANGO_SECRET_KEY) or secrets.token_urlsafe(32),
        database_url=sqlite_url(data_dir / DATABASE_FILE),
        debug=values[t.DJANGO_DEBUG],
        allowed_hosts=hosts,
        public_urls=public,
        trusted_proxies=values.get(t.TRUSTED_PROXIES) or (),
        hsts_seconds=values[t.HSTS_SECONDS],
        store_url=sqlite_url(data_dir / STORE_FILE),
        channel_layer="memory",
        dashboard_dir=values.get(t.DASHBOARD_DIR) or DEFAULT_DASHBOARD_DIR,
        retention=retention,
    )


def bridge_config(server: ServerConfig, *, broker: BrokerAddress, protocol: str, tick_ms: int) -> BridgeConfig:
    """The bridge's settings: the web tier's store and layer, a fixed client id, ``tick_ms``."""
    return BridgeConfig(
        broker=broker,
        protocol=protocol,
        client_id=BRIDGE_CLIENT_ID,
        tick_ms=tick_ms,
        store_url=server.store_url,
        channel_layer=server.channel_layer,
        retention=server.retention,
    )


def edge_config(
    data_dir: Path, *, broker: BrokerAddress, protocol: str, count: int, rate_hz: float, seed: int
) -> EdgeConfig:
    """The simulated devices' settings: ``sim-1`` .. ``sim-<count>``, outboxes in ``data_dir``."""
    return EdgeConfig(
        broker=broker,
        mqtt_protocol=protocol,
        devices=simulated_ids(DEFAULT_SIMULATION_PREFIX, count),
        rate_hz=rate_hz,
        seed=seed,
        outbox_dir=data_dir / OUTBOX_DIR,
    )
