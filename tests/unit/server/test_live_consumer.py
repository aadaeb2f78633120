"""The live consumer over ASGI directly: an in-memory channel layer, a client whose socket can stall.

The client side is a pair of queues standing in for the ASGI server; closing ``gate``
makes every ``websocket.send`` wait, as a browser that stopped reading does under uvicorn.
Each browser signs in with a real single-use ticket (:mod:`live_accounts`); the refusals are
in test_ws_auth.py.
Conditions are awaited with a deadline, never with a bare sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from unittest import mock

import pytest
from channels.layers import InMemoryChannelLayer
from live_accounts import ticket_of  # configures Django with the accounts tables first

from contract.live import FLEET_GROUP, device_group, frame_event, status_event
from server.telemetry import consumers
from server.telemetry.consumers import LIVE_STATS, LiveConsumer

DEADLINE_S = 5.0


class Browser:
    """The ASGI server's side of one connection."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def receive(self) -> dict[str, Any]:
        return await self.inbox.get()

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "websocket.send":
            await self.gate.wait()
        self.sent.append(message)

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.sent if m["type"] == "websocket.send"]


async def eventually(condition: Callable[[], bool], what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE_S
    while not condition():
        if loop.time() > deadline:
            pytest.fail(f"not within {DEADLINE_S} s: {what}")
        await asyncio.sleep(0.005)


@contextlib.asynccontextmanager
async def connected(layer: InMemoryChannelLayer, devices: list[str]) -> AsyncIterator[tuple[LiveConsumer, Browser]]:
    """A consumer that signed the browser in with a ticket, greeted it and subscribed it to ``devices``."""
    browser = Browser()
    consumer = LiveConsumer()
    scope = {
        "type": "websocket",
        "path": "/ws/live/",
        "query_string": f"ticket={await ticket_of('vera')}".encode(),
        "client": ("127.0.0.1", 50000),
        "headers": [],
    }
    with mock.patch.object(consumers, "get_channel_layer", return_value=layer):
        task = asyncio.create_task(consumer(scope, browser.receive, browser.send))
        await browser.inbox.put({"type": "websocket.connect"})
        await eventually(lambda: len(browser.texts) == 1, "hello")
        if devices:
            subscribe = json.dumps({"type": "subscribe", "devices": devices})
            await browser.inbox.put({"type": "websocket.receive", "text": subscribe})
            await eventually(lambda: len(browser.texts) == 2, "subscribed")
        try:
            yield consumer, browser
        finally:
            await browser.inbox.put({"type": "websocket.disconnect", "code": 1000})
            async with asyncio.timeout(DEADLINE_S):
                await task


@pytest.fixture
def layer() -> InMemoryChannelLayer:
    return InMemoryChannelLayer()


async def test_greets_subscribes_and_forwards_frames_and_statuses_as_sent(layer: InMemoryChannelLayer) -> None:
    async with connected(layer, ["pi-a"]) as (_, browser):
        await layer.group_send(device_group("pi-a"), frame_event('{"type":"frame","n":1}', device="pi-a"))
        await layer.group_send(device_group("pi-b"), frame_event('{"type":"frame","n":2}', device="pi-b"))
        await layer.group_send(FLEET_GROUP, status_event('{"type":"status"}'))
        await eventually(lambda: len(browser.texts) == 4, "the frame and the status")

        assert browser.sent[0] == {"type": "websocket.accept", "subprotocol": None}
        assert browser.texts == [
            '{"type":"hello","protocol":2}',
            '{"type":"subscribed","devices":["pi-a"]}',
            '{"type":"frame","n":1}',
            '{"type":"status"}',
        ]


async def test_a_bad_client_message_gets_an_error_and_the_socket_stays_open(layer: InMemoryChannelLayer) -> None:
    async with connected(layer, []) as (_, browser):
        await browser.inbox.put({"type": "websocket.receive", "text": "not json"})
        await eventually(lambda: len(browser.texts) == 2, "the error")
        await browser.inbox.put({"type": "websocket.receive", "bytes": b"\x00"})
        await eventually(lambda: len(browser.texts) == 3, "the second error")

        assert '"code":"malformed_json"' in browser.texts[1]
        assert '"code":"binary_unsupported"' in browser.texts[2]
        assert not any(m["type"] == "websocket.close" for m in browser.sent)


async def test_live_events_skip_the_database_hop_that_client_messages_take(layer: InMemoryChannelLayer) -> None:
    hops = 0

    async def counted() -> None:
        nonlocal hops
        hops += 1

    with mock.patch("channels.consumer.aclose_old_connections", counted):
        async with connected(layer, ["pi-a"]) as (_, browser):
            after_subscribe = hops
            for n in range(20):
                await layer.group_send(device_group("pi-a"), frame_event(f'{{"n":{n}}}', device="pi-a"))
            await layer.group_send(FLEET_GROUP, status_event("{}"))
            await eventually(lambda: len(browser.texts) == 23, "20 frames and a status")

            assert after_subscribe == 2  # websocket.connect and the subscribe message
            assert hops == after_subscribe


async def test_a_slow_client_gets_the_newest_frame_per_device_and_is_counted(layer: InMemoryChannelLayer) -> None:
    async with connected(layer, ["pi-a", "pi-b"]) as (consumer, browser):
        before = LIVE_STATS.superseded, LIVE_STATS.slow_clients
        browser.gate.clear()  # the browser stops reading: sends wait
        await layer.group_send(device_group("pi-a"), frame_event("a1", device="pi-a"))
        await eventually(lambda: consumer.outbox._sending, "a1 stuck in a send")
        for text, device in (("a2", "pi-a"), ("a3", "pi-a"), ("b1", "pi-b")):
            await layer.group_send(device_group(device), frame_event(text, device=device))
        await layer.group_send(FLEET_GROUP, status_event("status"))
        await eventually(lambda: consumer.outbox.superseded == 1, "a2 superseded by a3")
        await eventually(lambda: len(consumer.outbox._queue) == 1, "the status queued")

        browser.gate.set()
        await eventually(lambda: len(browser.texts) == 6, "everything still waiting")

        assert browser.texts[2:] == ["a1", "status", "a3", "b1"]
        assert (LIVE_STATS.superseded, LIVE_STATS.slow_clients) == (before[0] + 1, before[1] + 1)


async def test_a_burst_to_a_reading_client_loses_nothing() -> None:
    layer = InMemoryChannelLayer(capacity=1000)  # the default 100 would drop part of the burst itself
    async with connected(layer, ["pi-a"]) as (consumer, browser):
        sends: list[Awaitable[None]] = [
            layer.group_send(device_group("pi-a"), frame_event(str(n), device="pi-a")) for n in range(200)
        ]
        await asyncio.gather(*sends)
        await eventually(lambda: len(browser.texts) == 202, "all 200 frames")

        assert browser.texts[2:] == [str(n) for n in range(200)]
        assert consumer.outbox.superseded == 0


async def test_disconnect_leaves_every_group(layer: InMemoryChannelLayer) -> None:
    async with connected(layer, ["pi-a", "pi-b"]):
        assert set(layer.groups) == {FLEET_GROUP, device_group("pi-a"), device_group("pi-b")}

    assert not any(layer.groups.values())
