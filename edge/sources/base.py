"""What every sensor source offers the agent."""

from __future__ import annotations

from typing import Protocol


class Source(Protocol):
    """A sensor source: real Sense HAT, its emulator or the simulator.

    ``read`` returns the current values keyed by contract channel names
    (:data:`contract.CHANNEL_NAMES`); a source returns only the channels it has. The
    agent checks every value against the contract before using it, and an empty
    mapping means "nothing to report this time" (no reading, no sequence number used).
    """

    def read(self) -> dict[str, float]:
        """Sample every channel once.

        Raises:
            OSError: the hardware could not be read this time (the agent logs, counts
                and tries again at the next tick).
        """
        ...
