"""Sensor sources: the real Sense HAT, its emulator and the simulator.

Hardware libraries are imported only when their source is chosen, so the agent runs
anywhere with the simulator.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from edge.config import SourceKind
from edge.sources.base import Source
from edge.sources.sense_emu import open_sense_emu
from edge.sources.sense_hat import open_sense_hat
from edge.sources.simulator import SimulatedDevice, SimulatorSource

__all__ = ["SimulatedDevice", "SimulatorSource", "Source", "make_source"]


def make_source(kind: SourceKind, *, seed: int = 0, index: int = 0, clock: Callable[[], float] = time.time) -> Source:
    """Create the source of ``kind``.

    Args:
        kind: Which source.
        seed: Simulator seed (simulator only).
        index: Device index, so simulated devices differ (simulator only).
        clock: Seconds since the epoch (simulator only).

    Raises:
        SourceError: the hardware library is missing or the board cannot be opened.
    """
    if kind is SourceKind.SENSE_HAT:
        return open_sense_hat()
    if kind is SourceKind.SENSE_EMU:
        return open_sense_emu()
    return SimulatorSource(SimulatedDevice(seed=seed, index=index), clock=clock)
