"""Live contract v1: what travels from the bridge through Channels to the browser.

Channels group names, channel-layer events and the WebSocket messages the browser sees.
The messages are defined in :mod:`contract.spec.ws`; these builders are the fast path
(the bridge builds a frame per device per tick), and the unit tests prove that what they
build validates against the generated schemas.

Channel-layer events carry only msgpack-safe primitives and are named
``<area>.<noun>``; the WebSocket text is serialized once by the bridge and forwarded
as is by every consumer.

Browser -> server::

    {"type": "subscribe",   "devices": ["pi-kitchen", ...]}
    {"type": "unsubscribe", "devices": ["pi-kitchen", ...]}

Server -> browser (times: epoch ms; ``device_ts`` is the device's clock, ``received_ts``
the bridge's when it received the MQTT message)::

    {"type": "hello", "protocol": 2}
    {"type": "subscribed", "devices": [...]}          # the full current set
    {"type": "frame", "device": d, "boot": b, "seq": [first, last],
     "readings": [{"seq": n, "device_ts": ms, "received_ts": ms, "temperature": 21.5, ...}, ...]}
    {"type": "status", "device": d, "online": true, "boot": b, "device_ts": ms | null,
     "received_ts": ms, "pending": n | null, "dropped": n | null}
    {"type": "error", "code": reason, "message": text}

A refused connection (checked once, at connect): the server accepts the handshake, sends
nothing and closes with :data:`WS_CLOSE_NOT_AUTHENTICATED` (4401: no credentials, or an
unknown, expired or used ticket) or :data:`WS_CLOSE_FORBIDDEN` (4403: the role may not
read), the reason text one of :data:`WS_CLOSE_REASONS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from contract.codec import dumps, loads
from contract.errors import ContractError, Reason
from contract.models import Reading, Status
from contract.spec.ws import (
    MAX_CLIENT_MESSAGE_BYTES,
    MAX_SUBSCRIPTIONS,
    PROTOCOL,
    WS_CLOSE_FORBIDDEN,
    WS_CLOSE_NO_CREDENTIALS,
    WS_CLOSE_NOT_AUTHENTICATED,
    WS_CLOSE_PERMISSION_DENIED,
    WS_CLOSE_REASONS,
    WS_CLOSE_TICKET_EXPIRED,
    WS_CLOSE_TICKET_UNKNOWN,
    WS_CLOSE_TICKET_USED,
    WS_CLOSE_USER_DISABLED,
)
from contract.topics import validate_device_id

__all__ = [
    "FLEET_GROUP",
    "FRAME_EVENT",
    "MAX_CLIENT_MESSAGE_BYTES",
    "MAX_SUBSCRIPTIONS",
    "PROTOCOL",
    "STATUS_EVENT",
    "WS_CLOSE_FORBIDDEN",
    "WS_CLOSE_NOT_AUTHENTICATED",
    "WS_CLOSE_NO_CREDENTIALS",
    "WS_CLOSE_PERMISSION_DENIED",
    "WS_CLOSE_REASONS",
    "WS_CLOSE_TICKET_EXPIRED",
    "WS_CLOSE_TICKET_UNKNOWN",
    "WS_CLOSE_TICKET_USED",
    "WS_CLOSE_USER_DISABLED",
    "SubscriptionChange",
    "device_group",
    "error_message",
    "frame_event",
    "frame_message",
    "hello_message",
    "parse_client_message",
    "reading_row",
    "status_event",
    "status_message",
    "subscribed_message",
    "to_text",
]

FLEET_GROUP = "fleet"
FRAME_EVENT = "telemetry.frame"
STATUS_EVENT = "device.status"


def device_group(device: str) -> str:
    """Channels group of the live frames of ``device``."""
    return f"device.{validate_device_id(device)}"


def reading_row(reading: Reading) -> dict[str, Any]:
    """A reading as the browser and the REST API see it (``spec.ws.READING_ROW``, epoch milliseconds)."""
    return {"seq": reading.seq, "device_ts": reading.ts_ms, "received_ts": reading.rx_ms, **reading.values}


def frame_message(readings: Sequence[Reading]) -> dict[str, Any]:
    """A ``frame``: consecutive readings of one device and one boot.

    Raises:
        ValueError: empty, or readings of more than one device or boot.
    """
    if not readings:
        raise ValueError("a frame needs at least one reading")
    first = readings[0]
    if any(r.device != first.device or r.boot != first.boot for r in readings):
        raise ValueError("a frame holds readings of one device and one boot")
    return {
        "type": "frame",
        "device": first.device,
        "boot": first.boot,
        "seq": [first.seq, readings[-1].seq],
        "readings": [reading_row(r) for r in readings],
    }


def status_message(status: Status, *, received_ts: int) -> dict[str, Any]:
    """A ``status`` message for the fleet view.

    Args:
        status: The decoded MQTT status (its ``ts_ms`` is the device's clock, None on a will).
        received_ts: When the bridge received it (epoch ms, the bridge's clock).
    """
    return {
        "type": "status",
        "device": status.device,
        "online": status.online,
        "boot": status.boot,
        "device_ts": status.ts_ms,
        "received_ts": received_ts,
        "pending": status.pending,
        "dropped": status.dropped,
    }


def error_message(code: Reason | str, message: str) -> dict[str, Any]:
    """An ``error`` message; ``code`` is a :class:`Reason` or a protocol error code."""
    return {"type": "error", "code": str(code), "message": message}


def hello_message() -> dict[str, Any]:
    """First message on every connection."""
    return {"type": "hello", "protocol": PROTOCOL}


def subscribed_message(devices: Sequence[str]) -> dict[str, Any]:
    """The client's full subscription set after a change."""
    return {"type": "subscribed", "devices": sorted(devices)}


def to_text(message: dict[str, Any]) -> str:
    """Serialize a server message once, for every consumer to forward."""
    return dumps(message).decode()


def frame_event(text: str, device: str | None = None) -> dict[str, Any]:
    """Channel-layer event carrying a serialized frame to a device group.

    ``device`` lets a consumer keep only the newest frame per device for a client that
    reads too slowly, without parsing ``text``.
    """
    if device is None:
        return {"type": FRAME_EVENT, "text": text}
    return {"type": FRAME_EVENT, "text": text, "device": device}


def status_event(text: str) -> dict[str, Any]:
    """Channel-layer event carrying a serialized status to the fleet group."""
    return {"type": STATUS_EVENT, "text": text}


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """A parsed ``subscribe`` or ``unsubscribe`` request."""

    subscribe: bool
    devices: tuple[str, ...]


def parse_client_message(text: str) -> SubscriptionChange:
    """Parse a browser message.

    Raises:
        ContractError: oversize, not JSON, missing or unknown type, unknown fields or
            bad device ids.
    """
    try:
        data = text.encode()
    except UnicodeEncodeError:
        raise ContractError(Reason.MALFORMED_JSON, "message is not valid UTF-8") from None
    if len(data) > MAX_CLIENT_MESSAGE_BYTES:
        raise ContractError(Reason.TOO_LARGE, f"message over {MAX_CLIENT_MESSAGE_BYTES} bytes")
    try:
        obj = loads(data)
    except (ValueError, TypeError):
        raise ContractError(Reason.MALFORMED_JSON, "message is not valid JSON") from None
    if not isinstance(obj, dict):
        raise ContractError(Reason.NOT_AN_OBJECT, "message must be a JSON object")
    if "type" not in obj:
        raise ContractError(Reason.MISSING_FIELD, "missing field 'type'", field="type")
    kind = obj["type"]
    if kind not in ("subscribe", "unsubscribe"):
        raise ContractError(Reason.UNEXPECTED_KIND, f"unknown message type {str(kind)[:32]!r}", field="type")
    unknown = sorted(set(obj) - {"type", "devices"})
    if unknown:
        raise ContractError(Reason.UNKNOWN_FIELD, f"unknown field {unknown[0][:64]!r}", field=unknown[0][:64])
    if "devices" not in obj:
        raise ContractError(Reason.MISSING_FIELD, "missing field 'devices'", field="devices")
    devices = obj["devices"]
    if not isinstance(devices, list) or not all(isinstance(d, str) for d in devices):
        raise ContractError(Reason.WRONG_TYPE, "devices must be an array of device ids", field="devices")
    if len(devices) > MAX_SUBSCRIPTIONS:
        raise ContractError(Reason.TOO_LARGE, f"at most {MAX_SUBSCRIPTIONS} devices", field="devices")
    return SubscriptionChange(subscribe=kind == "subscribe", devices=tuple(validate_device_id(d) for d in devices))
