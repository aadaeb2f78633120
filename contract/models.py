"""Message models of contract v1.

Frozen values, built only by the codec or by callers that already hold valid data
(the edge's sampler, the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

VERSION = 1
MAX_READING_BYTES = 4 * 1024
MAX_BATCH_BYTES = 256 * 1024
MAX_BATCH_READINGS = 1000
MAX_STATUS_BYTES = 2 * 1024
MAX_ACK_BYTES = 64 * 1024
MAX_SEQ = 2**53 - 1  # exact in JSON/JavaScript numbers
# Epoch milliseconds of 0001-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: every time ISO 8601 can write.
MIN_TIME_MS = -62_135_596_800_000
MAX_TIME_MS = 253_402_300_799_999
BOOT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
# ASCII digits only: Python's ``\d`` also matches other scripts' digits, ECMA-262's does not.
TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?(Z|\+00:00)$"


@dataclass(frozen=True, slots=True)
class Reading:
    """One sample of a device's sensors.

    Attributes:
        device: Device id.
        boot: Boot id: new on every agent start, so ``seq`` restarting is harmless.
        seq: Per-device, per-boot sequence number, increasing by one per reading.
        ts_ms: Device timestamp, milliseconds since the Unix epoch (UTC).
        values: Channel name -> value, only channels the device has.
        rx_ms: When the bridge received it (0 before that).
    """

    device: str
    boot: str
    seq: int
    ts_ms: int
    values: Mapping[str, float]
    rx_ms: int = 0


@dataclass(frozen=True, slots=True)
class Status:
    """A device's presence: retained ``online`` birth message or ``offline`` last will.

    Attributes:
        device: Device id.
        online: True for the birth message, False for the will or a clean stop.
        boot: Boot id of the agent run the status belongs to.
        ts_ms: When the agent published it (None on the will, whose time is unknown).
        pending: Readings in the device's outbox not yet acknowledged as stored.
        dropped: Readings the outbox had to drop (overflow) over the life of the device's outbox.
    """

    device: str
    online: bool
    boot: str
    ts_ms: int | None = None
    pending: int | None = None
    dropped: int | None = None


@dataclass(frozen=True, slots=True)
class StorageAck:
    """The bridge's word that readings are durably stored.

    Attributes:
        device: Device id the ack is for.
        boot: Boot id the sequence numbers belong to.
        ranges: Inclusive ``(first, last)`` sequence ranges, sorted, non-overlapping.
    """

    device: str
    boot: str
    ranges: tuple[tuple[int, int], ...]

    def covers(self, seq: int) -> bool:
        """Whether ``seq`` is inside one of the ranges."""
        return any(first <= seq <= last for first, last in self.ranges)


def seq_ranges(seqs: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Compress sequence numbers into sorted inclusive ranges.

    >>> seq_ranges([5, 1, 2, 3, 7, 6, 2])
    ((1, 3), (5, 7))
    """
    ordered = sorted(set(seqs))
    if not ordered:
        return ()
    ranges: list[tuple[int, int]] = []
    first = last = ordered[0]
    for seq in ordered[1:]:
        if seq == last + 1:
            last = seq
            continue
        ranges.append((first, last))
        first = last = seq
    ranges.append((first, last))
    return tuple(ranges)
