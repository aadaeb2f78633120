"""The live consumer before the fast path (issue 2's version), for before/after figures.

It signs its clients in at connect as :class:`server.telemetry.consumers.LiveConsumer` does
(issue 13), so both take the same credentials and cost the same outside the frame path.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncWebsocketConsumer

from contract.errors import ContractError
from contract.live import (
    FLEET_GROUP,
    device_group,
    error_message,
    hello_message,
    parse_client_message,
    subscribed_message,
    to_text,
)
from server.accounts.sockets import SocketRefusedError, socket_principal


class StockLiveConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """``/ws/live/`` on Channels' stock dispatch path."""

    async def connect(self) -> None:
        try:
            await socket_principal(self.scope)
        except SocketRefusedError as exc:
            await self.accept()
            await self.close(code=exc.code, reason=exc.reason)
            return
        self.devices: set[str] = set()
        await self.accept()
        await self.channel_layer.group_add(FLEET_GROUP, self.channel_name)
        await self.send(text_data=to_text(hello_message()))

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(FLEET_GROUP, self.channel_name)
        for device in getattr(self, "devices", ()):
            await self.channel_layer.group_discard(device_group(device), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send(text_data=to_text(error_message("binary_unsupported", "send JSON text messages")))
            return
        try:
            change = parse_client_message(text_data)
        except ContractError as exc:
            await self.send(text_data=to_text(error_message(exc.reason, exc.detail)))
            return
        for device in change.devices:
            if change.subscribe and device not in self.devices:
                await self.channel_layer.group_add(device_group(device), self.channel_name)
                self.devices.add(device)
            elif not change.subscribe and device in self.devices:
                await self.channel_layer.group_discard(device_group(device), self.channel_name)
                self.devices.discard(device)
        await self.send(text_data=to_text(subscribed_message(sorted(self.devices))))

    async def telemetry_frame(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])

    async def device_status(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])
