"""Channel-layer construction, shared by the bridge and the Django settings.

One definition of what ``CHANNEL_LAYER`` means, so the bridge and the ASGI servers
always talk through the same kind of layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

REDIS_SCHEMES = ("redis", "rediss", "unix")


def validate_redis_url(url: str) -> str:
    """Return ``url`` if redis-py can connect with it.

    Raises:
        ValueError: with what is wrong.
    """
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES or not (parts.hostname or parts.path):
        raise ValueError(f"REDIS_URL {url!r}: expected redis://host[:port][/db] (or rediss://, unix://)")
    return url


LAYERS = ("redis-pubsub", "redis", "memory")


def read_layer_settings(env: Mapping[str, str], problems: list[str]) -> tuple[str, str]:
    """``CHANNEL_LAYER`` and ``REDIS_URL`` from ``env``; what is wrong goes to ``problems``."""
    layer = env.get("CHANNEL_LAYER", "redis-pubsub")
    if layer not in LAYERS:
        problems.append(f"CHANNEL_LAYER={layer!r}: expected one of {', '.join(LAYERS)}")
    redis_url = env.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    if layer != "memory":
        try:
            validate_redis_url(redis_url)
        except ValueError as exc:
            problems.append(str(exc))
    return layer, redis_url


def channel_layers_setting(kind: str, redis_url: str) -> dict[str, Any]:
    """Django ``CHANNEL_LAYERS`` for ``CHANNEL_LAYER=kind``.

    Raises:
        ValueError: unknown kind.
    """
    if kind == "memory":
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if kind == "redis-pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis_url]},
            }
        }
    if kind == "redis":
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis_url], "capacity": 1000, "expiry": 10},
            }
        }
    raise ValueError(f"unknown CHANNEL_LAYER {kind!r}")


def build_layer(kind: str, redis_url: str) -> Any:
    """A channel layer instance for a process without Django settings (the bridge).

    Raises:
        ValueError: unknown kind, or ``memory`` (an in-memory layer reaches no other process).
    """
    if kind == "memory":
        raise ValueError("CHANNEL_LAYER=memory reaches no other process; use it only in the embedded runner")
    config = channel_layers_setting(kind, redis_url)["default"]
    module_name, _, class_name = config["BACKEND"].rpartition(".")
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name)(**config["CONFIG"])
