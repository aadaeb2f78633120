"""Bridge settings, read once from the environment.

| Variable | Default | Meaning |
|---|---|---|
| ``MQTT_URL`` | ``mqtt://127.0.0.1:1883`` | Broker, ``mqtt://[user[:password]@]host[:port]`` |
| ``MQTT_PROTOCOL`` | ``5`` | ``5`` or ``3.1.1`` (the embedded amqtt broker speaks only 3.1.1) |
| ``BRIDGE_CLIENT_ID`` | ``sensebridge-bridge`` | Fixed client id: the broker keeps the session across restarts; |
| | (``-<hostname>`` appended with a share group) | replicas on a shared subscription need one each |
| ``BRIDGE_SHARE_GROUP`` | (empty) | Shared-subscription group; set it to run several workers |
| ``BRIDGE_SESSION_EXPIRY_S`` | ``86400`` | How long the broker queues messages for a stopped worker (v5) |
| ``BRIDGE_TICK_MS`` | ``50`` | Live frames per device at most once per tick |
| ``BRIDGE_MAX_FUTURE_S`` | ``300`` | Readings dated further ahead of the bridge clock are rejected |
| ``BRIDGE_STORE_BATCH`` | ``5000`` | Readings per store transaction at most |
| ``BRIDGE_STORE_LINGER_MS`` | ``20`` | How long a store write waits for more readings (a full batch goes at once) |
| ``BRIDGE_MAX_PENDING`` | ``200000`` | Readings held while the store is down; more are dropped unacknowledged |
| ``STORE_URL`` | ``sqlite:///var/sensebridge.sqlite3`` | Reading store (else ``MONGO_URL``: :mod:`storage.factory`) |
| ``RETENTION_*_DAYS`` | ``90``/``730``/``0`` | Raw/minute/hour retention, 0 = forever (:mod:`storage.retention`) |
| ``CHANNEL_LAYER`` | ``redis-pubsub`` | ``redis-pubsub`` or ``redis`` (``memory`` only inside the embedded runner) |
| ``REDIS_URL`` | ``redis://127.0.0.1:6379/0`` | Channel layer's Redis |
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

from bridge.layers import LAYERS, read_layer_settings
from contract.broker import BrokerAddress, parse_mqtt_url, parse_protocol
from storage.factory import read_store_settings
from storage.retention import RetentionPolicy

__all__ = ["LAYERS", "BridgeConfig", "ConfigError", "load"]


class ConfigError(ValueError):
    """Settings are missing or invalid; ``problems`` lists every one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid bridge settings:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class BridgeConfig:
    """Typed bridge settings (see the module docstring for the variables)."""

    broker: BrokerAddress
    protocol: str
    client_id: str
    share_group: str | None
    session_expiry_s: int
    tick_ms: int
    max_future_ms: int
    store_batch: int
    store_linger_ms: int
    max_pending: int
    store_url: str
    channel_layer: str
    redis_url: str
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


def default_client_id(share_group: str | None) -> str:
    """A fixed client id; per host when workers share a subscription, so replicas never evict each other."""
    return f"sensebridge-bridge-{socket.gethostname()}" if share_group else "sensebridge-bridge"


def _int(env: Mapping[str, str], name: str, *, default: int, lo: int, hi: int, problems: list[str]) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        problems.append(f"{name}={raw!r}: not an integer")
        return default
    if not lo <= value <= hi:
        problems.append(f"{name}={value}: must be between {lo} and {hi}")
    return value


def load(env: Mapping[str, str] | None = None) -> BridgeConfig:
    """Read and validate the settings.

    Raises:
        ConfigError: listing every problem at once.
    """
    env = os.environ if env is None else env
    problems: list[str] = []
    broker = BrokerAddress("127.0.0.1", 1883)
    try:
        broker = parse_mqtt_url(env.get("MQTT_URL", "mqtt://127.0.0.1:1883"))
    except ValueError as exc:
        problems.append(str(exc))
    protocol = env.get("MQTT_PROTOCOL", "5")
    try:
        parse_protocol(protocol)
    except ValueError as exc:
        problems.append(str(exc))
    store_url, retention = read_store_settings(env, problems)
    layer, redis_url = read_layer_settings(env, problems)
    share_group = env.get("BRIDGE_SHARE_GROUP", "").strip() or None
    if share_group and any(c in share_group for c in "/+#"):
        problems.append(f"BRIDGE_SHARE_GROUP={share_group!r}: must not contain / + #")
    if share_group and protocol != "5":
        problems.append("BRIDGE_SHARE_GROUP needs MQTT_PROTOCOL=5")
    config = BridgeConfig(
        broker=broker,
        protocol=protocol,
        client_id=env.get("BRIDGE_CLIENT_ID", "").strip() or default_client_id(share_group),
        share_group=share_group,
        session_expiry_s=_int(env, "BRIDGE_SESSION_EXPIRY_S", default=86400, lo=0, hi=2**32 - 1, problems=problems),
        tick_ms=_int(env, "BRIDGE_TICK_MS", default=50, lo=0, hi=10_000, problems=problems),
        max_future_ms=_int(env, "BRIDGE_MAX_FUTURE_S", default=300, lo=0, hi=86400 * 365, problems=problems) * 1000,
        store_batch=_int(env, "BRIDGE_STORE_BATCH", default=5000, lo=1, hi=1_000_000, problems=problems),
        store_linger_ms=_int(env, "BRIDGE_STORE_LINGER_MS", default=20, lo=0, hi=10_000, problems=problems),
        max_pending=_int(env, "BRIDGE_MAX_PENDING", default=200_000, lo=1000, hi=100_000_000, problems=problems),
        store_url=store_url,
        retention=retention,
        channel_layer=layer,
        redis_url=redis_url,
    )
    if problems:
        raise ConfigError(problems)
    return config
