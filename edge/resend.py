"""Pure planning of re-sends: due readings in, ``batch`` payloads out.

A batch holds readings of one boot, at most ``max_readings`` of them and at most
:data:`contract.models.MAX_BATCH_BYTES` once encoded; a batch that encodes too large is
split in halves until every part fits. Order is kept: boots in order of their first
due reading, readings in the order given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contract.codec import encode_batch
from contract.models import MAX_BATCH_BYTES, MAX_BATCH_READINGS, Reading


@dataclass(frozen=True, slots=True)
class Batch:
    """One ``batch`` message ready to publish.

    Attributes:
        readings: The readings it carries (one device, one boot).
        payload: The encoded message.
    """

    readings: tuple[Reading, ...]
    payload: bytes


def _encoded(readings: Sequence[Reading], limit_bytes: int) -> list[Batch]:
    payload = encode_batch(list(readings))
    if len(payload) <= limit_bytes or len(readings) == 1:
        return [Batch(readings=tuple(readings), payload=payload)]
    half = len(readings) // 2
    return _encoded(readings[:half], limit_bytes) + _encoded(readings[half:], limit_bytes)


def plan_batches(readings: Sequence[Reading], max_readings: int, *, limit_bytes: int = MAX_BATCH_BYTES) -> list[Batch]:
    """Group readings into ``batch`` messages, one boot per batch.

    Args:
        readings: Readings of one device to send, oldest first.
        max_readings: Most readings per batch (1 .. ``MAX_BATCH_READINGS``).
        limit_bytes: Largest encoded batch.

    Raises:
        ValueError: ``max_readings`` out of range or readings of several devices.
    """
    if not 1 <= max_readings <= MAX_BATCH_READINGS:
        raise ValueError(f"max_readings must be 1..{MAX_BATCH_READINGS}, got {max_readings}")
    by_boot: dict[str, list[Reading]] = {}
    for reading in readings:
        by_boot.setdefault(reading.boot, []).append(reading)
    batches: list[Batch] = []
    for group in by_boot.values():
        for start in range(0, len(group), max_readings):
            batches.extend(_encoded(group[start : start + max_readings], limit_bytes))
    return batches
