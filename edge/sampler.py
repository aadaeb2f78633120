"""Pure sampling core: raw source values in, contract readings out.

No I/O and no clock of its own: the agent passes the time in. A reading gets the next
sequence number only if it has at least one valid value, so a sequence gap downstream
always means a lost reading, never a failed sensor read.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from contract.channels import CHANNELS_BY_NAME
from contract.models import Reading
from contract.topics import validate_device_id

BOOT_ID_LENGTH = 16


def new_boot_id() -> str:
    """A fresh boot id: 16 hex characters of a random UUID."""
    return uuid.uuid4().hex[:BOOT_ID_LENGTH]


@dataclass(frozen=True, slots=True)
class CleanValues:
    """Source values split into what the contract accepts and what it would reject.

    Attributes:
        values: Valid channel values.
        rejected: Channel name -> why it was left out.
    """

    values: dict[str, float]
    rejected: dict[str, str]


def clean_values(raw: Mapping[str, float]) -> CleanValues:
    """Keep the values the contract accepts: known channel, finite number, within range."""
    values: dict[str, float] = {}
    rejected: dict[str, str] = {}
    for name, value in raw.items():
        channel = CHANNELS_BY_NAME.get(name)
        if channel is None:
            rejected[name] = "unknown channel"
        elif isinstance(value, bool) or not isinstance(value, int | float):
            rejected[name] = f"not a number: {value!r}"
        elif not math.isfinite(value):
            rejected[name] = f"not finite: {value!r}"
        elif not channel.minimum <= value <= channel.maximum:
            rejected[name] = f"{value:g} outside [{channel.minimum:g}, {channel.maximum:g}] {channel.unit}"
        else:
            values[name] = float(value)
    return CleanValues(values=values, rejected=rejected)


@dataclass(slots=True)
class Sequencer:
    """Numbers the readings of one device and boot: 0, 1, 2, ... without gaps.

    Attributes:
        device: Device id.
        boot: Boot id of this agent run.
        next_seq: Sequence number the next reading gets.
    """

    device: str
    boot: str = field(default_factory=new_boot_id)
    next_seq: int = 0

    def __post_init__(self) -> None:
        validate_device_id(self.device)

    def reading(self, raw: Mapping[str, float], ts_ms: int) -> tuple[Reading | None, CleanValues]:
        """Turn source values into the next reading.

        Args:
            raw: Values from the source.
            ts_ms: Sampling time, milliseconds since the epoch.

        Returns:
            The reading (None if no value was valid, and no sequence number is used) and
            the split of the values, so the caller can report rejected channels.
        """
        clean = clean_values(raw)
        if not clean.values:
            return None, clean
        reading = Reading(device=self.device, boot=self.boot, seq=self.next_seq, ts_ms=ts_ms, values=clean.values)
        self.next_seq += 1
        return reading, clean
