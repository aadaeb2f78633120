"""WebSocket consumer: a browser subscribes to devices and receives their live frames.

Thin by design: parsing is :func:`contract.live.parse_client_message`, frames arrive
pre-serialized from the bridge and are forwarded as they are.
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


class LiveConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]
    """``/ws/live/``: fleet status for everyone, frames for subscribed devices."""

    async def connect(self) -> None:
        """Accept, join the fleet group, greet."""
        self.devices: set[str] = set()
        await self.accept()
        await self.channel_layer.group_add(FLEET_GROUP, self.channel_name)
        await self.send(text_data=to_text(hello_message()))

    async def disconnect(self, code: int) -> None:
        """Leave every group."""
        await self.channel_layer.group_discard(FLEET_GROUP, self.channel_name)
        for device in getattr(self, "devices", ()):
            await self.channel_layer.group_discard(device_group(device), self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Handle ``subscribe`` / ``unsubscribe``; anything else gets an error, the socket stays open."""
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
        """Forward a live frame, serialized once by the bridge."""
        await self.send(text_data=event["text"])

    async def device_status(self, event: dict[str, Any]) -> None:
        """Forward a device presence change."""
        await self.send(text_data=event["text"])
