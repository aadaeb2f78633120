"""The message pipeline core: topic + payload + receive time -> one outcome. No I/O.

Every MQTT message the bridge receives goes through :func:`classify` exactly once; the
worker then carries out the outcome (store and ack, broadcast, record presence,
quarantine). Nothing a device sends can raise out of here: every contract violation
becomes a :class:`Rejected` with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from contract.codec import check_not_future, decode_batch, decode_reading, decode_status
from contract.errors import ContractError, Reason
from contract.models import Reading, Status
from contract.topics import DeviceTopic, Kind, parse
from storage.base import QuarantinedMessage

EXCERPT_BYTES = 256
TOPIC_CHARS = 256


@dataclass(frozen=True, slots=True)
class Incoming:
    """One MQTT message as received.

    Attributes:
        topic: Topic name.
        payload: Raw payload.
        rx_ms: Receive time, ms since the epoch.
        retained: The broker delivered it from its retained store (a replay, not news).
    """

    topic: str
    payload: bytes
    rx_ms: int
    retained: bool = False


@dataclass(frozen=True, slots=True)
class Accepted:
    """Valid readings to store, acknowledge and (if ``live``) broadcast."""

    readings: list[Reading]
    live: bool


@dataclass(frozen=True, slots=True)
class Presence:
    """A valid device status to record and broadcast."""

    status: Status


@dataclass(frozen=True, slots=True)
class Ignored:
    """Valid but not for the bridge (e.g. a retained replay of a reading)."""

    why: str


@dataclass(frozen=True, slots=True)
class Rejected:
    """A contract violation, to quarantine and count."""

    message: QuarantinedMessage


Outcome = Accepted | Presence | Ignored | Rejected


def _check_device(where: DeviceTopic, device: str) -> None:
    if device != where.device:
        raise ContractError(
            Reason.DEVICE_MISMATCH,
            f"payload device {device!r} differs from topic device {where.device!r}",
            field="device",
        )


def _accept(where: DeviceTopic, msg: Incoming, max_future_ms: int) -> Outcome:
    if where.kind is Kind.READING:
        reading = decode_reading(msg.payload, rx_ms=msg.rx_ms)
        _check_device(where, reading.device)
        check_not_future(reading, now_ms=msg.rx_ms, max_skew_ms=max_future_ms)
        return Accepted(readings=[reading], live=True)
    if where.kind is Kind.BATCH:
        readings = decode_batch(msg.payload, rx_ms=msg.rx_ms)
        _check_device(where, readings[0].device)
        for reading in readings:
            check_not_future(reading, now_ms=msg.rx_ms, max_skew_ms=max_future_ms)
        return Accepted(readings=readings, live=False)
    if where.kind is Kind.STATUS:
        status = decode_status(msg.payload)
        _check_device(where, status.device)
        return Presence(status=status)
    raise ContractError(Reason.UNEXPECTED_KIND, f"the bridge does not consume {where.kind.value!r} messages")


def classify(msg: Incoming, *, max_future_ms: int) -> Outcome:
    """Decide what to do with one message.

    Args:
        msg: The message.
        max_future_ms: How far a device clock may run ahead of the bridge's.
    """
    where: DeviceTopic | None = None
    try:
        where = parse(msg.topic)
        if msg.retained and where.kind in (Kind.READING, Kind.BATCH):
            return Ignored(why="retained replay of readings is never stored as new")
        return _accept(where, msg, max_future_ms)
    except ContractError as exc:
        return Rejected(
            QuarantinedMessage(
                rx_ms=msg.rx_ms,
                topic=msg.topic[:TOPIC_CHARS],
                reason=exc.reason.value,
                detail=exc.detail,
                device=where.device if where else None,
                excerpt=msg.payload[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
            )
        )
