"""Live coalescing core: at most one frame per device group per tick. No I/O.

A reading for a device that has been quiet for a tick is due at once (no added
latency at low rates); readings arriving faster than the tick wait for the rest of the
tick and leave together as one frame. Time is passed in (monotonic milliseconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contract.models import Reading


@dataclass(slots=True)
class _Lane:
    pending: list[Reading] = field(default_factory=list)
    last_sent_ms: float = float("-inf")


class Coalescer:
    """Collects live readings per device and releases them as frames."""

    def __init__(self, tick_ms: float) -> None:
        """Create a coalescer.

        Args:
            tick_ms: Minimum spacing of frames per device; 0 sends every reading at once.
        """
        if tick_ms < 0:
            raise ValueError("tick_ms must be >= 0")
        self._tick_ms = tick_ms
        self._lanes: dict[str, _Lane] = {}

    def add(self, reading: Reading) -> None:
        """Queue a live reading."""
        lane = self._lanes.get(reading.device)
        if lane is None:
            lane = self._lanes[reading.device] = _Lane()
        lane.pending.append(reading)

    def due(self, now_ms: float) -> list[list[Reading]]:
        """Frames due at ``now_ms``: per device and boot, readings sorted by sequence."""
        frames: list[list[Reading]] = []
        for lane in self._lanes.values():
            if not lane.pending or now_ms < lane.last_sent_ms + self._tick_ms:
                continue
            pending, lane.pending = lane.pending, []
            lane.last_sent_ms = now_ms
            by_boot: dict[str, dict[int, Reading]] = {}
            for reading in pending:  # a QoS 1 re-delivery within the tick is sent once
                by_boot.setdefault(reading.boot, {})[reading.seq] = reading
            for by_seq in by_boot.values():
                frames.append([by_seq[seq] for seq in sorted(by_seq)])
        return frames

    def next_due_ms(self) -> float | None:
        """When the earliest waiting frame falls due, or None if nothing waits."""
        times = [lane.last_sent_ms + self._tick_ms for lane in self._lanes.values() if lane.pending]
        return min(times) if times else None
