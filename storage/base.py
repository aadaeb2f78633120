"""The store interface: what the bridge writes and the server reads.

Shaped for both SQLite and MongoDB: batch insert with an idempotent key
(device, boot, seq), range queries by device time, latest values, device presence
and a quarantine of rejected messages.

Exception tree::

    StoreError        the store could not do what was asked (I/O, corruption, outage);
                      the caller must not acknowledge readings it tried to write
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from contract.models import Reading, Status


class StoreError(RuntimeError):
    """The store failed; nothing in the failed call can be assumed written."""


@dataclass(frozen=True, slots=True)
class InsertResult:
    """Outcome of an idempotent batch insert.

    Attributes:
        stored: Readings newly written.
        duplicates: Readings already present (re-delivery or re-send), not written again.
    """

    stored: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class ReadingPage:
    """Readings of one device in a time range, oldest first.

    Attributes:
        readings: At most ``limit`` readings.
        truncated: True if the range holds more than ``limit`` readings.
    """

    readings: list[Reading]
    truncated: bool


@dataclass(frozen=True, slots=True)
class DeviceSummary:
    """What the store knows about a device.

    Attributes:
        device: Device id.
        online: Last presence the device (or its last will) reported; False if never.
        boot: Boot id of the last status.
        status_ts_ms: When that status was received by the bridge.
        pending: Outbox backlog the device reported.
        dropped: Outbox overflow drops the device reported.
        last_seen_ms: Device time of the newest stored reading.
        latest: The newest stored reading.
    """

    device: str
    online: bool
    boot: str | None
    status_ts_ms: int | None
    pending: int | None
    dropped: int | None
    last_seen_ms: int | None
    latest: Reading | None


@dataclass(frozen=True, slots=True)
class QuarantinedMessage:
    """A rejected message, kept for inspection.

    Attributes:
        rx_ms: Receive time.
        topic: MQTT topic it arrived on (truncated to 256 chars).
        reason: A :class:`contract.errors.Reason` value.
        detail: Human-readable explanation.
        device: Device id if the topic named a valid one.
        excerpt: The first bytes of the payload, decoded leniently.
    """

    rx_ms: int
    topic: str
    reason: str
    detail: str
    device: str | None
    excerpt: str


class Store(Protocol):
    """Async storage of readings, device presence and quarantined messages."""

    async def insert_readings(self, readings: Sequence[Reading]) -> InsertResult:
        """Store readings idempotently on (device, boot, seq), all or nothing.

        Raises:
            StoreError: nothing may be acknowledged.
        """
        ...

    async def record_statuses(self, statuses: Sequence[tuple[Status, int]]) -> None:
        """Record device presence messages with their receive times, in order."""
        ...

    async def quarantine(self, messages: Sequence[QuarantinedMessage]) -> None:
        """Keep rejected messages."""
        ...

    async def readings(self, device: str, *, since_ms: int, until_ms: int, limit: int) -> ReadingPage:
        """Readings with ``since_ms <= ts < until_ms``, oldest first."""
        ...

    async def devices(self) -> list[DeviceSummary]:
        """Every known device (seen in a status or a reading), sorted by id."""
        ...

    async def quarantined(self, *, limit: int) -> list[QuarantinedMessage]:
        """The newest quarantined messages, newest first."""
        ...

    async def close(self) -> None:
        """Release connections and threads."""
        ...
