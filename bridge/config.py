"""Bridge settings: the ``bridge`` rows of the settings table (:mod:`config.table`), read once.

``python -m bridge`` calls :func:`load` (the environment); a program that embeds the bridge
builds a :class:`BridgeConfig` directly (each field defaults to the table's default). The
variables, defaults and ranges are in ``docs/settings.md``. Rules between settings, checked by
:func:`load` with every other problem:

* the broker settings follow :func:`contract.broker.broker_address` (password in ``MQTT_URL`` or
  ``MQTT_PASSWORD_FILE``, not both; ``MQTT_CA_FILE`` only with ``mqtts://``);
* ``BRIDGE_SHARE_GROUP`` contains no ``/ + #`` and needs ``MQTT_PROTOCOL=5``;
* without ``BRIDGE_CLIENT_ID`` the client id is ``sensebridge-bridge``, or per host with a
  share group (:func:`default_client_id`);
* ``STORE_URL`` wins over ``MONGO_URL`` (:func:`storage.factory.store_url`);
* a coarser rollup is kept at least as long as a finer one (:func:`storage.retention.retention_policy`).
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

import config
from bridge.layers import LAYERS
from config import Process
from config import table as t
from config.broker import DEFAULT_BROKER, broker_setting
from contract.broker import BrokerAddress
from storage.factory import store_url
from storage.retention import RetentionPolicy, retention_policy

__all__ = ["DEFAULT_BROKER", "LAYERS", "BridgeConfig", "default_client_id", "load"]

DEFAULT_CLIENT_ID = "sensebridge-bridge"


def default_client_id(share_group: str | None) -> str:
    """A fixed client id; per host when workers share a subscription, so replicas never evict each other."""
    return f"{DEFAULT_CLIENT_ID}-{socket.gethostname()}" if share_group else DEFAULT_CLIENT_ID


@dataclass(frozen=True, slots=True)
class BridgeConfig:
    """Typed bridge settings (``docs/settings.md`` has the variables).

    Attributes:
        broker: ``MQTT_URL``, ``MQTT_PASSWORD_FILE`` (read at load), ``MQTT_CA_FILE``.
        protocol: ``MQTT_PROTOCOL``.
        client_id: ``BRIDGE_CLIENT_ID`` (or :func:`default_client_id`).
        share_group: ``BRIDGE_SHARE_GROUP``.
        session_expiry_s: ``BRIDGE_SESSION_EXPIRY_S``.
        tick_ms: ``BRIDGE_TICK_MS``.
        max_future_ms: ``BRIDGE_MAX_FUTURE_S``, in milliseconds.
        store_batch: ``BRIDGE_STORE_BATCH``.
        store_linger_ms: ``BRIDGE_STORE_LINGER_MS``.
        max_pending: ``BRIDGE_MAX_PENDING``.
        store_url: ``STORE_URL`` (or ``MONGO_URL``).
        channel_layer: ``CHANNEL_LAYER``.
        redis_url: ``REDIS_URL``.
        retention: ``RETENTION_*_DAYS``.
    """

    broker: BrokerAddress = DEFAULT_BROKER
    protocol: str = t.MQTT_PROTOCOL.default_value
    client_id: str = DEFAULT_CLIENT_ID
    share_group: str | None = None
    session_expiry_s: int = t.BRIDGE_SESSION_EXPIRY_S.default_value
    tick_ms: int = t.BRIDGE_TICK_MS.default_value
    max_future_ms: int = t.BRIDGE_MAX_FUTURE_S.default_value * 1000
    store_batch: int = t.BRIDGE_STORE_BATCH.default_value
    store_linger_ms: int = t.BRIDGE_STORE_LINGER_MS.default_value
    max_pending: int = t.BRIDGE_MAX_PENDING.default_value
    store_url: str = t.STORE_URL.default_value
    channel_layer: str = t.CHANNEL_LAYER.default_value
    redis_url: str = t.REDIS_URL.default_value
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


def load(environ: Mapping[str, str] | None = None) -> BridgeConfig:
    """Read and check the bridge's settings from ``environ`` (default ``os.environ``).

    Raises:
        config.ConfigError: listing every problem at once.
    """
    values = config.read(Process.BRIDGE, environ)
    broker = broker_setting(values)
    protocol = values[t.MQTT_PROTOCOL]
    share_group = values.get(t.BRIDGE_SHARE_GROUP)
    if share_group and any(c in share_group for c in "/+#"):
        values.problem(t.BRIDGE_SHARE_GROUP, f"={share_group!r}: must not contain / + #")
    if share_group and protocol != "5":
        values.problem(t.BRIDGE_SHARE_GROUP, "needs MQTT_PROTOCOL=5")
    settings = BridgeConfig(
        broker=broker,
        protocol=protocol,
        client_id=values.get(t.BRIDGE_CLIENT_ID) or default_client_id(share_group),
        share_group=share_group,
        session_expiry_s=values[t.BRIDGE_SESSION_EXPIRY_S],
        tick_ms=values[t.BRIDGE_TICK_MS],
        max_future_ms=values[t.BRIDGE_MAX_FUTURE_S] * 1000,
        store_batch=values[t.BRIDGE_STORE_BATCH],
        store_linger_ms=values[t.BRIDGE_STORE_LINGER_MS],
        max_pending=values[t.BRIDGE_MAX_PENDING],
        store_url=store_url(values),
        channel_layer=values[t.CHANNEL_LAYER],
        redis_url=values[t.REDIS_URL],
        retention=retention_policy(values),
    )
    values.check()
    return settings
