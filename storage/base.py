"""The store interface: what the bridge writes and the server reads.

Shaped for both SQLite and MongoDB: batch insert with an idempotent key
(device, boot, seq), range queries by device time, downsampled history with gaps
(:mod:`storage.history`), paged export, retention and rollup upkeep
(:meth:`Store.maintain`), latest values, device presence and a quarantine of rejected
messages. docs/storage.md describes both implementations.

Exception tree::

    StoreError        the store could not do what was asked (I/O, corruption, outage);
                      the caller must not acknowledge readings it tried to write
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from contract.models import Reading, Status
from storage.history import History, HistoryQuery

EXPORT_PAGE = 5_000

ReadingKey = tuple[int, str, int]
"""``(ts, boot, seq)``: the order readings of one device are listed in, and the export cursor."""


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


@dataclass(frozen=True, slots=True)
class MaintenanceReport:
    """What one :meth:`Store.maintain` call did.

    Attributes:
        purged: ``raw``/``minute``/``hour`` -> rows deleted by retention.
        refreshed: Rollup rows recomputed (MongoDB; SQLite maintains rollups at ingest).
    """

    purged: Mapping[str, int] = field(default_factory=dict)
    refreshed: int = 0


class ReadingsAfter(Protocol):
    """A store's keyset query: readings of ``device`` in the range after ``after``, oldest first."""

    async def __call__(
        self, device: str, after: ReadingKey | None, *, since_ms: int, until_ms: int, limit: int
    ) -> list[Reading]:
        """At most ``limit`` readings with ``since_ms <= ts < until_ms`` that sort after ``after``."""
        ...


async def keyset_pages(
    readings_after: ReadingsAfter, device: str, *, since_ms: int, until_ms: int, page_size: int
) -> AsyncIterator[list[Reading]]:
    """Pages of readings from a store's keyset query (every store's :meth:`Store.export`).

    Keyset paging: each page starts after the last reading of the previous one, so a page costs
    the same at the end of a year as at its start, and readings stored meanwhile are not skipped.
    """
    after: ReadingKey | None = None
    while True:
        page = await readings_after(device, after, since_ms=since_ms, until_ms=until_ms, limit=page_size)
        if page:
            yield page
        if len(page) < page_size:
            return
        last = page[-1]
        after = (last.ts_ms, last.boot, last.seq)


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

    async def has_device(self, device: str) -> bool:
        """Whether :meth:`devices` lists ``device``."""
        ...

    async def history(self, query: HistoryQuery, *, now_ms: int) -> History:
        """Downsampled history with gaps, equal to :func:`storage.history.history_from_readings`.

        ``now_ms`` dates the retention limits (ranges past raw retention are answered from rollups).
        """
        ...

    def export(
        self, device: str, *, since_ms: int, until_ms: int, page_size: int = EXPORT_PAGE
    ) -> AsyncIterator[list[Reading]]:
        """Every reading with ``since_ms <= ts < until_ms``, oldest first, in pages of at most ``page_size``."""
        ...

    async def maintain(self, *, now_ms: int) -> MaintenanceReport:
        """Apply retention as of ``now_ms`` and bring rollups up to date; safe to run from several processes."""
        ...

    async def quarantined(self, *, limit: int) -> list[QuarantinedMessage]:
        """The newest quarantined messages, newest first."""
        ...

    async def close(self) -> None:
        """Release connections and threads."""
        ...
