"""Channel-layer construction, shared by the bridge and the Django settings.

One definition of what ``CHANNEL_LAYER`` means, so the bridge and the ASGI servers
always talk through the same kind of layer, and how the bridge sends into it.

``channels_redis``' pub/sub layer sends one message per Redis round trip, one after the
other (a lock per connection), which caps the bridge at one frame per round trip (measured
in docs/benchmarks.md: the live path fell behind at 1,000 frames/s on a busy 2-core
machine). :class:`PubSubGroupSender` publishes everything the live loop has ready in one
pipelined round trip, in the layer's own wire format, so the ASGI processes' layers
receive exactly what ``group_send`` would have sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, Protocol

from config import table as t


def validate_redis_url(url: str) -> str:
    """Return ``url`` if redis-py can connect with it (the ``REDIS_URL`` kind of the settings table).

    Raises:
        ValueError: with what is wrong.
    """
    try:
        return t.REDIS_URL.kind.parse(url)
    except ValueError as exc:
        raise ValueError(f"REDIS_URL {t.REDIS_URL.kind.shown(url)}: {exc}") from None


LAYERS = t.CHANNEL_LAYER.choices
# redis-py's pool raises MaxConnectionsError past 100 connections in use; channels_redis' core
# layer takes one per concurrent group_add/receive, so 1,000 browsers connecting at once
# crashed 901 consumers (docs/benchmarks.md). Redis itself accepts 10,000 clients by default.
REDIS_MAX_CONNECTIONS = 2000


def channel_layers_setting(kind: str, redis_url: str) -> dict[str, Any]:
    """Django ``CHANNEL_LAYERS`` for ``CHANNEL_LAYER=kind``.

    Raises:
        ValueError: unknown kind.
    """
    if kind == "memory":
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    host = {"address": redis_url, "max_connections": REDIS_MAX_CONNECTIONS}
    if kind == "redis-pubsub":
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [host]},
            }
        }
    if kind == "redis":
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [host], "capacity": 1000, "expiry": 10},
            }
        }
    raise ValueError(f"unknown CHANNEL_LAYER {kind!r}")


class GroupSender(Protocol):
    """What the bridge's live loop sends through: many group messages at once, in order."""

    async def group_send_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """Send every ``(group, message)``; messages to one group keep their order.

        Raises:
            Exception: whatever the layer raises; none of the messages may be assumed sent.
        """
        ...


class LayerSender:
    """Any Channels layer: one ``group_send`` per message, groups concurrently."""

    def __init__(self, layer: Any) -> None:
        """Wrap ``layer`` (anything with ``async group_send(group, message)``)."""
        self._layer = layer

    async def group_send_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """See :class:`GroupSender`."""
        by_group: dict[str, list[dict[str, Any]]] = {}
        for group, message in messages:
            by_group.setdefault(group, []).append(message)

        async def one_group(group: str, queued: list[dict[str, Any]]) -> None:
            for message in queued:
                await self._layer.group_send(group, message)

        results = await asyncio.gather(*(one_group(g, q) for g, q in by_group.items()), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result


class PubSubGroupSender:
    """``group_send`` for ``RedisPubSubChannelLayer`` consumers: every message in one pipelined round trip.

    Publishes on the channel the layer subscribes for a group (``<prefix>__group__<group>``)
    with the layer's own serializer (msgpack); tests check a real layer receives it.
    """

    def __init__(self, redis_url: str, *, prefix: str = "asgi") -> None:
        """Connect lazily to ``redis_url``."""
        from channels_redis.serializers import registry  # noqa: PLC0415 - only the bridge needs Redis
        from redis import asyncio as aioredis  # noqa: PLC0415

        self._redis = aioredis.Redis.from_url(redis_url)
        self._serializer = registry.get_serializer("msgpack")
        self._prefix = prefix

    def channel(self, group: str) -> str:
        """The Redis pub/sub channel of ``group``."""
        return f"{self._prefix}__group__{group}"

    async def group_send_many(self, messages: Sequence[tuple[str, dict[str, Any]]]) -> None:
        """See :class:`GroupSender`."""
        if not messages:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for group, message in messages:
                pipe.publish(self.channel(group), self._serializer.serialize(message))
            await pipe.execute()

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()


def build_sender(kind: str, redis_url: str) -> PubSubGroupSender | LayerSender:
    """The bridge's sender for ``CHANNEL_LAYER=kind``.

    Raises:
        ValueError: unknown kind, or ``memory`` (see :func:`build_layer`).
    """
    if kind == "redis-pubsub":
        validate_redis_url(redis_url)
        return PubSubGroupSender(redis_url)
    return LayerSender(build_layer(kind, redis_url))


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
