"""The bridge's pipelined pub/sub sender against a real Redis and channels_redis' own pub/sub layer.

The sender publishes in the layer's wire format without going through the layer, so this
is the test that fails if channels_redis ever changes that format.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels_redis.pubsub import RedisPubSubChannelLayer
from redis.exceptions import ConnectionError as RedisConnectionError

from bridge.layers import PubSubGroupSender, build_sender
from contract.live import frame_event, status_event
from devstack import ServerHandle

pytestmark = pytest.mark.integration
DEADLINE_S = 5.0


async def receive(layer: RedisPubSubChannelLayer, channel: str) -> dict[str, Any]:
    async with asyncio.timeout(DEADLINE_S):
        event: dict[str, Any] = await layer.receive(channel)
    return event


async def test_a_layer_member_receives_every_message_in_order(redis_server: ServerHandle) -> None:
    layer = RedisPubSubChannelLayer(hosts=[redis_server.url])
    sender = build_sender("redis-pubsub", redis_server.url)
    assert isinstance(sender, PubSubGroupSender)
    try:
        a, b = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("device.pi-a", a)
        await layer.group_add("device.pi-b", b)
        await layer.group_add("fleet", a)
        await layer.group_add("fleet", b)

        await sender.group_send_many(
            [("device.pi-a", frame_event(f'{{"n":{n}}}', device="pi-a")) for n in range(50)]
            + [("device.pi-b", frame_event('{"n":"b"}', device="pi-b")), ("fleet", status_event("{}"))]
        )

        assert [await receive(layer, a) for _ in range(51)] == [
            *(frame_event(f'{{"n":{n}}}', device="pi-a") for n in range(50)),
            status_event("{}"),
        ]
        assert [await receive(layer, b) for _ in range(2)] == [
            frame_event('{"n":"b"}', device="pi-b"),
            status_event("{}"),
        ]
    finally:
        await sender.close()
        await layer.flush()


async def test_a_redis_outage_raises_so_the_bridge_counts_it(redis_server: ServerHandle) -> None:
    sender = PubSubGroupSender(redis_server.url)
    redis_server.stop()
    try:
        with pytest.raises(RedisConnectionError):
            await sender.group_send_many([("fleet", status_event("{}"))])
    finally:
        await sender.close()
