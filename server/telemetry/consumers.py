"""WebSocket consumer: a browser subscribes to devices and receives their live frames.

Thin by design: parsing is :func:`contract.live.parse_client_message`, frames arrive
pre-serialized from the bridge and are forwarded as they are.

Hot path (figures in docs/benchmarks.md). Channels' stock loop costs, for every
channel-layer event, a new task, an ``asyncio.wait`` and an ``aclose_old_connections()``
hop to a worker thread before the handler runs; live frames touch no database, so
:class:`LiveConsumer` runs its own loop instead:

* one long-lived task takes the client's messages through Channels' normal ``dispatch``
  (subscribe / unsubscribe are rare and may touch Django);
* one long-lived task takes channel-layer events and hands frames and statuses straight
  to the connection's :class:`Outbox`, skipping ``dispatch``;
* the outbox's writer task sends. While a send waits for a slow socket, only the newest
  frame per device is kept: an older one waiting beside it is superseded and counted
  (:data:`LIVE_STATS`, one warning per slow client). uvicorn's send waits by itself while
  the socket's buffer is full; daphne's would return at once (Twisted buffers without
  limit), so under daphne the send is wrapped by
  :func:`~server.telemetry.daphne_flow.flow_controlled` to wait while Twisted's write
  buffer is past its 64 KiB limit (under uvicorn ``send`` is used as it is).
  So a browser that stops reading costs the server a bounded amount of memory under both
  servers (tests/integration/test_slow_client.py); it sees the sequence gap and backfills
  it from history, and one slow browser never makes the layer, the process or the other
  clients wait.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from contract.errors import ContractError
from contract.live import (
    FLEET_GROUP,
    FRAME_EVENT,
    STATUS_EVENT,
    device_group,
    error_message,
    hello_message,
    parse_client_message,
    subscribed_message,
    to_text,
)
from server.accounts.sockets import SocketRefusedError, socket_principal
from server.telemetry.daphne_flow import Send, flow_controlled

log = logging.getLogger("sensebridge.live")


@dataclass(slots=True)
class LiveStats:
    """Counters of this process's live connections (for logs and the metrics endpoint).

    Attributes:
        connections: Open live connections.
        sent: Messages handed to the ASGI server.
        superseded: Frames replaced by a newer frame of the same device before a slow
            client could take them.
        slow_clients: Connections that had at least one frame superseded.
    """

    connections: int = 0
    sent: int = 0
    superseded: int = 0
    slow_clients: int = 0


LIVE_STATS = LiveStats()


class Outbox:
    """Everything sent to one client, in order, by one writer task.

    Messages queue in arrival order. While a send waits for the socket (the client reads
    slower than frames come), new frames go to a slot per device instead, where a newer
    frame replaces an older one; control messages and statuses always queue.
    """

    def __init__(self, send: Send, *, client: str = "?") -> None:
        """Create the outbox of one connection; ``send`` is the ASGI send callable."""
        self._send = send
        self.client = client
        self._queue: collections.deque[str] = collections.deque()
        self._latest: dict[str, str] = {}
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._sending = False
        self.superseded = 0

    def control(self, text: str) -> None:
        """Queue a message that must arrive (hello, subscribed, error, status)."""
        self._queue.append(text)
        self._kick()

    def frame(self, key: str, text: str) -> None:
        """Offer a live frame of device ``key``."""
        if not self._sending:
            self._queue.append(text)
        else:
            latest = self._latest
            if key in latest:
                self.superseded += 1
                LIVE_STATS.superseded += 1
                if self.superseded == 1:
                    LIVE_STATS.slow_clients += 1
                    log.warning("slow live client %s: keeping only the newest frame per device", self.client)
            latest[key] = text
        self._kick()

    def _kick(self) -> None:
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write())
        self._wake.set()

    async def _write(self) -> None:
        queue, latest, send = self._queue, self._latest, self._send
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while queue or latest:
                    text = queue.popleft() if queue else latest.pop(next(iter(latest)))
                    # Only observable by others when the send really waits (socket backpressure).
                    self._sending = True
                    await send({"type": "websocket.send", "text": text})
                    self._sending = False
                    LIVE_STATS.sent += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the client is gone: its disconnect event ends the consumer
            log.debug("live send to %s stopped: %r", self.client, exc)

    async def close(self) -> None:
        """Stop the writer (what is still waiting is dropped with the connection)."""
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer
            self._writer = None


def _receiver(layer: Any) -> Callable[[str], Awaitable[dict[str, Any]]]:
    """``layer.receive``, without channels_redis' pub/sub proxy's per-call lookup when it has one."""
    loop_layer = getattr(layer, "_get_layer", None)  # RedisPubSubChannelLayer: one layer per event loop
    receive: Callable[[str], Awaitable[dict[str, Any]]] = (loop_layer() if loop_layer else layer).receive
    return receive


class LiveConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """``/ws/live/``: fleet status for every signed-in user, frames for subscribed devices.

    The user is signed in at connect only (:mod:`server.accounts.sockets`); frames and
    client messages after that cost no credential check.
    """

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[Any]], send: Send) -> None:
        """Run the connection: client messages on this task, layer events on another."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.base_send = send
        client = scope.get("client") or ("?", 0)
        self.outbox = Outbox(flow_controlled(send), client=f"{client[0]}:{client[1]}")
        events = asyncio.ensure_future(self._layer_events())
        try:
            while True:
                await self.dispatch(await receive())
        except StopConsumer:
            pass
        finally:
            events.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await events
            await self.outbox.close()

    async def _layer_events(self) -> None:
        """Channel-layer events: frames and statuses skip ``dispatch`` (no database, no thread hop)."""
        receive, name, outbox = _receiver(self.channel_layer), self.channel_name, self.outbox
        try:
            while True:
                event = await receive(name)
                kind = event.get("type")
                if kind == FRAME_EVENT:
                    outbox.frame(event.get("device", ""), event["text"])
                elif kind == STATUS_EVENT:
                    outbox.control(event["text"])
                else:
                    await self.dispatch(event)
        except asyncio.CancelledError:
            raise
        except Exception:  # the layer failed: close, the browser reconnects and backfills
            log.exception("live channel-layer receive failed; closing the connection")
            await self.close(code=1011)

    async def connect(self) -> None:
        """Sign the client in (once, here), accept, join the fleet group, greet.

        A refused client is accepted and closed at once with the contract's close code and
        reason, before anything is sent (a browser sees the code; a refused handshake would
        only say "failed").
        """
        try:
            self.principal = await socket_principal(self.scope)
        except SocketRefusedError as exc:
            log.info("live client %s refused: %s", self.outbox.client, exc)
            await self.accept()
            await self.close(code=exc.code, reason=exc.reason)
            return
        self.devices: set[str] = set()
        await self.accept()
        LIVE_STATS.connections += 1
        await self.channel_layer.group_add(FLEET_GROUP, self.channel_name)
        self.outbox.control(to_text(hello_message()))

    async def disconnect(self, code: int) -> None:
        """Leave every group."""
        if hasattr(self, "devices"):
            LIVE_STATS.connections -= 1
        await self.channel_layer.group_discard(FLEET_GROUP, self.channel_name)
        for device in getattr(self, "devices", ()):
            await self.channel_layer.group_discard(device_group(device), self.channel_name)
        if self.outbox.superseded:
            log.info("live client %s left after %d superseded frames", self.outbox.client, self.outbox.superseded)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Handle ``subscribe`` / ``unsubscribe``; anything else gets an error, the socket stays open."""
        if not hasattr(self, "devices"):
            return  # refused at connect and closing: what it sent before the close is dropped
        if text_data is None:
            self.outbox.control(to_text(error_message("binary_unsupported", "send JSON text messages")))
            return
        try:
            change = parse_client_message(text_data)
        except ContractError as exc:
            self.outbox.control(to_text(error_message(exc.reason, exc.detail)))
            return
        for device in change.devices:
            if change.subscribe and device not in self.devices:
                await self.channel_layer.group_add(device_group(device), self.channel_name)
                self.devices.add(device)
            elif not change.subscribe and device in self.devices:
                await self.channel_layer.group_discard(device_group(device), self.channel_name)
                self.devices.discard(device)
        self.outbox.control(to_text(subscribed_message(sorted(self.devices))))
