"""``CHANNEL_LAYER`` -> Django ``CHANNEL_LAYERS`` and the bridge's own layer instance."""

from __future__ import annotations

from typing import Any

import pytest
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

from bridge.config import LAYERS
from bridge.layers import REDIS_MAX_CONNECTIONS, build_layer, channel_layers_setting

REDIS = "redis://127.0.0.1:6399/3"  # never connected to: building a layer opens no connection
HOST = {"address": REDIS, "max_connections": REDIS_MAX_CONNECTIONS}


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        pytest.param("memory", {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}, id="memory"),
        pytest.param(
            "redis-pubsub",
            {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [HOST]}}},
            id="redis-pubsub",
        ),
        pytest.param(
            "redis",
            {
                "default": {
                    "BACKEND": "channels_redis.core.RedisChannelLayer",
                    "CONFIG": {"hosts": [HOST], "capacity": 1000, "expiry": 10},
                }
            },
            id="redis",
        ),
    ],
)
def test_channel_layers_setting(kind: str, expected: dict[str, Any]) -> None:
    assert channel_layers_setting(kind, REDIS) == expected


def test_every_configurable_kind_has_a_setting() -> None:
    for kind in LAYERS:
        assert channel_layers_setting(kind, REDIS)["default"]["BACKEND"]


@pytest.mark.parametrize("kind", ["", "kafka", "Redis"])
def test_unknown_kind_is_refused(kind: str) -> None:
    with pytest.raises(ValueError, match="CHANNEL_LAYER"):
        channel_layers_setting(kind, REDIS)
    with pytest.raises(ValueError, match="CHANNEL_LAYER"):
        build_layer(kind, REDIS)


def test_build_layer_refuses_memory_it_would_reach_no_other_process() -> None:
    with pytest.raises(ValueError, match="memory"):
        build_layer("memory", REDIS)


@pytest.mark.parametrize(
    ("kind", "cls"),
    [("redis-pubsub", RedisPubSubChannelLayer), ("redis", RedisChannelLayer)],
    ids=["redis-pubsub", "redis"],
)
def test_build_layer_makes_the_configured_backend(kind: str, cls: type) -> None:
    assert type(build_layer(kind, REDIS)) is cls


def test_the_redis_pool_allows_a_thousand_browsers_connecting_at_once() -> None:
    # redis-py's default (100) crashed 901 of 1,000 consumers of the core layer (docs/benchmarks.md).
    assert REDIS_MAX_CONNECTIONS >= 1000
    for kind in ("redis", "redis-pubsub"):
        assert channel_layers_setting(kind, REDIS)["default"]["CONFIG"]["hosts"] == [HOST]
